import { ReasonerError } from '@reasoner/core';
import type { Task, TaskVerdict } from '@reasoner/core';
import { applyOp, formatStep, parseLine, parsePrompt, splitLines } from './format.js';
import { isReachable } from './solver.js';

/** The problem a task poses: from `meta` when present, else parsed from the prompt. */
export function countdownProblemOf(task: Task): { numbers: number[]; target: number } {
  const meta = task.meta as { numbers?: unknown; target?: unknown } | undefined;
  if (Array.isArray(meta?.numbers) && typeof meta?.target === 'number') return { numbers: meta.numbers as number[], target: meta.target };
  const parsed = parsePrompt(task.prompt);
  if (parsed) return parsed;
  throw new ReasonerError('RSN_ERR_TASK', `task ${task.id} is not a countdown problem: prompt ${JSON.stringify(task.prompt.slice(0, 40))}`, {
    hint: 'a countdown prompt looks like "3 7 25 4>89\\n" (or give meta.numbers and meta.target)',
  });
}

interface Entry { consumed: number[]; produced?: number; valid: boolean }

export interface CountdownState {
  /** Numbers available now. */
  pool: number[];
  /** 1/0 per non-empty line (steps, backtracks and the final line). */
  steps: number[];
  /** All steps still in effect (not backtracked) are valid. */
  valid: boolean;
  /** The value of a final line `=N`, if one was written. */
  answer?: number;
  /** A final line was written and nothing follows it. */
  complete: boolean;
  /** First problem found, for humans. */
  error?: string;
}

function take(pool: number[], a: number, b: number): boolean {
  const i = pool.indexOf(a);
  if (i < 0) return false;
  pool.splice(i, 1);
  const j = pool.indexOf(b);
  if (j < 0) {
    pool.splice(i, 0, a);
    return false;
  }
  pool.splice(j, 1);
  return true;
}

/**
 * Replays solution lines from the starting numbers. A step whose operands are available is
 * applied as written (even with a wrong result, so that `<` can undo it); `<`×k undoes the last
 * k steps; the final line `=N` is valid if N is available.
 */
export function replayCountdown(numbers: readonly number[], lines: readonly string[]): CountdownState {
  const pool = [...numbers];
  const stack: Entry[] = [];
  const steps: number[] = [];
  let answer: number | undefined;
  let finalAt = -1;
  let error: string | undefined;
  const fail = (msg: string): number => { error ??= msg; return 0; };
  lines.forEach((text, idx) => {
    const line = parseLine(text);
    if (finalAt >= 0) { steps.push(fail(`line ${idx + 1}: text after the final line`)); return; }
    switch (line.kind) {
      case 'step': {
        const s = line.step;
        if (!take(pool, s.a, s.b)) {
          stack.push({ consumed: [], valid: false });
          steps.push(fail(`line ${idx + 1}: ${formatStep(s)} uses a number that is not available (have ${pool.join(' ')})`));
          return;
        }
        pool.push(s.c);
        const ok = applyOp(s.a, s.op, s.b) === s.c;
        stack.push({ consumed: [s.a, s.b], produced: s.c, valid: ok });
        steps.push(ok ? 1 : fail(`line ${idx + 1}: ${formatStep(s)} is wrong`));
        return;
      }
      case 'backtrack': {
        const ok = stack.length >= line.count;
        for (let k = 0; k < line.count && stack.length; k++) {
          const e = stack.pop()!;
          if (e.produced !== undefined) pool.splice(pool.indexOf(e.produced), 1);
          pool.push(...e.consumed);
        }
        steps.push(ok ? 1 : fail(`line ${idx + 1}: backtracks more steps than were taken`));
        return;
      }
      case 'final': {
        finalAt = idx;
        answer = line.value;
        steps.push(pool.includes(line.value) ? 1 : fail(`line ${idx + 1}: ${line.value} is not an available number`));
        return;
      }
      case 'invalid':
        stack.push({ consumed: [], valid: false });
        steps.push(fail(`line ${idx + 1}: cannot parse ${JSON.stringify(line.text.slice(0, 40))}`));
    }
  });
  const valid = stack.every((e) => e.valid);
  return { pool, steps, valid, answer, complete: finalAt === lines.length - 1 && finalAt >= 0, error };
}

function verdictOf(target: number, state: CountdownState, extra: Record<string, unknown> = {}): TaskVerdict {
  const correct = state.complete && state.valid && state.answer === target && state.steps[state.steps.length - 1] === 1;
  return {
    correct,
    answer: state.answer === undefined ? undefined : String(state.answer),
    steps: state.steps,
    detail: { complete: state.complete, valid: state.valid, pool: state.pool, target, ...(state.error ? { error: state.error } : {}), ...extra },
  };
}

/**
 * Checks a whole solution: correct when every step still in effect is valid and the last line
 * is `=<target>` with the target available. `steps` has 1/0 per non-empty line.
 */
export function verifyCountdown(task: Task, solution: string): TaskVerdict {
  const { numbers, target } = countdownProblemOf(task);
  return verdictOf(target, replayCountdown(numbers, splitLines(solution)));
}

/**
 * Checks a prefix of solution lines (tree search, process rewards). `detail.reachable` says
 * whether the target can still be reached from the numbers now available.
 */
export function verifyCountdownPartial(task: Task, lines: readonly string[]): TaskVerdict {
  const { numbers, target } = countdownProblemOf(task);
  const state = replayCountdown(numbers, lines.flatMap(splitLines));
  const reachable = state.valid && (state.pool.includes(target) || isReachable(state.pool, target));
  return verdictOf(target, state, { reachable });
}

import { ReasonerError } from '@reasoner/core';
import type { Task, TaskVerdict } from '@reasoner/core';
import { splitLines } from '@reasoner/plugin-task-countdown';
import { arithAnswer, assembleAnswer, expectedStep } from './scratchpad.js';
import type { ArithOp, ArithProblem } from './scratchpad.js';

const PROMPT_RE = /^(0|[1-9][0-9]*)([+*-])(0|[1-9][0-9]*)\n?$/;
const STEP_RE = /^([^=]+)=(-?(?:0|[1-9][0-9]*))$/;
const FINAL_RE = /^=(-?(?:0|[1-9][0-9]*))$/;
const BACKTRACK_RE = /^<+$/;

/** Every character an arith prompt or solution can contain. */
export const arithAlphabet = '\n*+-0123456789<=';

export function formatArithPrompt(p: ArithProblem): string {
  return `${p.a}${p.op}${p.b}\n`;
}

export function parseArithPrompt(prompt: string): ArithProblem | undefined {
  const m = PROMPT_RE.exec(prompt);
  return m ? { a: Number(m[1]), op: m[2] as ArithOp, b: Number(m[3]) } : undefined;
}

/** The problem a task poses: from `meta` when present, else parsed from the prompt. */
export function arithProblemOf(task: Task): ArithProblem {
  const m = task.meta as Partial<ArithProblem> | undefined;
  if (typeof m?.a === 'number' && typeof m.b === 'number' && (m.op === '+' || m.op === '-' || m.op === '*')) return { a: m.a, op: m.op, b: m.b };
  const parsed = parseArithPrompt(task.prompt);
  if (parsed) return parsed;
  throw new ReasonerError('RSN_ERR_TASK', `task ${task.id} is not an arith problem: prompt ${JSON.stringify(task.prompt.slice(0, 40))}`, {
    hint: 'an arith prompt looks like "4821+937\\n" (operators + - *), or give meta { a, op, b }',
  });
}

export interface ArithState {
  /** Written results of the steps in effect. */
  done: number[];
  steps: number[];
  valid: boolean;
  answer?: number;
  complete: boolean;
  error?: string;
}

/**
 * Replays solution lines: each step must be the expected next step (given the results written
 * so far) with the right value; `<`×k undoes the last k steps; `=N` must be the answer the
 * written steps imply, after all of them.
 */
export function replayArith(p: ArithProblem, lines: readonly string[]): ArithState {
  const done: number[] = [];
  const ok: boolean[] = [];
  const steps: number[] = [];
  let answer: number | undefined;
  let finalAt = -1;
  let error: string | undefined;
  const fail = (msg: string): number => { error ??= msg; return 0; };
  lines.forEach((raw, idx) => {
    const text = raw.trim();
    const where = `line ${idx + 1}`;
    if (finalAt >= 0) { steps.push(fail(`${where}: text after the final line`)); return; }
    let m = FINAL_RE.exec(text);
    if (m) {
      finalAt = idx;
      answer = Number(m[1]);
      const finished = expectedStep(p, done) === undefined;
      steps.push(finished && answer === assembleAnswer(p, done) ? 1 : fail(`${where}: final line ${text} does not follow from the steps`));
      return;
    }
    if (BACKTRACK_RE.test(text)) {
      const enough = done.length >= text.length;
      done.splice(Math.max(0, done.length - text.length));
      ok.splice(done.length);
      steps.push(enough ? 1 : fail(`${where}: backtracks more steps than were taken`));
      return;
    }
    const want = expectedStep(p, done);
    m = STEP_RE.exec(text);
    const value = m ? Number(m[2]) : NaN;
    const valid = !!m && !!want && m[1] === want.lhs && value === want.value;
    done.push(value);
    ok.push(valid);
    steps.push(valid ? 1 : fail(`${where}: ${JSON.stringify(text)} ≠ expected ${want ? `${want.lhs}=${want.value}` : 'final line'}`));
  });
  return { done, steps, valid: ok.every(Boolean), answer, complete: finalAt >= 0 && finalAt === lines.length - 1, error };
}

function verdictOf(p: ArithProblem, s: ArithState): TaskVerdict {
  const truth = arithAnswer(p);
  return {
    correct: s.complete && s.valid && s.answer === truth && s.steps[s.steps.length - 1] === 1,
    answer: s.answer === undefined ? undefined : String(s.answer),
    steps: s.steps,
    detail: { complete: s.complete, valid: s.valid, expected: truth, ...(s.error ? { error: s.error } : {}) },
  };
}

/** Checks a whole solution: every step in effect right, and the final line the true answer. */
export function verifyArith(task: Task, solution: string): TaskVerdict {
  const p = arithProblemOf(task);
  return verdictOf(p, replayArith(p, splitLines(solution)));
}

/** Checks a prefix of solution lines (tree search, process rewards). */
export function verifyArithPartial(task: Task, lines: readonly string[]): TaskVerdict {
  const p = arithProblemOf(task);
  return verdictOf(p, replayArith(p, lines.flatMap(splitLines)));
}

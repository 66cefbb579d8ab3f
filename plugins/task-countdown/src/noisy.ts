import type { Rng, Task } from '@reasoner/core';
import { applyOp, formatBacktrack, formatFinal, formatStep, joinLines } from './format.js';
import type { CountdownStep } from './format.js';
import { solveCountdown } from './solver.js';
import { countdownProblemOf } from './verify.js';
import { applyStep, randomStep } from './walk.js';

export interface NoisyOptions {
  /**
   * Chance of a perturbation (0 = a clean shortest solution); after each one, the same chance
   * of another, up to 3. Default 0.5.
   */
  noise?: number;
  /** Share of perturbations that are unrecovered slips (the solution ends wrong). Default 0.25. */
  unrecovered?: number;
}

type Kind = 'detour' | 'fixed-slip' | 'slip';

function wrongResult(c: number, rng: Rng): number {
  const deltas = [1, 2, 3, 10];
  for (;;) {
    const d = deltas[rng.int(deltas.length)]! * (rng.next() < 0.5 ? -1 : 1);
    if (c + d >= 0 && d !== 0) return c + d;
  }
}

/**
 * A Stream-of-Search style solution with deliberate mistakes, for training a capable but
 * fallible policy. Perturbations, inserted before a step of a random shortest solution:
 *  - detour: 1–2 valid exploratory steps, then a backtrack line (`<`, `<<`); still correct;
 *  - fixed slip: the step with a wrong result, `<`, then the step done right; still correct;
 *  - slip: a wrong result that the rest of the solution builds on; ends on a wrong answer.
 * `verifyCountdown` is the judge of the result; detours never reach the target by accident.
 */
export function noisySolution(task: Task, rng: Rng, options: NoisyOptions = {}): string {
  const noise = options.noise ?? 0.5;
  const unrecovered = options.unrecovered ?? 0.25;
  const { numbers, target } = countdownProblemOf(task);
  const solutions = solveCountdown(numbers, target, { max: 8 });
  const steps = solutions[rng.int(solutions.length)] ?? [];
  if (steps.length === 0) return joinLines([formatFinal(target)]);

  const plan = new Map<number, Kind[]>();
  let slipPlanned = false;
  for (let e = 0; e < 3 && rng.next() < noise; e++) {
    const r = rng.next();
    let kind: Kind = r < unrecovered ? 'slip' : r < unrecovered + (1 - unrecovered) / 3 ? 'fixed-slip' : 'detour';
    if (kind === 'slip' && slipPlanned) kind = 'detour';
    slipPlanned ||= kind === 'slip';
    const at = rng.int(steps.length);
    plan.set(at, [...(plan.get(at) ?? []), kind]);
  }

  const lines: string[] = [];
  const pool = [...numbers];
  for (let j = 0; j < steps.length; j++) {
    const step = steps[j]!;
    const kinds = plan.get(j) ?? [];
    for (const kind of kinds) {
      if (kind === 'detour') lines.push(...detour(pool, step, target, rng));
      if (kind === 'fixed-slip') lines.push(formatStep({ ...step, c: wrongResult(step.c, rng) }), formatBacktrack(1));
    }
    if (kinds.includes('slip')) {
      lines.push(...slipFrom(steps.slice(j), rng));
      return joinLines(lines);
    }
    lines.push(formatStep(step));
    applyStep(pool, step);
  }
  lines.push(formatFinal(target));
  return joinLines(lines);
}

/** 1–2 random valid steps from `pool` (left unchanged) that are not `next` and never hit the target, then `<`s. */
function detour(pool: readonly number[], next: CountdownStep, target: number, rng: Rng): string[] {
  const scratch = [...pool];
  const want = 1 + rng.int(Math.min(2, pool.length - 1));
  const out: string[] = [];
  for (let tries = 0; out.length < want && tries < 8; tries++) {
    const trial = [...scratch];
    const s = randomStep(trial, rng);
    if (!s || s.c === target || (out.length === 0 && formatStep(s) === formatStep(next))) continue;
    scratch.splice(0, scratch.length, ...trial);
    out.push(formatStep(s));
  }
  return out.length ? [...out, formatBacktrack(out.length)] : [];
}

/**
 * The remaining steps with a wrong result at the first one; later steps use the wrong value
 * (with correct arithmetic) and the final line states whatever comes out.
 */
function slipFrom(rest: readonly CountdownStep[], rng: Rng): string[] {
  const first = rest[0]!;
  let from = first.c;
  let to = wrongResult(first.c, rng);
  const out = [formatStep({ ...first, c: to })];
  for (const s of rest.slice(1)) {
    let a = s.a, b = s.b;
    if (a === from) a = to;
    else if (b === from) b = to;
    else { out.push(formatStep(s)); continue; }
    if ((s.op === '-' || s.op === '/') && a < b) [a, b] = [b, a];
    const c = applyOp(a, s.op, b);
    if (c === undefined) break;
    out.push(formatStep({ a, op: s.op, b, c }));
    from = s.c;
    to = c;
  }
  out.push(formatFinal(to));
  return out;
}

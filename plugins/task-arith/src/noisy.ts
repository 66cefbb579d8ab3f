import type { Rng, Task } from '@reasoner/core';
import { formatBacktrack, formatFinal, joinLines } from '@reasoner/plugin-task-countdown';
import { arithStepCount, assembleAnswer, expectedStep } from './scratchpad.js';
import type { ArithOp } from './scratchpad.js';
import { arithProblemOf } from './verify.js';

export interface ArithNoisyOptions {
  /** Chance of a slip (then the same chance of another, up to 3). Default 0.5. */
  noise?: number;
  /** Share of slips left uncorrected (the rest are followed by `<` and the right line). Default 0.5. */
  unrecovered?: number;
}

/** A plausible wrong value: non-negative for + and *, a column difference in -10…9 for -. */
function slipValue(v: number, op: ArithOp, rng: Rng): number {
  for (;;) {
    const w = v + [1, 2, 9, 10][rng.int(4)]! * (rng.next() < 0.5 ? -1 : 1);
    if (op === '-' ? w >= -10 && w <= 9 : w >= 0) return w;
  }
}

/**
 * A scratchpad with arithmetic slips: a step with a wrong value, either corrected (`<`, then the
 * right line; still correct) or kept, with every later step computed from it (wrong answer).
 */
export function noisyArithSolution(task: Task, rng: Rng, options: ArithNoisyOptions = {}): string {
  const noise = options.noise ?? 0.5;
  const unrecovered = options.unrecovered ?? 0.5;
  const p = arithProblemOf(task);
  const n = arithStepCount(p);
  const slips = new Map<number, boolean>(); // step index → recovered?
  for (let e = 0; e < 3 && rng.next() < noise; e++) slips.set(rng.int(n), rng.next() >= unrecovered);
  const lines: string[] = [];
  const done: number[] = [];
  for (let s = expectedStep(p, done); s; s = expectedStep(p, done)) {
    const recovered = slips.get(done.length);
    let value = s.value;
    if (recovered !== undefined) {
      const wrong = slipValue(s.value, p.op, rng);
      if (recovered) lines.push(`${s.lhs}=${wrong}`, formatBacktrack(1));
      else value = wrong;
    }
    lines.push(`${s.lhs}=${value}`);
    done.push(value);
  }
  lines.push(formatFinal(assembleAnswer(p, done)));
  return joinLines(lines);
}

/** Same as noisyArithSolution (the name the task plugins share). */
export const noisySolution = noisyArithSolution;

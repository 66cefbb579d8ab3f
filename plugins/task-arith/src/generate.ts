import { ReasonerError } from '@reasoner/core';
import type { Rng, Task } from '@reasoner/core';
import { formatFinal, joinLines } from '@reasoner/plugin-task-countdown';
import { arithAnswer, scratchpadSteps } from './scratchpad.js';
import type { ArithOp, ArithProblem } from './scratchpad.js';
import { formatArithPrompt } from './verify.js';

export interface ArithGenOptions {
  /** Operators to draw from (default all three). */
  ops?: ArithOp[];
  /** Digits of each operand of + and -, drawn uniformly in [minDigits, maxDigits] (default 3…5). */
  minDigits?: number;
  maxDigits?: number;
  /** Multiplication: the first operand uses minDigits…maxDigits, the multiplier 1…maxMultiplierDigits (default 2). */
  maxMultiplierDigits?: number;
}

export interface ArithMeta extends ArithProblem {
  /** Number of step lines: the difficulty level. */
  level: number;
  [key: string]: unknown;
}

export type ArithTask = Task & { answer: string; solution: string; meta: ArithMeta };

export function arithKey(p: ArithProblem): string {
  // + and * commute: both orders are the same problem for the splits.
  const [x, y] = p.op === '-' ? [p.a, p.b] : [Math.max(p.a, p.b), Math.min(p.a, p.b)];
  return `${x}${p.op}${y}`;
}

export function arithSolutionText(p: ArithProblem): string {
  return joinLines([...scratchpadSteps(p).map((s) => s.line), formatFinal(arithAnswer(p))]);
}

export function makeArithTask(p: ArithProblem): ArithTask {
  const steps = scratchpadSteps(p);
  return {
    id: `arith:${p.a}${p.op}${p.b}`,
    prompt: formatArithPrompt(p),
    answer: String(arithAnswer(p)),
    solution: joinLines([...steps.map((s) => s.line), formatFinal(arithAnswer(p))]),
    meta: { ...p, level: steps.length },
  };
}

function randomNumber(rng: Rng, minDigits: number, maxDigits: number): number {
  const d = minDigits + rng.int(maxDigits - minDigits + 1);
  const lo = d === 1 ? 0 : 10 ** (d - 1);
  return lo + rng.int(10 ** d - lo);
}

/** One random problem (subtraction keeps a ≥ b: no negative answers). */
export function generateArithProblem(rng: Rng, options: ArithGenOptions = {}): { task: ArithTask; key: string } {
  const ops = options.ops ?? ['+', '-', '*'];
  const minDigits = options.minDigits ?? 3, maxDigits = options.maxDigits ?? 5;
  const mulDigits = options.maxMultiplierDigits ?? 2;
  // Results must stay exact in a double (< 2^53).
  if (ops.length === 0 || minDigits < 1 || maxDigits < minDigits || maxDigits > 15 || (ops.includes('*') && maxDigits + mulDigits > 15)) {
    throw new ReasonerError('RSN_ERR_TASK', `arith: bad options (ops ${JSON.stringify(ops)}, digits ${minDigits}…${maxDigits})`, {
      hint: 'give at least one of + - *, 1 ≤ minDigits ≤ maxDigits ≤ 15, and maxDigits + maxMultiplierDigits ≤ 15 for *',
    });
  }
  const op = ops[rng.int(ops.length)]!;
  let a = randomNumber(rng, minDigits, maxDigits);
  let b = op === '*' ? randomNumber(rng, 1, mulDigits) : randomNumber(rng, minDigits, maxDigits);
  if (op === '-' && b > a) [a, b] = [b, a];
  const p = { a, op, b };
  return { task: makeArithTask(p), key: arithKey(p) };
}

export function generateArith(rng: Rng, options: ArithGenOptions = {}): ArithTask {
  return generateArithProblem(rng, options).task;
}

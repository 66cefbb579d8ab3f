import type { Rng } from '@reasoner/core';
import { applyOp } from './format.js';
import type { CountdownOp, CountdownStep } from './format.js';

const OPS: CountdownOp[] = ['+', '-', '*', '/'];

/**
 * A random valid step from `pool` (larger operand first; no 0 results, no `x*1`, `x/1`), applied
 * to `pool` in place. Undefined (pool unchanged) when the drawn pair allows no such step.
 */
export function randomStep(pool: number[], rng: Rng): CountdownStep | undefined {
  if (pool.length < 2) return undefined;
  const i = rng.int(pool.length);
  let j = rng.int(pool.length - 1);
  if (j >= i) j++;
  const hi = Math.max(pool[i]!, pool[j]!), lo = Math.min(pool[i]!, pool[j]!);
  const choices: CountdownStep[] = [];
  for (const op of OPS) {
    const c = applyOp(hi, op, lo);
    if (c !== undefined && c !== 0 && c !== hi) choices.push({ a: hi, op, b: lo, c });
  }
  if (choices.length === 0) return undefined;
  const step = choices[rng.int(choices.length)]!;
  pool.splice(Math.max(i, j), 1);
  pool.splice(Math.min(i, j), 1);
  pool.push(step.c);
  return step;
}

/** Applies a (valid) step to a pool in place. */
export function applyStep(pool: number[], s: CountdownStep): void {
  pool.splice(pool.indexOf(s.a), 1);
  pool.splice(pool.indexOf(s.b), 1);
  pool.push(s.c);
}

import type { CountdownOp, CountdownStep } from './format.js';

export interface SolveOptions {
  /** Stop after this many shortest solutions (default 16). */
  max?: number;
}

/**
 * All (up to `max`) shortest step sequences that reach `target`, by iterative deepening.
 * Steps are written larger operand first. Steps that can never shorten a solution are pruned:
 * results of 0, `x*1` and `x/1`. Returns `[]` if the target is unreachable, `[[]]` if it is
 * already one of the numbers. ≤ 5 numbers search in well under a millisecond to a few ms.
 */
export function solveCountdown(numbers: readonly number[], target: number, options: SolveOptions = {}): CountdownStep[][] {
  const max = options.max ?? 16;
  if (numbers.includes(target)) return [[]];
  const out: CountdownStep[][] = [];
  const path: CountdownStep[] = [];
  const ops: CountdownOp[] = ['+', '-', '*', '/'];

  const rec = (pool: number[], depth: number): void => {
    const n = pool.length;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const x = pool[i]!, y = pool[j]!;
        const hi = x >= y ? x : y, lo = x >= y ? y : x;
        // One slot per op (0 = skip). Local per frame: the recursion below must not clobber it.
        const results = [hi + lo, hi - lo, lo === 1 ? 0 : hi * lo, lo > 1 && hi % lo === 0 ? hi / lo : 0];
        for (let k = 0; k < 4; k++) {
          const c = results[k]!;
          if (c === 0) continue;
          const step: CountdownStep = { a: hi, op: ops[k]!, b: lo, c };
          if (depth === 1) {
            if (c === target) {
              out.push([...path, step]);
              if (out.length >= max) return;
            }
            continue;
          }
          const rest: number[] = [c];
          for (let t = 0; t < n; t++) if (t !== i && t !== j) rest.push(pool[t]!);
          path.push(step);
          rec(rest, depth - 1);
          path.pop();
          if (out.length >= max) return;
        }
      }
    }
  };

  for (let d = 1; d < numbers.length && out.length === 0; d++) rec([...numbers], d);
  return out;
}

/** True if `target` can be reached from `pool` (pool may hold intermediate results). */
export function isReachable(pool: readonly number[], target: number): boolean {
  return solveCountdown(pool, target, { max: 1 }).length > 0;
}

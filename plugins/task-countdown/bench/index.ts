import { createRng } from '@reasoner/core';
import { generateCountdown, noisySolution, solveCountdown, verifyCountdown } from '../src/index.js';

/** Calls per second of `fn` over ~`ms` milliseconds (shared with the task-arith bench). */
export function rate(ms: number, fn: () => void): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) { fn(); n++; }
  return Math.round((n * 1000) / (performance.now() - t0));
}

export default {
  name: 'task-countdown',
  async run(): Promise<Record<string, unknown>> {
    const rng = createRng(1);
    const out: Record<string, unknown> = {};
    for (const n of [3, 4, 5]) out[`generatePerSec_${n}`] = rate(500, () => generateCountdown(rng, { numbers: n }));
    const tasks = Array.from({ length: 2000 }, (_, i) => generateCountdown(rng, { numbers: 3 + (i % 3) }));
    let i = 0;
    out.verifyPerSec = rate(500, () => { const t = tasks[i++ % tasks.length]!; verifyCountdown(t, t.solution); });
    out.noisyPerSec = rate(500, () => noisySolution(tasks[i++ % tasks.length]!, rng));
    out.solveAllShortestPerSec_5 = rate(500, () => { const t = tasks[(i++ % 666) * 3 + 2]!; solveCountdown(t.meta.numbers, t.meta.target); });
    const noisy = tasks.map((t) => verifyCountdown(t, noisySolution(t, rng)).correct);
    out.noisyDefaultCorrectShare = noisy.filter(Boolean).length / noisy.length;
    const levels: Record<number, number> = {};
    for (const t of tasks) levels[t.meta.level] = (levels[t.meta.level] ?? 0) + 1;
    out.levelCounts = levels;
    return out;
  },
};

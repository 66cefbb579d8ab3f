import { createRng } from '@reasoner/core';
import { rate } from '@reasoner/plugin-task-countdown/bench';
import { generateArith, noisySolution, verifyArith } from '../src/index.js';

export default {
  name: 'task-arith',
  async run(): Promise<Record<string, unknown>> {
    const rng = createRng(1);
    const tasks = Array.from({ length: 2000 }, () => generateArith(rng));
    let i = 0;
    return {
      generatePerSec: rate(500, () => generateArith(rng)),
      verifyPerSec: rate(500, () => { const t = tasks[i++ % tasks.length]!; verifyArith(t, t.solution); }),
      noisyPerSec: rate(500, () => noisySolution(tasks[i++ % tasks.length]!, rng)),
      noisyDefaultCorrectShare: tasks.filter((t) => verifyArith(t, noisySolution(t, rng)).correct).length / tasks.length,
      meanSolutionChars: tasks.reduce((s, t) => s + t.solution.length, 0) / tasks.length,
    };
  },
};

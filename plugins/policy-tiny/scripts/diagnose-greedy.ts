/**
 * Why greedy decoding fails on Countdown: arithmetic or planning?
 *
 *   npm run diagnose:tiny -- [--checkpoint dir] [--limit 500] [--split test]
 *
 * Decodes each problem greedily, then again with a calculator in the loop: whenever the text
 * holds a step with a wrong result, that step is written with its true result
 * (`fixFirstSlip`) and greedy decoding goes on from there (at most `--fixes` times). If
 * arithmetic were what caps greedy accuracy, the repaired decoding would solve most of the
 * problems plain greedy fails; what it does not solve failed on the plan.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Task } from '@reasoner/core';
import { countdownSource, fixFirstSlip, verifyCountdown } from '@reasoner/plugin-task-countdown';
import { TinyTrainablePolicy } from '../src/trainable-policy.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    limit: { type: 'string', default: '500' },
    split: { type: 'string', default: 'test' },
    fixes: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '32' },
  },
});

const policy = await TinyTrainablePolicy.open(values.checkpoint!, { maxTokens: 110 });
const tasks: Task[] = [];
for await (const t of countdownSource().tasks({ split: values.split as 'test', limit: Number(values.limit) })) tasks.push(t);

type Outcome = 'greedy' | 'repaired' | 'slip-then-plan' | 'plan';
const counts: Record<Outcome, number> = { greedy: 0, repaired: 0, 'slip-then-plan': 0, plan: 0 };
let fixes = 0;

async function diagnose(task: Task): Promise<Outcome> {
  let prefix = '';
  for (let round = 0; round <= Number(values.fixes); round++) {
    const res = await policy.generate({ prompt: task.prompt + prefix, n: 1, temperature: 0 });
    const text = prefix + (res.completions[0]?.text ?? '');
    if (verifyCountdown(task, text).correct) return round === 0 ? 'greedy' : 'repaired';
    const fixed = fixFirstSlip(task, text);
    if (fixed === undefined) return round === 0 ? 'plan' : 'slip-then-plan';
    fixes++;
    prefix = fixed;
  }
  return 'slip-then-plan';
}

const t0 = Date.now();
const queue = [...tasks];
await Promise.all(Array.from({ length: Number(values.concurrency) }, async () => {
  for (let t = queue.shift(); t; t = queue.shift()) counts[await diagnose(t)]++;
}));
const n = tasks.length;
console.log(JSON.stringify({
  checkpoint: policy.id, split: values.split, n,
  greedy: counts.greedy / n,
  greedyWithArithmeticRepaired: (counts.greedy + counts.repaired) / n,
  failures: { solvedOnceArithmeticRepaired: counts.repaired, stillFailAfterRepair: counts['slip-then-plan'], planWithoutSlip: counts.plan },
  repairs: fixes, wallMs: Date.now() - t0,
}));
await policy.close();

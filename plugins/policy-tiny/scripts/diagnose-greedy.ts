/**
 * Why greedy decoding fails on Countdown: arithmetic or planning?
 *
 *   npm run diagnose:tiny -- [--checkpoint dir] [--limit 500] [--split test] [--fixes 6] [--retries 3]
 *
 * Decodes each problem greedily, then again with a calculator in the loop: whenever the text
 * holds a step with a wrong result, that step is written with its true result
 * (`fixFirstSlip`) and greedy decoding goes on from there (at most `--fixes` times). If
 * arithmetic were what caps greedy accuracy, the repaired decoding would solve most of the
 * problems plain greedy fails; what it does not solve failed on the plan. A third pass also
 * makes the policy try again: a dead end it does not back out of itself is backtracked to the
 * start (`backOut`) and decoding goes on, at most `--retries` times — how much search in
 * context the policy could do if it always noticed its dead ends.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Task } from '@reasoner/core';
import { backOut, countdownSource, fixFirstSlip, verifyCountdown } from '@reasoner/plugin-task-countdown';
import { TinyTrainablePolicy } from '../src/trainable-policy.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    limit: { type: 'string', default: '500' },
    split: { type: 'string', default: 'test' },
    fixes: { type: 'string', default: '6' },
    retries: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
  },
});

const policy = await TinyTrainablePolicy.open(values.checkpoint!, { maxTokens: 110 });
const tasks: Task[] = [];
for await (const t of countdownSource().tasks({ split: values.split as 'test', limit: Number(values.limit) })) tasks.push(t);

type Outcome = 'greedy' | 'repaired' | 'retried' | 'slip-then-plan' | 'plan';
const counts: Record<Outcome, number> = { greedy: 0, repaired: 0, retried: 0, 'slip-then-plan': 0, plan: 0 };
let fixes = 0, backOuts = 0;
const contextLength = 128;

/** Greedy decoding, with wrong results repaired and (when `retries` > 0) dead ends backed out of. */
async function diagnose(task: Task, retries: number): Promise<Outcome> {
  let prefix = '', fixed = 0, backed = 0;
  for (;;) {
    const res = await policy.generate({ prompt: task.prompt + prefix, n: 1, temperature: 0 });
    const text = prefix + (res.completions[0]?.text ?? '');
    if (verifyCountdown(task, text).correct) return backed ? 'retried' : fixed ? 'repaired' : 'greedy';
    const repaired = fixed < Number(values.fixes) ? fixFirstSlip(task, text) : undefined;
    const next = repaired ?? (backed < retries ? backOut(task, text) : undefined);
    // Give up when nothing is left to repair or retry, or the next attempt cannot fit the context.
    if (next === undefined || task.prompt.length + next.length >= contextLength - 8) return fixed ? 'slip-then-plan' : 'plan';
    if (repaired !== undefined) { fixed++; fixes++; } else { backed++; backOuts++; }
    prefix = next;
  }
}

async function pass(retries: number): Promise<void> {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: Number(values.concurrency) }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) counts[await diagnose(t, retries)]++;
  }));
}

const t0 = Date.now();
await pass(0);
const n = tasks.length;
const repairedOnly = { ...counts };
for (const k of Object.keys(counts) as Outcome[]) counts[k] = 0;
fixes = 0; // the counts below are the second pass's
await pass(Number(values.retries));
console.log(JSON.stringify({
  checkpoint: policy.id, split: values.split, n,
  greedy: repairedOnly.greedy / n,
  greedyWithArithmeticRepaired: (repairedOnly.greedy + repairedOnly.repaired) / n,
  greedyRepairedAndRetried: (counts.greedy + counts.repaired + counts.retried) / n,
  failures: { solvedOnceArithmeticRepaired: repairedOnly.repaired, stillFailAfterRepair: repairedOnly['slip-then-plan'], planWithoutSlip: repairedOnly.plan },
  repairs: fixes, backOuts, wallMs: Date.now() - t0,
}));
await policy.close();

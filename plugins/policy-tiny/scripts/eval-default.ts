/**
 * Greedy pass@1 and pass@16 of a countdown checkpoint on the countdown test split.
 *
 *   npm run eval:tiny -- [--checkpoint dir] [--limit 500] [--k 16] [--temperature 0.8] [--engine onnx|tfjs]
 *
 * T = 0.8 is the sampling temperature the README's pass@16 is quoted at (the shipped checkpoint
 * reaches 45.2 % at T = 1, 54.0 % at T = 0.8).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHooks, evaluate, verifierGrader, verifierReward } from '@reasoner/core';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import { TinyTrainablePolicy } from '../src/trainable-policy.js';
import type { BackendName } from '../src/backend.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    limit: { type: 'string', default: '500' },
    k: { type: 'string', default: '16' },
    temperature: { type: 'string', default: '0.8' },
    split: { type: 'string', default: 'test' },
    engine: { type: 'string', default: 'onnx' },
    backend: { type: 'string', default: 'wasm' },
    concurrency: { type: 'string', default: '8' },
  },
});
// The one evaluator (core's, what `reasoner eval` runs) over the policy the plugin serves.
const policy = await TinyTrainablePolicy.open(values.checkpoint!, { engine: values.engine as 'onnx' | 'tfjs', backend: values.backend as BackendName, maxTokens: 110 });
const source = countdownSource();
const bySize: Record<string, { n: number; greedy: number; passAtK: number }> = {};
const k = Number(values.k);
const report = await evaluate(
  { tasks: source, policy, reward: verifierReward(source), grader: verifierGrader(source), hooks: createHooks() },
  {
    split: values.split as 'test',
    limit: Number(values.limit),
    k,
    temperature: Number(values.temperature),
    concurrency: Number(values.concurrency),
    onProgress: (d, n) => process.stderr.write(`\r${d}/${n ?? '?'}`),
    // Breakdown by problem size (how many numbers).
    onTask: (task, r) => {
      const size = String((task.meta?.numbers as number[] | undefined)?.length ?? '?');
      const b = (bySize[size] ??= { n: 0, greedy: 0, passAtK: 0 });
      b.n++;
      if (r.greedy) b.greedy++;
      if (r.correct > 0) b.passAtK++;
    },
  },
);
process.stderr.write('\n');
console.log(JSON.stringify({ checkpoint: policy.id, split: values.split, temperature: Number(values.temperature), ...report, bySize }));
await policy.close();

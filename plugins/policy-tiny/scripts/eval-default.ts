/**
 * Greedy pass@1 and pass@16 of a countdown checkpoint on the countdown test split.
 *
 *   node --import tsx plugins/policy-tiny/scripts/eval-default.ts [--checkpoint dir] [--limit 500] [--k 16] [--temperature 0.8]
 *
 * T = 0.8 is the sampling temperature the README's pass@16 is quoted at (the shipped checkpoint
 * reaches 45.2 % at T = 1, 54.0 % at T = 0.8).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import type { Task } from '@reasoner/core';
import { useBackend, type BackendName } from '../src/backend.js';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { evaluatePassAtK } from '../src/evaluate.js';
import { TinyModel } from '../src/tiny-model.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    limit: { type: 'string', default: '500' },
    k: { type: 'string', default: '16' },
    temperature: { type: 'string', default: '0.8' },
    split: { type: 'string', default: 'test' },
    backend: { type: 'string', default: 'wasm' },
  },
});
await useBackend(values.backend as BackendName);
const ckpt = await loadCheckpoint(values.checkpoint!);
const model = TinyModel.fromCheckpoint(ckpt);
const source = countdownSource();
const tasks: Task[] = [];
for await (const t of source.tasks({ split: values.split as 'test', limit: Number(values.limit) })) tasks.push(t);
const result = await evaluatePassAtK(model, tasks, (t, text) => source.verify!(t, text), {
  k: Number(values.k),
  temperature: Number(values.temperature),
  onProgress: (d, n) => process.stderr.write(`\r${d}/${n}`),
});
process.stderr.write('\n');
// Breakdown by problem size (how many numbers).
const bySize: Record<string, { n: number; greedy: number; passAtK: number }> = {};
result.perTask.forEach((r, i) => {
  const size = String((tasks[i]!.meta?.numbers as number[] | undefined)?.length ?? '?');
  const b = (bySize[size] ??= { n: 0, greedy: 0, passAtK: 0 });
  b.n++;
  if (r.greedy) b.greedy++;
  if (r.correctSamples > 0) b.passAtK++;
});
const { perTask: _perTask, ...summary } = result;
console.log(JSON.stringify({ checkpoint: ckpt.id, steps: ckpt.meta.steps, split: values.split, ...summary, wallMs: Math.round(result.wallMs), bySize }));
model.dispose();

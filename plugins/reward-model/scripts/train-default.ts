/**
 * Trains the shipped countdown PRM: Monte-Carlo step labels from the shipped policy on train
 * problems, a head over the frozen policy's hidden states, held-out AUC.
 *   node --import tsx --conditions=source plugins/reward-model/scripts/train-default.ts [--tasks 600] [--labels /tmp/mc.jsonl] [--kind prm]
 */
import { parseArgs } from 'node:util';
import { kernelFromConfig } from '@reasoner/core';
import tiny, { DEFAULT_CHECKPOINT, TinyModel, useBackend } from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { DEFAULT_REWARD_CHECKPOINT } from '../src/checkpoint.js';
import { trainRewardModel } from '../src/pipeline.js';

const { values } = parseArgs({ options: {
  tasks: { type: 'string', default: '600' }, samples: { type: 'string', default: '8' }, rollouts: { type: 'string', default: '4' },
  labels: { type: 'string' }, kind: { type: 'string', default: 'prm' }, out: { type: 'string', default: DEFAULT_REWARD_CHECKPOINT }, epochs: { type: 'string', default: '40' },
} });
const kernel = await kernelFromConfig({ policy: tiny(), tasks: countdown(), run: { seed: 1 } });
await useBackend('wasm');
const base = TinyModel.fromCheckpoint(await loadCheckpoint(DEFAULT_CHECKPOINT));
const r = await trainRewardModel({
  policy: kernel.require('policy'), tasks: kernel.require('task'), baseDir: DEFAULT_CHECKPOINT, base, baseRef: 'default', out: values.out!,
  kind: values.kind as 'prm', tasksCount: Number(values.tasks), samples: Number(values.samples), rollouts: Number(values.rollouts), temperature: 0.8,
  labelsFile: values.labels, epochs: Number(values.epochs), log: (m) => console.error(m),
});
console.log(JSON.stringify(r, null, 2));
await kernel.close();

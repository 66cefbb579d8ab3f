import { readFile, writeFile } from 'node:fs/promises';
import { lineSteps, verifierGrader, type Policy, type TaskSource, type TaskSplit } from '@reasoner/core';
import type { TinyModel } from '@reasoner/plugin-policy-tiny';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { PRM_FORMAT, PRM_FORMAT_VERSION, saveRewardCheckpoint, type RewardCheckpoint, type RewardModelKind } from './checkpoint.js';
import { monteCarloLabels, type StepExample } from './label.js';
import { trainRewardHead } from './train.js';

export interface TrainRewardModelOptions {
  policy: Policy;
  tasks: TaskSource;
  /** The policy-tiny checkpoint the policy runs (features come from it). */
  baseDir: string;
  base: TinyModel;
  /** How to record the base in the checkpoint: "default" or an absolute path. */
  baseRef: string;
  lr?: number;
  out: string;
  kind: RewardModelKind;
  split?: TaskSplit;
  tasksCount: number;
  samples: number;
  rollouts: number;
  temperature: number;
  /** Reuse / write Monte-Carlo labels here (JSONL). */
  labelsFile?: string;
  seed?: number;
  epochs?: number;
  log?: (msg: string) => void;
  signal?: AbortSignal;
}

/** Labels (or reuses labels) → trains the head → writes `reward-model.json`. */
export async function trainRewardModel(o: TrainRewardModelOptions): Promise<{ dir: string; metrics: Record<string, number>; examples: number; labelMs: number; trainMs: number }> {
  const log = o.log ?? (() => {});
  let examples: StepExample[] | undefined;
  if (o.labelsFile) {
    try {
      examples = (await readFile(o.labelsFile, 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepExample);
      log(`reusing ${examples.length} labelled solutions from ${o.labelsFile}`);
    } catch { /* not there yet */ }
  }
  const t0 = Date.now();
  if (!examples) {
    if (!o.tasks.verify) throw new Error('the task source has no checker to grade rollouts');
    const list = [];
    for await (const t of o.tasks.tasks({ split: o.split ?? 'train', limit: o.tasksCount, signal: o.signal })) list.push(t);
    examples = await monteCarloLabels(list, {
      policy: o.policy, grader: verifierGrader(o.tasks), steps: o.tasks.stepFormat ?? lineSteps,
      samples: o.samples, rollouts: o.rollouts, temperature: o.temperature, signal: o.signal,
      onTask: (n) => { if (n % 50 === 0) log(`labelled ${n}/${list.length} tasks`); },
    });
    examples.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.steps.join('\n') < b.steps.join('\n') ? -1 : 1));
    if (o.labelsFile) await writeFile(o.labelsFile, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  const labelMs = Date.now() - t0;
  const t1 = Date.now();
  const delimiter = (o.tasks.stepFormat ?? lineSteps).delimiter;
  const { head, metrics } = await trainRewardHead(o.base, examples, { kind: o.kind, delimiter, seed: o.seed, epochs: o.epochs, lr: o.lr });
  const trainMs = Date.now() - t1;
  const baseId = (await loadCheckpoint(o.baseDir)).id;
  const ckpt: RewardCheckpoint = {
    format: PRM_FORMAT, version: PRM_FORMAT_VERSION, kind: o.kind, base: o.baseRef, baseId, delimiter, head, metrics,
    recipe: { tasks: o.tasksCount, samples: o.samples, rollouts: o.rollouts, temperature: o.temperature, split: o.split ?? 'train', seed: o.seed ?? 1, epochs: o.epochs, solutions: examples.length },
  };
  const dir = await saveRewardCheckpoint(o.out, ckpt);
  return { dir, metrics, examples: examples.length, labelMs, trainMs };
}

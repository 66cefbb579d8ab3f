import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReasonerError } from '@reasoner/core';
import type { HeadWeights } from './head.js';

export const PRM_FORMAT = 'reasoner-reward-model';
export const PRM_FORMAT_VERSION = 1;

/** The shipped process reward model for the shipped countdown policy. */
export const DEFAULT_REWARD_CHECKPOINT = join(dirname(fileURLToPath(import.meta.url)), '..', 'checkpoints', 'countdown-prm');

export type RewardModelKind = 'prm' | 'orm' | 'bt';

/** `reward-model.json`: a head over the hidden states of a frozen policy-tiny checkpoint. */
export interface RewardCheckpoint {
  format: typeof PRM_FORMAT;
  version: number;
  kind: RewardModelKind;
  /** The policy checkpoint whose features the head reads: `"default"` (shipped) or a path relative to this folder. */
  base: string;
  /** Id of that checkpoint's weights; loading refuses another. */
  baseId: string;
  delimiter: string;
  head: HeadWeights;
  /** How it was trained and what it measured (AUC etc.). */
  metrics: Record<string, number>;
  recipe: Record<string, unknown>;
}

export async function saveRewardCheckpoint(dir: string, ckpt: RewardCheckpoint): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'reward-model.json');
  await writeFile(file + '.tmp', JSON.stringify(ckpt));
  await rename(file + '.tmp', file); // never a half-written checkpoint
  return dir;
}

export async function loadRewardCheckpoint(dir: string): Promise<RewardCheckpoint> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'reward-model.json'), 'utf8');
  } catch (e) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `no reward model in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'train one with `reasoner train-reward`, or leave `checkpoint` unset for the shipped countdown PRM',
    });
  }
  let c: RewardCheckpoint;
  try {
    c = JSON.parse(raw) as RewardCheckpoint;
  } catch {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `${join(dir, 'reward-model.json')} is not valid JSON`, { hint: 'retrain it with `reasoner train-reward`' });
  }
  if (c.format !== PRM_FORMAT || c.version !== PRM_FORMAT_VERSION || !c.head || !Array.isArray(c.head.w1)) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `${dir} is not a ${PRM_FORMAT} v${PRM_FORMAT_VERSION} checkpoint`, { hint: 'retrain it with `reasoner train-reward`' });
  }
  const h = c.head;
  if (h.w1.length !== h.inputDim * h.hidden || h.w2.length !== h.hidden || h.mean.length !== h.inputDim) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `reward model in ${dir} has inconsistent head shapes`, { hint: 'retrain it with `reasoner train-reward`' });
  }
  return c;
}

/** Where the base policy checkpoint of a reward checkpoint lives. */
export function baseCheckpointDir(rewardDir: string, base: string, defaultPolicy: string): string {
  if (base === 'default') return defaultPolicy;
  return isAbsolute(base) ? base : resolve(rewardDir, base);
}

import type { Task } from './task.js';

export interface RewardResult {
  /** Scalar reward; outcome rewards use 1 / 0 (or a fraction for partial credit). */
  value: number;
  correct?: boolean;
  /** Final answer the reward extracted from the solution (used for majority votes). */
  answer?: string;
  /** Per-step scores (process rewards). */
  steps?: number[];
  detail?: Record<string, unknown>;
}

export type RewardKind = 'outcome' | 'process' | 'preference';

export interface Reward {
  readonly kind: RewardKind;
  score(task: Task, solution: string, signal?: AbortSignal): Promise<RewardResult>;
  close?(): Promise<void> | void;
}

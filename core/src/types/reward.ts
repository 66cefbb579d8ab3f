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
  /**
   * True when the reward reads what the solver must not see (the gold answer, hidden tests).
   * Guiding a search with such a reward is an oracle (it measures pass@k, not accuracy), so a run
   * refuses it unless `run.oracle: true`. When absent: true for kind `outcome`, false otherwise
   * (see `rewardNeedsGold`). Countdown's checker and a learned reward model read only the prompt.
   */
  readonly needsGold?: boolean;
  score(task: Task, solution: string, signal?: AbortSignal): Promise<RewardResult>;
  /**
   * Process reward: one score in [0, 1] per step prefix — element i scores steps[0..i]. Tree and
   * beam searches call it on partial solutions.
   */
  scoreSteps?(task: Task, steps: string[], signal?: AbortSignal): Promise<number[]>;
  close?(): Promise<void> | void;
}

/** A grader's verdict on a solution: what a record's `correct` and eval accuracy come from. */
export interface GradeResult {
  correct: boolean;
  /** The final answer the grader extracted. */
  answer?: string;
  detail?: Record<string, unknown>;
}

/**
 * Decides whether a solution is right — the task's own checker, or an outcome reward against the
 * gold answer. Kept apart from the reward that guides a search: a learned PRM has no notion of
 * correct, and a search never sees the grader.
 */
export interface Grader {
  readonly name: string;
  grade(task: Task, solution: string, signal?: AbortSignal): Promise<GradeResult>;
}

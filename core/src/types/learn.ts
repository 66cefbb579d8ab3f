import type { Policy } from './policy.js';

/** The uniform dataset record (roadmap phase 0) and what learners consume. */
export interface DatasetRecord {
  id?: string;
  prompt: string;
  solution: string;
  reward: number;
  answer?: string;
  meta?: Record<string, unknown>;
}

export interface LearnReport {
  /** Path of the new checkpoint, if one was written. */
  checkpoint?: string;
  steps: number;
  metrics: Record<string, number>;
}

export interface Learner {
  readonly name: string;
  learn(records: DatasetRecord[], policy: Policy, signal?: AbortSignal): Promise<LearnReport>;
}

import type { Usage } from './policy.js';
import type { RewardResult } from './reward.js';

/** One line of runs/<id>/trajectories.jsonl (schema: schemas/trajectory.schema.json). */
export interface TrajectoryRecord {
  taskId: string;
  prompt: string;
  steps: string[];
  solution: string;
  answer: string | null;
  gold: string | null;
  reward: RewardResult | null;
  correct: boolean;
  search: { name: string; stats: Record<string, number>; candidates: number };
  usage: Usage;
  policyId: string;
  /** Wall time for the task, ms. */
  ms: number;
  /** ISO time the record was written. */
  time: string;
  /** Set when the task failed; the run goes on. */
  error?: { code: string; message: string };
}

export interface RunSummary {
  runId: string;
  tasks: number;
  correct: number;
  errors: number;
  accuracy: number;
  meanReward: number;
  usage: Usage;
  /** Mean per task of each numeric search stat (e.g. samples, correctSamples). */
  searchStats: Record<string, number>;
  wallMs: number;
  stoppedBy?: 'budget' | 'abort' | null;
  startedAt: string;
  finishedAt: string;
}

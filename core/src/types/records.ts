import type { Usage } from './policy.js';
import type { RewardResult } from './reward.js';
import type { SearchNode } from './search.js';

/** A candidate as a record keeps it: enough for DPO pairs, STaR sets and PRM labels. */
export interface CandidateRecord {
  text: string;
  answer: string | null;
  /** The guiding reward's value (null when the search did not score it). */
  reward: number | null;
  /** The grader's verdict. */
  correct: boolean;
  tokens: number;
  /** Present (true) when generation hit the token limit: the text has no end of its own. */
  truncated?: true;
}

/** A search tree as a record keeps it: the best path and the most visited nodes, capped. */
export interface TreeRecord {
  /** Nodes in the whole tree. */
  nodes: number;
  maxDepth: number;
  /** The nodes kept (ids and parents as in the search; children lists filtered to kept nodes). */
  kept: SearchNode[];
}

/** One line of runs/<id>/trajectories.jsonl (schema: schemas/trajectory.schema.json). */
export interface TrajectoryRecord {
  taskId: string;
  prompt: string;
  steps: string[];
  solution: string;
  answer: string | null;
  gold: string | null;
  /** The guiding reward of the best candidate. */
  reward: RewardResult | null;
  /** The grader's verdict on `solution` (never the guiding reward's). */
  correct: boolean;
  /** Set when the search was guided by a reward that reads the gold answer (`run.oracle`). */
  oracle?: boolean;
  search: { name: string; stats: Record<string, number>; candidates: number };
  /** Every candidate the search produced, graded (capped by `run.keep.candidates`). */
  candidates?: CandidateRecord[];
  /** The search tree (tree searches; capped by `run.keep.treeNodes`). */
  tree?: TreeRecord;
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
  /** The search was guided by an oracle reward: accuracy is pass@k-like, not a fair score. */
  oracle?: boolean;
  /** Name of the grader that decided `correct`. */
  grader?: string;
  startedAt: string;
  finishedAt: string;
}

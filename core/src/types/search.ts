import type { Hooks } from './hooks.js';
import type { Rng } from './services.js';
import type { BudgetView } from './budget.js';
import type { Policy, Usage } from './policy.js';
import type { Reward, RewardResult } from './reward.js';
import type { StepFormat, Task } from './task.js';

/** One candidate solution found by a search. */
export interface Candidate {
  /** Full solution text (steps joined by newlines, final answer line included). */
  text: string;
  steps: string[];
  /** Extracted final answer, if the reward or task extracted one. */
  answer?: string;
  reward?: RewardResult;
  tokens: number;
  logprobs?: number[];
  /** The policy stopped at its token limit, not by ending the text (learners must not add an end token). */
  truncated?: boolean;
}

/** A node of a search tree (tree searches fill `SearchResult.tree` with these). */
export interface SearchNode {
  id: number;
  parent: number | null;
  /** Steps from the root to this node. */
  steps: string[];
  visits: number;
  /** Mean backed-up value. */
  value: number;
  prior?: number;
  /** The node's own score (process reward of its steps, or outcome reward when terminal). */
  reward?: number;
  terminal: boolean;
  children: number[];
}

export interface SearchResult {
  best: Candidate;
  candidates: Candidate[];
  tree?: SearchNode[];
  /** Search-specific counters (samples drawn, nodes expanded, votes…), recorded per task. */
  stats: Record<string, number>;
  usage: Usage;
}

/**
 * What a search gets for one task. `policy` and `reward` are instrumented: hooks and budget
 * apply, and the policy shrinks each request to the budget that is left. The grader is not here:
 * a search never sees whether a candidate is right, only what its reward says.
 */
export interface SearchEnv {
  readonly task: Task;
  readonly policy: Policy;
  readonly reward: Reward;
  readonly budget: BudgetView;
  readonly hooks: Hooks;
  readonly rng: Rng;
  readonly signal: AbortSignal;
  /** How this task's text splits into steps (from the task source; default one per line). */
  readonly steps: StepFormat;
}

export interface Search {
  readonly name: string;
  /**
   * Whether the search chooses by the reward (default true). A search that only votes or takes
   * the first sample declares false: then a gold-reading reward does not make the run an oracle.
   */
  readonly usesReward?: boolean;
  search(env: SearchEnv): Promise<SearchResult>;
}

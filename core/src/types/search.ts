import type { Hooks } from '../kernel/hooks.js';
import type { Rng } from '../util/rng.js';
import type { Budget } from '../pipeline/budget.js';
import type { Policy, Usage } from './policy.js';
import type { Reward, RewardResult } from './reward.js';
import type { Task } from './task.js';

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
}

/** A node of a search tree (tree searches fill `SearchResult.tree` with these). */
export interface SearchNode {
  id: number;
  parent: number | null;
  /** Steps from the root to this node. */
  steps: string[];
  visits: number;
  value: number;
  prior?: number;
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

/** What a search gets for one task. `policy` and `reward` are instrumented: hooks and budget apply. */
export interface SearchEnv {
  readonly task: Task;
  readonly policy: Policy;
  readonly reward: Reward;
  readonly budget: Budget;
  readonly hooks: Hooks;
  readonly rng: Rng;
  readonly signal: AbortSignal;
}

export interface Search {
  readonly name: string;
  search(env: SearchEnv): Promise<SearchResult>;
}

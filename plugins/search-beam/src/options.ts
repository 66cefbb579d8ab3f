/** Options of search-beam, their JSON Schema and defaults. */

/**
 * - `beam`: keep the `width` best of all children each depth; when every beam dies, restart from the root.
 * - `bfs` (Tree of Thoughts BFS): like beam, and when fewer than `width` children survive, backtrack to
 *   the best unexpanded live nodes of earlier depths.
 * - `dfs` (Tree of Thoughts DFS): expand the deepest best node first; a dead end backtracks to its
 *   next sibling (`width` nodes of the stack are expanded per batched call).
 * - `dvts` (diverse verifier tree search): `width` independent subtrees, each keeping its own best
 *   child; a subtree that dies backtracks within itself, else restarts from the root.
 */
export type Strategy = 'beam' | 'bfs' | 'dfs' | 'dvts';
/** What ranks partial solutions: the reward's `scoreSteps` (process reward), the policy's logprobs, or `auto` (the first available). */
export type ScoreBy = 'auto' | 'reward' | 'logprob';
/** How per-step process scores combine into a path score. */
export type Aggregate = 'last' | 'min' | 'prod' | 'mean';

export interface BeamOptions {
  strategy: Strategy;
  /** Beams kept per depth (dvts: subtrees; dfs: stack nodes expanded per call). */
  width: number;
  /** Next steps sampled for every expanded node. */
  expansions: number;
  /** Most steps in a solution. */
  maxDepth: number;
  /** Greedy steps rolled out past each child before scoring it (0 = score the child itself). */
  lookahead: number;
  score: ScoreBy;
  aggregate: Aggregate;
  /** A node whose score is ≤ this is a dead end and is pruned (the step checker gives 0 to dead ends). */
  threshold: number;
  temperature: number;
  topP: number;
  /** Most tokens of one step (a longer step is cut). Budget planning reserves this much per row. */
  stepTokens: number;
  /** Merge identical sibling steps (and identical paths across beams). */
  dedupe: boolean;
  /** Stop as soon as an outcome reward says a path is correct (fair when the reward needs no gold answer). */
  stopOnCorrect: boolean;
  /** Most tree nodes kept; the search returns its best so far beyond that. */
  maxNodes: number;
  /** A reward call that takes longer fails the task with RSN_ERR_REWARD. */
  rewardTimeoutMs: number;
}

export const beamDefaults: BeamOptions = {
  strategy: 'bfs',
  // Narrow and adaptive spends a token budget best when every row re-reads its prefix (chosen on
  // the Countdown validation split: 2×2 beats 4×4 at 320 and 630 tokens per task).
  width: 2,
  expansions: 2,
  maxDepth: 12,
  lookahead: 0,
  score: 'auto',
  aggregate: 'last',
  threshold: 0,
  temperature: 0.6,
  topP: 1,
  stepTokens: 16,
  dedupe: true,
  stopOnCorrect: true,
  maxNodes: 10_000,
  rewardTimeoutMs: 30_000,
};

const d = beamDefaults;
export const beamOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    strategy: { enum: ['beam', 'bfs', 'dfs', 'dvts'], default: d.strategy },
    width: { type: 'integer', minimum: 1, maximum: 1024, default: d.width },
    expansions: { type: 'integer', minimum: 1, maximum: 256, default: d.expansions },
    maxDepth: { type: 'integer', minimum: 1, maximum: 10_000, default: d.maxDepth },
    lookahead: { type: 'integer', minimum: 0, maximum: 64, default: d.lookahead },
    score: { enum: ['auto', 'reward', 'logprob'], default: d.score },
    aggregate: { enum: ['last', 'min', 'prod', 'mean'], default: d.aggregate },
    threshold: { type: 'number', default: d.threshold },
    temperature: { type: 'number', minimum: 0, maximum: 10, default: d.temperature },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: d.topP },
    stepTokens: { type: 'integer', minimum: 1, default: d.stepTokens },
    dedupe: { type: 'boolean', default: d.dedupe },
    stopOnCorrect: { type: 'boolean', default: d.stopOnCorrect },
    maxNodes: { type: 'integer', minimum: 2, default: d.maxNodes },
    rewardTimeoutMs: { type: 'integer', minimum: 1, default: d.rewardTimeoutMs },
  },
} as const;

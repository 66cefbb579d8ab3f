/**
 * The hook set as a type. Implemented with tapable in core/src/kernel/hooks.ts; documented in
 * the README's hook table. Waterfall hooks pass their first argument through each tap (return a
 * replacement or undefined); series hooks only notify.
 */
import type { AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable';
import type { GenerateRequest, GenerateResult } from './policy.js';
import type { RunSummary, TrajectoryRecord } from './records.js';
import type { RewardResult } from './reward.js';
import type { SearchNode, SearchResult } from './search.js';
import type { Task } from './task.js';

export interface RunInfo {
  runId: string;
  dir: string;
  resumed: boolean;
  /** Tasks already done (resume). */
  done: number;
}

export interface LearnStepInfo {
  step: number;
  loss: number;
  lr?: number;
  metrics?: Record<string, number>;
}

export interface LearnEpochInfo {
  epoch: number;
  metrics: Record<string, number>;
}

export interface EvalResultInfo {
  task: string;
  split?: string;
  n: number;
  metrics: Record<string, number>;
}

export interface Hooks {
  /** Run begins (after setup, before the first task). */
  runStart: AsyncSeriesHook<[RunInfo]>;
  /** Run finished (also after an abort); the summary is final. */
  runEnd: AsyncSeriesHook<[RunInfo, RunSummary]>;
  /** A task is about to be searched; return a modified task (e.g. rewrite the prompt). */
  taskStart: AsyncSeriesWaterfallHook<[Task]>;
  /** A task is done and its record is durable. */
  taskEnd: AsyncSeriesHook<[TrajectoryRecord]>;
  /** Before every policy call; return a modified request (e.g. add a stop sequence). */
  beforeGenerate: AsyncSeriesWaterfallHook<[GenerateRequest, Task]>;
  /** After every policy call; return modified completions (e.g. strip chat debris). */
  afterGenerate: AsyncSeriesWaterfallHook<[GenerateResult, GenerateRequest, Task]>;
  /** Before every reward call; return the solution text to score. */
  beforeReward: AsyncSeriesWaterfallHook<[string, Task]>;
  /** After every reward call; return a modified result (e.g. add a length penalty). */
  afterReward: AsyncSeriesWaterfallHook<[RewardResult, string, Task]>;
  /** Before the search plugin runs on a task; return a modified task. */
  beforeSearch: AsyncSeriesWaterfallHook<[Task]>;
  /** After the search; return a modified result (e.g. re-rank candidates). */
  afterSearch: AsyncSeriesWaterfallHook<[SearchResult, Task]>;
  /** Tree search expanded a node; return the (possibly filtered) children. */
  searchExpand: AsyncSeriesWaterfallHook<[SearchNode[], SearchNode, Task]>;
  /** Tree search selected a node to expand; return another node to override. */
  searchSelect: AsyncSeriesWaterfallHook<[SearchNode, Task]>;
  /** Tree search evaluated a node; return a modified value. */
  searchEvaluate: AsyncSeriesWaterfallHook<[number, SearchNode, Task]>;
  /** Tree search backed a value up from a node. */
  searchBackup: AsyncSeriesHook<[SearchNode, number, Task]>;
  /** A trajectory record is about to be written; return a modified record. */
  trajectory: AsyncSeriesWaterfallHook<[TrajectoryRecord]>;
  /** A learner finished an optimisation step. */
  learnStep: AsyncSeriesHook<[LearnStepInfo]>;
  /** A learner finished an epoch (or evaluation interval). */
  learnEpoch: AsyncSeriesHook<[LearnEpochInfo]>;
  /** An evaluation produced its metrics. */
  evalResult: AsyncSeriesHook<[EvalResultInfo]>;
}

export type HookName = keyof Hooks;

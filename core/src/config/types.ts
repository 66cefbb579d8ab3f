import type { BudgetLimits } from '../pipeline/budget.js';
import type { HookName, Hooks } from '../kernel/hooks.js';
import type { PluginSpec } from '../types/plugin.js';

type HookArgs<H extends HookName> = Parameters<Hooks[H]['promise']>;
/** A config hook: waterfall hooks may return a replacement for their first argument (or nothing to keep it). */
type HookFn<H extends HookName> = (...args: HookArgs<H>) => Promise<HookArgs<H>[0] | void | undefined> | HookArgs<H>[0] | void;

export type ConfigHooks = { [H in HookName]?: HookFn<H> | Array<HookFn<H>> };

export interface RunOptions {
  /** Directory for runs (relative to the config file). */
  out?: string;
  /** Tasks searched at once. */
  concurrency?: number;
  seed?: number;
  /** Stop after this many tasks. */
  limit?: number;
  /** Task split to run. */
  split?: 'train' | 'validation' | 'test';
  budget?: { perTask?: BudgetLimits; perRun?: BudgetLimits };
  /** Allow a search guided by a reward that reads the gold answer (measures pass@k). */
  oracle?: boolean;
  /** What records keep of each search. */
  keep?: { candidates?: number; treeNodes?: number; grade?: boolean };
}

export interface ReasonerConfig {
  policy?: PluginSpec;
  reward?: PluginSpec;
  /** A reward plugin that decides `correct` (default: the task's checker, else `reward` if it reads gold). */
  grader?: PluginSpec;
  search?: PluginSpec;
  tasks?: PluginSpec;
  learn?: PluginSpec;
  /** Extra plugins (extensions, or more services tapping hooks). */
  plugins?: PluginSpec[];
  hooks?: ConfigHooks;
  run?: RunOptions;
  log?: { level?: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

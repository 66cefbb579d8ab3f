import type { BudgetLimits } from '../pipeline/budget.js';
import type { HookName, Hooks } from '../kernel/hooks.js';
import type { PluginSpec } from '../types/plugin.js';

type HookFn<H extends HookName> = Hooks[H] extends { tapPromise(name: string, fn: infer F): void } ? F : never;

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
}

export interface ReasonerConfig {
  policy?: PluginSpec;
  reward?: PluginSpec;
  search?: PluginSpec;
  tasks?: PluginSpec;
  learn?: PluginSpec;
  /** Extra plugins (extensions, or more services tapping hooks). */
  plugins?: PluginSpec[];
  hooks?: ConfigHooks;
  run?: RunOptions;
  log?: { level?: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

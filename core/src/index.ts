import 'reflect-metadata';

export * from './errors.js';
export * from './types/index.js';
export { definePlugin, defineConfig } from './kernel/define.js';
export { createHooks, HOOK_NAMES } from './kernel/hooks.js';
export type { Hooks, HookName, RunInfo, LearnStepInfo, LearnEpochInfo, EvalResultInfo } from './kernel/hooks.js';
export { Budget } from './pipeline/budget.js';
export type { BudgetLimits } from './pipeline/budget.js';
export { createRng, hashString } from './util/rng.js';
export type { Rng } from './util/rng.js';
export { createLogger } from './util/logger.js';
export type { Logger, LogLevel } from './util/logger.js';
export { sampleToken, logSoftmaxAt, findStop } from './policy/sampling.js';
export type { SamplingOptions, Sampled } from './policy/sampling.js';
export type { ReasonerConfig, RunOptions, ConfigHooks } from './config/types.js';
export { readJsonl, loadJsonl } from './util/jsonl.js';
export type { JsonlLine } from './util/jsonl.js';

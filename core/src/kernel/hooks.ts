/**
 * Every pipeline hook, in one place. All are tapable promise hooks:
 * - `AsyncSeriesWaterfallHook`: each tap receives the first argument and may return a replacement
 *   (return `undefined` to keep it), the rest are context;
 * - `AsyncSeriesHook`: notification only; the return value is ignored.
 * Tap with `hooks.afterReward.tapPromise('my-plugin', async (result, solution, task) => result)`.
 * Taps run in registration order: plugins in setup order (task, policy, reward, search, learn,
 * extensions; config order within a kind), then the config's own `hooks`.
 */
import tapable from 'tapable';
import type { AsyncSeriesHook as SeriesHook, AsyncSeriesWaterfallHook as WaterfallHook } from 'tapable';
import type { EvalResultInfo, Hooks, HookName, LearnEpochInfo, LearnStepInfo, RunInfo } from '../types/hooks.js';
import type { GenerateRequest, GenerateResult } from '../types/policy.js';
import type { RewardResult } from '../types/reward.js';
import type { SearchNode, SearchResult } from '../types/search.js';
import type { Task } from '../types/task.js';
import type { RunSummary, TrajectoryRecord } from '../types/records.js';
import { ReasonerError, isReasonerError } from '../errors.js';

const { AsyncSeriesHook, AsyncSeriesWaterfallHook } = tapable;

export type { EvalResultInfo, Hooks, HookName, LearnEpochInfo, LearnStepInfo, RunInfo };

function declareHooks(): Hooks {
  return {
    /** Run begins (after setup, before the first task). */
    runStart: new AsyncSeriesHook<[RunInfo]>(['run']),
    /** Run finished (also after an abort); the summary is final. */
    runEnd: new AsyncSeriesHook<[RunInfo, RunSummary]>(['run', 'summary']),
    /** A task is about to be searched; return a modified task (e.g. rewrite the prompt). */
    taskStart: new AsyncSeriesWaterfallHook<[Task]>(['task']),
    /** A task is done and its record is durable. */
    taskEnd: new AsyncSeriesHook<[TrajectoryRecord]>(['record']),
    /** Before every policy call; return a modified request (e.g. add a stop sequence). */
    beforeGenerate: new AsyncSeriesWaterfallHook<[GenerateRequest, Task]>(['request', 'task']),
    /** After every policy call; return modified completions (e.g. strip chat debris). */
    afterGenerate: new AsyncSeriesWaterfallHook<[GenerateResult, GenerateRequest, Task]>(['result', 'request', 'task']),
    /** Before every reward call; return the solution text to score. */
    beforeReward: new AsyncSeriesWaterfallHook<[string, Task]>(['solution', 'task']),
    /** After every reward call; return a modified result (e.g. add a length penalty). */
    afterReward: new AsyncSeriesWaterfallHook<[RewardResult, string, Task]>(['result', 'solution', 'task']),
    /** Before the search plugin runs on a task; return a modified task. */
    beforeSearch: new AsyncSeriesWaterfallHook<[Task]>(['task']),
    /** After the search; return a modified result (e.g. re-rank candidates). */
    afterSearch: new AsyncSeriesWaterfallHook<[SearchResult, Task]>(['result', 'task']),
    /** Tree search expanded a node; return the (possibly filtered) children. */
    searchExpand: new AsyncSeriesWaterfallHook<[SearchNode[], SearchNode, Task]>(['children', 'node', 'task']),
    /** Tree search selected a node to expand; return another node to override. */
    searchSelect: new AsyncSeriesWaterfallHook<[SearchNode, Task]>(['node', 'task']),
    /** Tree search evaluated a node; return a modified value. */
    searchEvaluate: new AsyncSeriesWaterfallHook<[number, SearchNode, Task]>(['value', 'node', 'task']),
    /** Tree search backed a value up from a node. */
    searchBackup: new AsyncSeriesHook<[SearchNode, number, Task]>(['node', 'value', 'task']),
    /** A trajectory record is about to be written; return a modified record. */
    trajectory: new AsyncSeriesWaterfallHook<[TrajectoryRecord]>(['record']),
    /** A learner finished an optimisation step. */
    learnStep: new AsyncSeriesHook<[LearnStepInfo]>(['step']),
    /** A learner finished an epoch (or evaluation interval). */
    learnEpoch: new AsyncSeriesHook<[LearnEpochInfo]>(['epoch']),
    /** An evaluation produced its metrics. */
    evalResult: new AsyncSeriesHook<[EvalResultInfo]>(['result']),
  };
}

export type { SeriesHook, WaterfallHook };

const FROZEN = Symbol('reasoner.hooks.frozen');

/**
 * A fresh hook set. Every tap is wrapped so that a throwing tap surfaces as RSN_ERR_HOOK naming
 * the tap (plugin) and the hook; tapping after `freezeHooks` is refused.
 */
export function createHooks(): Hooks {
  const hooks = declareHooks();
  for (const [hookName, hook] of Object.entries(hooks) as [HookName, Hooks[HookName]][]) {
    hook.intercept({
      register(tap) {
        if ((hooks as unknown as Record<symbol, boolean>)[FROZEN]) {
          throw new ReasonerError('RSN_ERR_HOOK', `cannot tap "${hookName}" after setup: hooks are frozen once the run starts`, {
            hook: hookName, plugin: tap.name, hint: 'tap hooks inside your plugin\'s setup() or in the config\'s `hooks`',
          });
        }
        if (tap.type !== 'promise') {
          throw new ReasonerError('RSN_ERR_HOOK', `hook "${hookName}" only accepts tapPromise (got ${tap.type})`, {
            hook: hookName, plugin: tap.name, hint: `use hooks.${hookName}.tapPromise(name, async (...) => …)`,
          });
        }
        const fn = tap.fn as (...args: unknown[]) => unknown;
        const wrap = (e: unknown): never => {
          if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
          throw new ReasonerError('RSN_ERR_HOOK', `hook "${hookName}" tapped by "${tap.name}" threw: ${(e as Error)?.message ?? e}`, {
            hook: hookName, plugin: tap.name, hint: `fix the "${hookName}" tap in ${tap.name}`,
          }, { cause: e });
        };
        // Not an async function: one promise per call instead of two on this hot path.
        tap.fn = (...args: unknown[]) => {
          try {
            return Promise.resolve(fn(...args)).catch(wrap);
          } catch (e) {
            return Promise.reject(e).catch(wrap);
          }
        };
        return tap;
      },
    });
  }
  return hooks;
}

/** Refuses further taps (called once setup is over). */
export function freezeHooks(hooks: Hooks): void {
  (hooks as unknown as Record<symbol, boolean>)[FROZEN] = true;
}

export const HOOK_NAMES = Object.keys(declareHooks()) as HookName[];

/**
 * The rollout helper of learning: search given tasks with the current policy through the kernel
 * (hooks, budget, grader, candidate keeping as in `reasoner run`) and return the records in
 * memory. Learners call it through `LearnEnv.rollout`; `iterate` uses it for each round's search.
 */
import { isReasonerError } from '../errors.js';
import type { Hooks } from '../kernel/hooks.js';
import { instrumentPolicy, instrumentReward } from '../kernel/instrument.js';
import type { RolloutOptions } from '../types/learn.js';
import type { Policy } from '../types/policy.js';
import type { TrajectoryRecord } from '../types/records.js';
import type { Grader, Reward } from '../types/reward.js';
import type { Search, SearchResult } from '../types/search.js';
import type { StepFormat, Task } from '../types/task.js';
import type { Rng } from '../types/services.js';
import { Budget, type BudgetLimits } from './budget.js';
import { keepCandidates, memoGrader, taskRecord } from './keep.js';
import { forEachConcurrent } from './limit.js';

export interface RolloutServices {
  policy: Policy;
  reward: Reward;
  grader: Grader | null;
  search: Search;
  hooks: Hooks;
  /** The run's budget: every rollout task spends from it. */
  budget: Budget;
  perTask?: BudgetLimits;
  rng: Rng;
  signal: AbortSignal;
  steps: StepFormat;
  concurrency: number;
  keepCandidates: number;
  oracle?: boolean;
}

export interface RolloutProgress {
  onRecord?(record: TrajectoryRecord, done: number, total: number): void;
}

/**
 * Searches every task (bounded concurrency) and returns one record per task in the order given.
 * A task whose search fails is recorded with `error` (as `run` does); an abort returns what is
 * done; a broken hook (RSN_ERR_HOOK) stops everything.
 */
export async function rollout(s: RolloutServices, tasks: readonly Task[], opts: RolloutOptions & RolloutProgress = {}): Promise<TrajectoryRecord[]> {
  const search = opts.search ?? s.search;
  const policy = opts.policy ?? s.policy;
  const signal = opts.signal ? AbortSignal.any([s.signal, opts.signal]) : s.signal;
  const cap = opts.keepCandidates ?? s.keepCandidates;
  const out: Array<TrajectoryRecord | undefined> = new Array(tasks.length);
  let done = 0;
  const indexed = tasks.map((task, i) => ({ task, i }));
  await forEachConcurrent((async function* () { yield* indexed; })(), opts.concurrency ?? s.concurrency, async ({ task: original, i }) => {
    const start = Date.now();
    const budget = s.budget.child(s.perTask ?? {});
    let task = original;
    let result: SearchResult | null = null;
    let error: TrajectoryRecord['error'];
    try {
      task = await s.hooks.taskStart.promise(original);
      task = await s.hooks.beforeSearch.promise(task);
      const ictx = { hooks: s.hooks, task, budget, rng: s.rng.fork(task.id), signal };
      result = await search.search({ task, budget, hooks: s.hooks, rng: ictx.rng, signal, steps: s.steps, policy: instrumentPolicy(policy, ictx), reward: instrumentReward(s.reward, ictx) });
      result = await s.hooks.afterSearch.promise(result, task);
    } catch (e) {
      if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
      if (signal.aborted) return;
      error = isReasonerError(e) ? { code: e.code, message: e.message } : { code: 'RSN_ERR_TASK', message: String((e as Error)?.message ?? e) };
    }
    const best = result?.best;
    let graded: { correct: boolean; answer?: string } | null = null;
    let candidates: TrajectoryRecord['candidates'];
    if (best && !error) {
      const grade = s.grader ? memoGrader(s.grader, task, signal) : null;
      try {
        graded = grade ? await grade(best.text) : null;
        if (cap > 0 && result) candidates = await keepCandidates(result.candidates, cap, grade);
      } catch (e) {
        if (signal.aborted) return;
        error = { code: isReasonerError(e) ? e.code : 'RSN_ERR_GRADER', message: `grader: ${(e as Error)?.message ?? e}` };
      }
    }
    let record = taskRecord({
      original, task, result: result ?? null, graded, candidates, oracle: !!s.oracle, searchName: search.name,
      policyId: policy.id, spent: { tokens: budget.tokens, calls: budget.calls }, start, error,
    });
    record = await s.hooks.trajectory.promise(record);
    await s.hooks.taskEnd.promise(record);
    out[i] = record;
    opts.onRecord?.(record, ++done, tasks.length);
  }, () => signal.aborted || s.budget.exhausted() !== null);
  return out.filter((r): r is TrajectoryRecord => r !== undefined);
}

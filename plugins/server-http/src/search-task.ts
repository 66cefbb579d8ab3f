/**
 * One task searched the way `reasoner run` searches it: taskStart / beforeSearch / afterSearch /
 * trajectory hooks, the instrumented policy and reward (generate and reward hooks, budget), a
 * per-task budget and the caller's AbortSignal (client disconnect, timeout) reaching both.
 */
import {
  Budget, createRng, instrumentPolicy, instrumentReward, isReasonerError, rewardAnswer, runReward, ReasonerError,
  type BudgetLimits, type GenerateRequest, type GenerateResult, type Kernel, type Search, type SearchResult, type Task, type TrajectoryRecord,
} from '@reasoner/core';

/** One step per non-empty line: the default when the task source has no stepFormat. */
const lineSteps = {
  delimiter: '\n',
  split: (text: string) => text.split('\n').map((s) => s.trim()).filter(Boolean),
  join: (steps: string[]) => steps.join('\n'),
};

export interface SearchTaskOptions {
  budget?: BudgetLimits;
  seed?: number;
  signal: AbortSignal;
}

export interface SearchTaskResult {
  record: TrajectoryRecord;
  result: SearchResult;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    const r = signal.reason;
    throw isReasonerError(r) ? r : new ReasonerError('RSN_ERR_ABORTED', 'the request was cancelled', { hint: 'the client disconnected or the request timed out' });
  }
}

function taskContext(kernel: Kernel, task: Task, opts: SearchTaskOptions) {
  return {
    hooks: kernel.hooks,
    task,
    budget: new Budget(opts.budget ?? {}),
    rng: createRng(opts.seed ?? kernel.config.run.seed).fork(task.id),
    signal: opts.signal,
  };
}

/** Runs a search on one task and builds its trajectory record (not written to a run). */
export async function searchTask(kernel: Kernel, search: Search, original: Task, opts: SearchTaskOptions): Promise<SearchTaskResult> {
  const start = Date.now();
  const { hooks } = kernel;
  const policy = kernel.require('policy');
  const source = kernel.service('task');
  const reward = runReward(kernel);
  let task = await hooks.taskStart.promise(original);
  task = await hooks.beforeSearch.promise(task);
  checkAborted(opts.signal);
  const ictx = taskContext(kernel, task, opts);
  const env = {
    task, budget: ictx.budget, hooks, rng: ictx.rng, signal: opts.signal,
    steps: (source as { stepFormat?: typeof lineSteps } | undefined)?.stepFormat ?? lineSteps,
    policy: instrumentPolicy(policy, ictx as never),
    reward: instrumentReward(reward, ictx),
  };
  let result = await search.search(env as never);
  checkAborted(opts.signal);
  result = await hooks.afterSearch.promise(result, task);
  const best = result.best;
  let record: TrajectoryRecord = {
    taskId: original.id,
    prompt: task.prompt,
    steps: best?.steps ?? [],
    solution: best?.text ?? '',
    answer: best?.answer ?? rewardAnswer(best?.reward) ?? null,
    gold: task.answer ?? null,
    reward: best?.reward ?? null,
    correct: best?.reward?.correct ?? false,
    search: { name: search.name, stats: result.stats ?? {}, candidates: result.candidates.length },
    usage: result.usage,
    policyId: policy.id,
    ms: Date.now() - start,
    time: new Date().toISOString(),
  };
  record = await hooks.trajectory.promise(record);
  return { record, result };
}

/** Plain generation (no search) through the instrumented policy: hooks and the request's budget apply. */
export async function generateOnce(kernel: Kernel, task: Task, request: GenerateRequest, opts: SearchTaskOptions): Promise<GenerateResult> {
  const ictx = taskContext(kernel, task, opts);
  return instrumentPolicy(kernel.require('policy'), ictx as never).generate(request, opts.signal);
}

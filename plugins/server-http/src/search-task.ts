/**
 * One task searched the way `reasoner run` searches it: taskStart / beforeSearch / afterSearch /
 * trajectory hooks, the instrumented policy and reward (generate and reward hooks, budget with
 * request shrinking), the task source's step format, the oracle check, the grader's verdict and
 * the kept candidates / tree — and the caller's AbortSignal (client disconnect, timeout)
 * reaching the search and the policy.
 */
import {
  Budget, checkOracle, createRng, instrumentPolicy, instrumentReward, isReasonerError, keepCandidates, keepTree, memoGrader,
  rewardAnswer, runGrader, runReward, stepFormatOf, ReasonerError,
  type BudgetLimits, type GenerateRequest, type Policy, type GenerateResult, type Kernel, type Search, type SearchResult, type Task, type TrajectoryRecord,
} from '@reasoner/core';

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

/**
 * The policy as a request's search sees it: a call rejects as soon as the request's signal aborts,
 * so the search stops at once even when the policy finishes its current batch first (a batching
 * engine shares one batch among many requests and cannot drop one row mid-step).
 */
const ABORTABLE = new WeakMap<Policy, Policy>();
export function abortable(policy: Policy): Policy {
  let p = ABORTABLE.get(policy);
  if (p) return p;
  p = {
    get id() { return policy.id; },
    get capabilities() { return policy.capabilities; },
    countTokens: policy.countTokens?.bind(policy),
    scoreText: policy.scoreText?.bind(policy),
    generate(req, signal) {
      if (!signal) return policy.generate(req);
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(isReasonerError(signal.reason) ? signal.reason : new ReasonerError('RSN_ERR_ABORTED', 'the request was cancelled', {}));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        policy.generate(req, signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
  ABORTABLE.set(policy, p);
  return p;
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
  const run = kernel.config.run;
  const policy = abortable(kernel.require('policy'));
  const source = kernel.service('task');
  const reward = runReward(kernel);
  const oracle = checkOracle(kernel, reward, search.usesReward !== false);
  const grader = runGrader(kernel);
  let task = await hooks.taskStart.promise(original);
  task = await hooks.beforeSearch.promise(task);
  checkAborted(opts.signal);
  const ictx = taskContext(kernel, task, opts);
  let result = await search.search({
    task, budget: ictx.budget, hooks, rng: ictx.rng, signal: opts.signal, steps: stepFormatOf(source),
    policy: instrumentPolicy(policy, ictx),
    reward: instrumentReward(reward, ictx),
  });
  checkAborted(opts.signal);
  result = await hooks.afterSearch.promise(result, task);
  const best = result.best;
  if (!best) throw new ReasonerError('RSN_ERR_SEARCH', `search "${search.name}" returned no best candidate`, { hint: 'the budget may be too small for one completion' });
  const grade = grader ? memoGrader(grader, task, opts.signal) : null;
  const graded = grade ? await grade(best.text) : null;
  const cap = run.keep?.candidates ?? 64;
  const candidates = cap > 0 ? await keepCandidates(result.candidates, cap, run.keep?.grade === false ? null : grade) : undefined;
  const treeCap = run.keep?.treeNodes ?? 256;
  let record: TrajectoryRecord = {
    taskId: original.id,
    prompt: task.prompt,
    steps: best.steps ?? [],
    solution: best.text ?? '',
    answer: graded?.answer ?? best.answer ?? rewardAnswer(best.reward) ?? null,
    gold: task.answer ?? null,
    reward: best.reward ?? null,
    correct: graded?.correct ?? false,
    ...(oracle ? { oracle: true } : {}),
    search: { name: search.name, stats: result.stats ?? {}, candidates: result.candidates.length },
    ...(candidates ? { candidates } : {}),
    ...(result.tree && treeCap > 0 ? { tree: keepTree(result.tree, treeCap) } : {}),
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
  return instrumentPolicy(abortable(kernel.require('policy')), ictx).generate(request, opts.signal);
}

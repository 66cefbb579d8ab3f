import path from 'node:path';
import { ReasonerError, isReasonerError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { instrumentPolicy, instrumentReward, rewardGrader, rewardNeedsGold, stepFormatOf, verifierGrader, verifierReward } from '../kernel/instrument.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RunInfo } from '../kernel/hooks.js';
import type { Grader, Reward } from '../types/reward.js';
import type { RunSummary, TrajectoryRecord } from '../types/records.js';
import type { SearchResult } from '../types/search.js';
import type { Task } from '../types/task.js';
import { createRng } from '../util/rng.js';
import { Budget } from './budget.js';
import { keepCandidates, keepTree, memoGrader, taskRecord } from './keep.js';
import { forEachConcurrent } from './limit.js';
import { RunStore } from './run-store.js';
import { SummaryAccumulator } from './summary.js';
import { sanityCheck, type SanityOptions, type SanityReport } from './sanity.js';

export interface RunOptions {
  /** Resume this run id (skips tasks already recorded). */
  resume?: string;
  runId?: string;
  limit?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each task with done/total counts (progress bars). */
  onProgress?: (done: number, total: number | undefined, record: TrajectoryRecord) => void;
  /** Called once the total is known (resume: includes tasks already done). */
  onStart?: (info: RunInfo, total: number | undefined) => void;
  /** Reward sanity check before the run (`reasoner run --sanity/--strict`); strict refuses a weak reward. */
  sanity?: SanityOptions;
}

export interface RunResult {
  summary: RunSummary;
  dir: string;
  /** The reward sanity check, when asked for (also in runs/<id>/sanity.json). */
  sanity?: SanityReport;
}

/** The reward used for a run: the configured one, else the task source's own verifier. */
export function runReward(kernel: Kernel): Reward {
  const configured = kernel.service('reward');
  if (configured) return configured;
  const tasks = kernel.require('task');
  if (tasks.verify) return verifierReward(tasks);
  throw new ReasonerError('RSN_ERR_CONFIG_INVALID', `no reward configured, and task source "${tasks.name}" has no verifier`, {
    file: kernel.file, pointer: '/reward', hint: 'add a reward plugin, e.g. reward: "@reasoner/plugin-reward-math"',
  });
}

/**
 * The grader that decides `correct`: the config's `grader`, else the task source's own checker,
 * else the configured reward when it reads the gold answer (an outcome reward against gold is a
 * grader). Null when nothing can grade (records then say correct: false).
 */
export function runGrader(kernel: Kernel): Grader | null {
  const configured = kernel.graderReward();
  if (configured) return rewardGrader(configured, pluginName(kernel, '/grader') ?? 'grader');
  const tasks = kernel.service('task');
  if (tasks?.verify) return verifierGrader(tasks);
  const reward = kernel.service('reward');
  if (reward && rewardNeedsGold(reward)) return rewardGrader(reward, pluginName(kernel, '/reward') ?? 'reward');
  return null;
}

function pluginName(kernel: Kernel, pointer: string): string | undefined {
  return kernel.plugins.find((p) => p.pointer === pointer)?.definition.name;
}

/**
 * Refuses a search guided by a reward that reads the gold answer (it would measure pass@k, not
 * accuracy) unless the config says `run.oracle: true`. Searches that never look at the reward to
 * choose (e.g. majority vote) declare `usesReward: false` and are not guided by it.
 */
export function checkOracle(kernel: Kernel, reward: Reward, usesReward: boolean): boolean {
  const oracle = usesReward && rewardNeedsGold(reward);
  if (oracle && !kernel.config.run.oracle) {
    throw new ReasonerError('RSN_ERR_ORACLE', 'the search is guided by a reward that reads the gold answer: its accuracy would be pass@k, not a fair score', {
      file: kernel.file, pointer: '/run/oracle',
      hint: 'guide the search with a fair reward (the task\'s checker, a reward model, or select: "majority"), and put the gold-reading reward under `grader`; or set run.oracle: true to measure pass@k on purpose',
    });
  }
  return oracle;
}

/** The run options as this run uses them (config, overridden by the command line). */
interface EffectiveRun {
  limit?: number;
  concurrency: number;
  split: string;
  seed: number;
}

async function readEffective(dir: string): Promise<Partial<EffectiveRun>> {
  try {
    const snap = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { effective?: Partial<EffectiveRun> };
    return snap.effective ?? {};
  } catch {
    return {};
  }
}

/** A snapshot of the resolved config for runs/<id>/config.json (functions are named, not dumped). */
export function configSnapshot(kernel: Kernel): Record<string, unknown> {
  return {
    file: kernel.file ?? null,
    plugins: kernel.plugins.map((p) => ({ name: p.definition.name, kind: p.definition.kind, version: p.definition.version ?? null, source: p.source, pointer: p.pointer, options: p.options })),
    hooks: Object.keys(kernel.config.hooks ?? {}),
    run: kernel.config.run,
  };
}

/**
 * ingest tasks → search (policy + reward, hooks, budgets) → one durable trajectory record per
 * task → summary. Bounded concurrency; resumable after a crash with no record lost or doubled.
 */
export async function runPipeline(kernel: Kernel, opts: RunOptions = {}): Promise<RunResult> {
  const { config, hooks } = kernel;
  const run = config.run;
  const tasks = kernel.require('task');
  const policy = kernel.require('policy');
  const search = kernel.require('search');
  const reward = runReward(kernel);
  const grader = runGrader(kernel);
  const oracle = checkOracle(kernel, reward, search.usesReward !== false);
  const keep = { candidates: run.keep?.candidates ?? 64, treeNodes: run.keep?.treeNodes ?? 256, grade: run.keep?.grade ?? true };
  const steps = stepFormatOf(tasks);
  if (!grader) kernel.logger.warn('no grader: the task source has no checker and the reward does not read the gold answer, so records say correct: false (set `grader` in the config)');
  const outDir = path.resolve(kernel.dir, run.out);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const acc = new SummaryAccumulator();
  const done = new Set<string>();
  // Before anything is written, so a strict refusal leaves no run folder behind.
  const sanity = opts.sanity ? await sanityCheck(kernel, { signal: opts.signal, ...opts.sanity }) : undefined;
  if (sanity) kernel.logger[sanity.verdict === 'ok' ? 'info' : 'warn'](`reward sanity check: ${sanity.message}`);

  let store: RunStore;
  let recorded: Partial<EffectiveRun> = {};
  if (opts.resume) {
    const r = await RunStore.resume(outDir, opts.resume);
    store = r.store;
    recorded = await readEffective(store.dir);
    for (const rec of r.records) {
      if (done.has(rec.taskId)) continue;
      done.add(rec.taskId);
      acc.add(rec);
    }
  } else {
    store = await RunStore.create(outDir, opts.runId);
  }
  // A resumed run keeps the options it started with (e.g. `--limit 500`) unless overridden again.
  const limit = opts.limit ?? recorded.limit ?? run.limit;
  const concurrency = opts.concurrency ?? recorded.concurrency ?? run.concurrency;
  if (sanity) await store.writeJson('sanity.json', sanity);
  if (!opts.resume) await store.writeJson('config.json', { ...configSnapshot(kernel), effective: { limit, concurrency, split: run.split, seed: run.seed } satisfies EffectiveRun });

  const info: RunInfo = { runId: store.runId, dir: store.dir, resumed: !!opts.resume, done: done.size };
  const runBudget = new Budget(run.budget?.perRun ?? {});
  const runRng = createRng(run.seed);
  const signal = opts.signal ?? new AbortController().signal;
  let stoppedBy: RunSummary['stoppedBy'] = null;

  const total = await tasks.count?.({ split: run.split, limit }).catch(() => undefined);
  opts.onStart?.(info, total);
  await hooks.runStart.promise(info);

  async function* pending(): AsyncGenerator<Task> {
    for await (const task of tasks.tasks({ split: run.split, limit, signal })) {
      if (!done.has(task.id)) yield task;
    }
  }

  const runTask = async (original: Task): Promise<void> => {
    const start = Date.now();
    const budget = runBudget.child(run.budget?.perTask ?? {});
    const taskSignal = run.budget?.perTask?.ms ? AbortSignal.any([signal, AbortSignal.timeout(run.budget.perTask.ms)]) : signal;
    let task = original;
    let result: SearchResult | null = null;
    let error: TrajectoryRecord['error'];
    try {
      task = await hooks.taskStart.promise(original);
      task = await hooks.beforeSearch.promise(task);
      const rng = runRng.fork(task.id);
      const ictx = { hooks, task, budget, rng, signal: taskSignal };
      result = await search.search({
        task, budget, hooks, rng, signal: taskSignal, steps,
        policy: instrumentPolicy(policy, ictx),
        reward: instrumentReward(reward, ictx),
      });
      result = await hooks.afterSearch.promise(result, task);
      if (!result?.best) throw new ReasonerError('RSN_ERR_SEARCH', `search "${search.name}" returned no best candidate`, { hint: 'a search must return { best, candidates, stats, usage }; if nothing was generated (e.g. zero budget) it should throw RSN_ERR_BUDGET_EXHAUSTED' });
    } catch (e) {
      // A broken hook is a bug in the user's setup: stop the run rather than record it per task.
      if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
      // Interrupted mid-search: leave it unrecorded so a resume redoes it.
      if (signal.aborted) return;
      error = isReasonerError(e) ? { code: e.code, message: e.message } : { code: 'RSN_ERR_TASK', message: String((e as Error)?.message ?? e) };
    }
    const best = result?.best;
    let graded: { correct: boolean; answer?: string } | null = null;
    let candidates: TrajectoryRecord['candidates'];
    if (best && grader && !error) {
      try {
        const grade = memoGrader(grader, task, signal);
        graded = await grade(best.text);
        if (keep.candidates > 0 && result) candidates = await keepCandidates(result.candidates, keep.candidates, keep.grade ? grade : null);
      } catch (e) {
        if (signal.aborted) return;
        error = isReasonerError(e) ? { code: e.code, message: `grader: ${e.message}` } : { code: 'RSN_ERR_GRADER', message: `grader "${grader.name}" failed: ${String((e as Error)?.message ?? e)}` };
      }
    } else if (result && keep.candidates > 0) {
      candidates = await keepCandidates(result.candidates, keep.candidates, null);
    }
    let record = taskRecord({
      original, task, result: result ?? null, graded, candidates, oracle: !!oracle, searchName: search.name,
      tree: result?.tree && keep.treeNodes > 0 ? keepTree(result.tree, keep.treeNodes) : undefined,
      policyId: policy.id, spent: { tokens: budget.tokens, calls: budget.calls }, start, error,
    });
    record = await hooks.trajectory.promise(record);
    await store.append(record);
    done.add(original.id);
    acc.add(record);
    await hooks.taskEnd.promise(record);
    opts.onProgress?.(acc.tasks, total, record);
  };

  let failure: unknown;
  try {
    await forEachConcurrent(pending(), concurrency, runTask, () => {
      if (signal.aborted) stoppedBy = 'abort';
      else if (runBudget.exhausted()) stoppedBy = 'budget';
      return stoppedBy !== null;
    });
    if (signal.aborted) stoppedBy = 'abort';
  } catch (e) {
    // Ctrl-C while tasks were being generated or searched: an interruption, not a failure.
    if (signal.aborted) stoppedBy = 'abort';
    else failure = e;
  } finally {
    await store.close();
  }
  const summary = { ...acc.summary({ runId: store.runId, wallMs: Date.now() - t0, startedAt, stoppedBy }), oracle, grader: grader?.name };
  await store.writeJson('summary.json', summary);
  if (failure) throw failure;
  await hooks.runEnd.promise(info, summary);
  return { summary, dir: store.dir, ...(sanity ? { sanity } : {}) };
}

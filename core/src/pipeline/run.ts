import path from 'node:path';
import { ReasonerError, isReasonerError } from '../errors.js';
import { instrumentPolicy, instrumentReward, rewardAnswer, verifierReward } from '../kernel/instrument.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RunInfo } from '../kernel/hooks.js';
import type { Reward } from '../types/reward.js';
import type { RunSummary, TrajectoryRecord } from '../types/records.js';
import type { SearchResult } from '../types/search.js';
import type { Task } from '../types/task.js';
import { createRng } from '../util/rng.js';
import { Budget } from './budget.js';
import { forEachConcurrent } from './limit.js';
import { RunStore } from './run-store.js';
import { SummaryAccumulator } from './summary.js';

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
}

export interface RunResult {
  summary: RunSummary;
  dir: string;
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
  const outDir = path.resolve(kernel.dir, run.out);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const acc = new SummaryAccumulator();
  const done = new Set<string>();

  let store: RunStore;
  if (opts.resume) {
    const r = await RunStore.resume(outDir, opts.resume);
    store = r.store;
    for (const rec of r.records) {
      if (done.has(rec.taskId)) continue;
      done.add(rec.taskId);
      acc.add(rec);
    }
  } else {
    store = await RunStore.create(outDir, opts.runId);
    await store.writeJson('config.json', configSnapshot(kernel));
  }

  const info: RunInfo = { runId: store.runId, dir: store.dir, resumed: !!opts.resume, done: done.size };
  const limit = opts.limit ?? run.limit;
  const concurrency = opts.concurrency ?? run.concurrency;
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
        task, budget, hooks, rng, signal: taskSignal,
        policy: instrumentPolicy(policy, ictx),
        reward: instrumentReward(reward, ictx),
      });
      result = await hooks.afterSearch.promise(result, task);
    } catch (e) {
      // A broken hook is a bug in the user's setup: stop the run rather than record it per task.
      if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
      // Interrupted mid-search: leave it unrecorded so a resume redoes it.
      if (signal.aborted) return;
      error = isReasonerError(e) ? { code: e.code, message: e.message } : { code: 'RSN_ERR_TASK', message: String((e as Error)?.message ?? e) };
    }
    const best = result?.best;
    let record: TrajectoryRecord = {
      taskId: original.id,
      prompt: task.prompt,
      steps: best?.steps ?? [],
      solution: best?.text ?? '',
      answer: best?.answer ?? rewardAnswer(best?.reward) ?? null,
      gold: task.answer ?? null,
      reward: best?.reward ?? null,
      correct: best?.reward?.correct ?? false,
      search: { name: search.name, stats: result?.stats ?? {}, candidates: result?.candidates.length ?? 0 },
      usage: result?.usage ?? { promptTokens: 0, completionTokens: budget.tokens, calls: budget.calls },
      policyId: policy.id,
      ms: Date.now() - start,
      time: new Date().toISOString(),
      ...(error ? { error } : {}),
    };
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
    failure = e;
  } finally {
    await store.close();
  }
  const summary = acc.summary({ runId: store.runId, wallMs: Date.now() - t0, startedAt, stoppedBy });
  await store.writeJson('summary.json', summary);
  if (failure) throw failure;
  await hooks.runEnd.promise(info, summary);
  return { summary, dir: store.dir };
}

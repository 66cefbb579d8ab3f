/**
 * Accuracy against compute: several ways of spending test-time compute on one task split, each
 * measured by the grader and by the tokens it spent (prompt + completion, as budgets count them).
 *
 * - greedy decoding and best-of-N / majority@N for N = 1, 2, 4, … `samples`: one pool of samples
 *   per task, the first N of it for each N (what `bon({ n: N })` would draw with the same seeds);
 *   its tokens are those of the first N samples.
 * - every configured search (beam, MCTS, refine, …) run through the normal pipeline at each
 *   per-task token budget (records land in `<out>/runs/`).
 */
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import type { ReasonerConfig } from '../config/types.js';
import type { PluginSpec } from '../types/plugin.js';
import { ReasonerError } from '../errors.js';
import { instrumentPolicy, instrumentReward, rewardAnswer, rewardNeedsGold } from '../kernel/instrument.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task, TaskSplit } from '../types/task.js';
import { createRng } from '../util/rng.js';
import { Budget } from './budget.js';
import { majorityIndex } from './eval.js';
import { forEachConcurrent } from './limit.js';
import { runGrader, runPipeline, runReward } from './run.js';
import { comparePlotHtml, comparePlotSvg } from './compare-plot.js';

/** One search to compare: a search plugin (and optionally its own reward, e.g. a PRM). */
export interface CompareSearch {
  name: string;
  search: PluginSpec;
  reward?: PluginSpec;
}

export interface CompareRow {
  /** Method family: greedy, bon, majority, or a search's name. */
  method: string;
  /** Samples (greedy, bon, majority) or the per-task token budget (searches). */
  n?: number;
  budget?: number;
  accuracy: number;
  /** Mean tokens per task (prompt + completion). */
  tokens: number;
  tasks: number;
  errors?: number;
  oracle?: boolean;
  wallMs?: number;
  runId?: string;
}

export interface CompareReport {
  split: string;
  tasks: number;
  samples: number;
  temperature: number;
  budgets: number[];
  seed: number;
  policy: string;
  rows: CompareRow[];
  wallMs: number;
}

export interface CompareOptions {
  split?: TaskSplit;
  limit?: number;
  /** Largest N of best-of-N (the pool size per task); 0 skips the sampling baselines. */
  samples?: number;
  temperature?: number;
  maxTokens?: number;
  budgets?: number[];
  searches?: CompareSearch[];
  concurrency?: number;
  out: string;
  signal?: AbortSignal;
  /** Builds a kernel for a changed config (the CLI passes its loader). */
  kernelFor(override: (c: ReasonerConfig) => ReasonerConfig): Promise<Kernel>;
  onProgress?: (what: string) => void;
}

const pow2Upto = (n: number): number[] => {
  const out: number[] = [];
  for (let k = 1; k <= n; k *= 2) out.push(k);
  if (out[out.length - 1] !== n && n > 0) out.push(n);
  return out;
};

/** Greedy, best-of-N by reward and majority@N from one pool of samples per task. */
async function sampleBaselines(kernel: Kernel, o: CompareOptions): Promise<CompareRow[]> {
  const tasks = kernel.require('task');
  const policy = kernel.require('policy');
  const reward = runReward(kernel);
  const grader = runGrader(kernel);
  if (!grader) throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'compare needs a grader: the task source has no checker and no gold-reading reward or grader is configured', { file: kernel.file, pointer: '/grader', hint: 'add a grader (e.g. an outcome reward against the gold answer)' });
  const samples = o.samples ?? 64;
  const ks = pow2Upto(samples);
  const signal = o.signal ?? new AbortController().signal;
  const rng = createRng(kernel.config.run.seed);
  const t0 = Date.now();
  let n = 0, greedyOk = 0, greedyTokens = 0;
  const bonOk = ks.map(() => 0), majOk = ks.map(() => 0), bonTokens = ks.map(() => 0);
  await forEachConcurrent(tasks.tasks({ split: o.split, limit: o.limit, signal }), o.concurrency ?? 16, async (task: Task) => {
    const budget = new Budget();
    const ctx = { hooks: kernel.hooks, task, budget, rng: rng.fork(task.id), signal };
    const pol = instrumentPolicy(policy, ctx);
    const rew = instrumentReward(reward, ctx);
    const g = await pol.generate({ prompt: task.prompt, n: 1, temperature: 0, maxTokens: o.maxTokens });
    const gText = g.completions[0]?.text ?? '';
    const [gGrade, pool] = await Promise.all([
      grader.grade(task, gText, signal),
      samples > 0 ? pol.generate({ prompt: task.prompt, n: samples, temperature: o.temperature ?? 0.8, maxTokens: o.maxTokens }) : Promise.resolve(null),
    ]);
    n++;
    if (gGrade.correct) greedyOk++;
    greedyTokens += g.usage.promptTokens + g.usage.completionTokens;
    if (!pool) return;
    const perPrompt = pool.usage.promptTokens / Math.max(1, pool.completions.length);
    const scored = await Promise.all(pool.completions.map((c) => rew.score(task, c.text)));
    const graded = await Promise.all(pool.completions.map((c) => grader.grade(task, c.text, signal)));
    const answers = scored.map((r, i) => rewardAnswer(r) ?? graded[i]!.answer);
    ks.forEach((k, j) => {
      let best = 0;
      for (let i = 1; i < Math.min(k, scored.length); i++) if (scored[i]!.value > scored[best]!.value) best = i;
      if (graded[best]?.correct) bonOk[j]!++;
      const mi = majorityIndex(answers.slice(0, k));
      if (mi >= 0 && graded[mi]!.correct) majOk[j]!++;
      bonTokens[j]! += pool.completions.slice(0, k).reduce((a, c) => a + perPrompt + c.tokens, 0);
    });
    o.onProgress?.(`samples ${n}`);
  }, () => signal.aborted);
  const wallMs = Date.now() - t0;
  const oracle = rewardNeedsGold(reward);
  const rows: CompareRow[] = [{ method: 'greedy', n: 1, accuracy: n ? greedyOk / n : 0, tokens: n ? greedyTokens / n : 0, tasks: n, wallMs }];
  if (samples > 0) {
    ks.forEach((k, j) => rows.push({ method: 'bon', n: k, accuracy: n ? bonOk[j]! / n : 0, tokens: n ? bonTokens[j]! / n : 0, tasks: n, ...(oracle ? { oracle } : {}) }));
    ks.forEach((k, j) => rows.push({ method: 'majority', n: k, accuracy: n ? majOk[j]! / n : 0, tokens: n ? bonTokens[j]! / n : 0, tasks: n }));
  }
  return rows;
}

/** Runs every search at every budget through the normal run pipeline. */
async function searchRows(o: CompareOptions, outDir: string): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  for (const s of o.searches ?? []) {
    for (const budget of o.budgets ?? [630]) {
      if (o.signal?.aborted) return rows;
      o.onProgress?.(`${s.name} @ ${budget} tokens`);
      const kernel = await o.kernelFor((c) => ({
        ...c,
        search: s.search,
        ...(s.reward ? { reward: s.reward } : {}),
        run: { ...(c.run ?? {}), out: path.join(outDir, 'runs'), budget: { ...(c.run?.budget ?? {}), perTask: { ...(c.run?.budget?.perTask ?? {}), tokens: budget } } },
      }));
      try {
        const { summary } = await runPipeline(kernel, { limit: o.limit, concurrency: o.concurrency, signal: o.signal, runId: `${s.name}-${budget}-${Date.now().toString(36)}` });
        const tokens = summary.usage.promptTokens + summary.usage.completionTokens;
        rows.push({
          method: s.name, budget, accuracy: summary.accuracy, tokens: summary.tasks ? tokens / summary.tasks : 0,
          tasks: summary.tasks, errors: summary.errors, wallMs: summary.wallMs, runId: summary.runId, ...(summary.oracle ? { oracle: true } : {}),
        });
      } finally {
        await kernel.close();
      }
    }
  }
  return rows;
}

/** Runs the comparison and writes compare.json, compare.svg and compare.html under `out`. */
export async function runCompare(kernel: Kernel, o: CompareOptions): Promise<{ report: CompareReport; files: string[] }> {
  const t0 = Date.now();
  const outDir = path.resolve(kernel.dir, o.out);
  await mkdir(outDir, { recursive: true });
  const split = o.split ?? (kernel.config.run.split as TaskSplit | undefined) ?? 'test';
  const opts = { ...o, split };
  const rows = [...(await sampleBaselines(kernel, opts)), ...(await searchRows(opts, outDir))];
  const report: CompareReport = {
    split, tasks: rows[0]?.tasks ?? 0, samples: o.samples ?? 64, temperature: o.temperature ?? 0.8, budgets: o.budgets ?? [630],
    seed: kernel.config.run.seed, policy: kernel.require('policy').id, rows, wallMs: Date.now() - t0,
  };
  const files = [path.join(outDir, 'compare.json'), path.join(outDir, 'compare.svg'), path.join(outDir, 'compare.html')];
  await writeFile(files[0]!, JSON.stringify(report, null, 2) + '\n');
  await writeFile(files[1]!, comparePlotSvg(report));
  await writeFile(files[2]!, comparePlotHtml(report));
  return { report, files };
}

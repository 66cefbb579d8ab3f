/**
 * Verifier sanity check: before a big search, score a calibration batch whose outcomes are known
 * (graded by the grader) with the reward that will guide the search, and measure how well the
 * reward separates correct from incorrect solutions (ROC AUC). A reward that cannot tell them
 * apart makes search spend compute on noise; `strict` refuses to start such a run.
 */
import { ReasonerError, isReasonerError } from '../errors.js';
import { instrumentReward, stepFormatOf } from '../kernel/instrument.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Grader, Reward } from '../types/reward.js';
import type { Task, TaskSplit } from '../types/task.js';
import { createRng } from '../util/rng.js';
import { runGrader, runReward } from './run.js';

export interface SanityOptions {
  /** Calibration tasks (taken from `split`). */
  tasks?: number;
  /** Policy samples per task (the outcomes search will meet); reference solutions are added when the task has one. */
  samples?: number;
  temperature?: number;
  /** Completion cap for the samples (the policy's own default when unset). */
  maxTokens?: number;
  /** Where calibration tasks come from; default `validation`, else the run's split when that is empty. */
  split?: TaskSplit;
  /** Below this AUC the reward is called weak. */
  minAuc?: number;
  /** Refuse (RSN_ERR_SANITY) unless the verdict is `ok`. */
  strict?: boolean;
  signal?: AbortSignal;
}

export interface SanityReport {
  verdict: 'ok' | 'weak' | 'inconclusive';
  /** ROC AUC of reward values against grader verdicts (null when one class is missing). */
  auc: number | null;
  minAuc: number;
  /** Scored solutions, and how many the grader calls correct / incorrect. */
  n: number;
  positives: number;
  negatives: number;
  /** Mean reward of correct and of incorrect solutions. */
  meanCorrect: number | null;
  meanIncorrect: number | null;
  tasks: number;
  split: string;
  /** Policy tokens spent on the calibration samples (outside any task budget). */
  tokens: number;
  ms: number;
  message: string;
}

export const SANITY_DEFAULTS = { tasks: 16, samples: 4, temperature: 1, minAuc: 0.7 } as const;

/**
 * ROC AUC (Mann–Whitney U): the probability that a random correct solution scores above a random
 * incorrect one, ties counting one half. Null when either class is empty.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0, neg = 0, rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based ranks, ties averaged
    for (let k = i; k <= j; k++) if (labels[idx[k]!]) { pos++; rankSum += avgRank; } else neg++;
    i = j + 1;
  }
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

async function calibrationTasks(kernel: Kernel, split: TaskSplit | undefined, limit: number, signal?: AbortSignal): Promise<{ tasks: Task[]; split: string }> {
  const source = kernel.require('task');
  const take = async (s: TaskSplit): Promise<Task[]> => {
    const out: Task[] = [];
    for await (const t of source.tasks({ split: s, limit, signal })) {
      out.push(t);
      if (out.length >= limit) break;
    }
    return out;
  };
  const first = split ?? 'validation';
  let tasks = await take(first).catch(() => []);
  if (tasks.length || split) return { tasks, split: first };
  const runSplit = kernel.config.run.split as TaskSplit;
  tasks = await take(runSplit);
  return { tasks, split: runSplit };
}

/**
 * Runs the check. Labels come from the grader (the task's checker, or an outcome reward against
 * gold — reading gold is fine here: it only labels the calibration batch); scores from the reward
 * the search will use, through the reward hooks as the search sees it. The policy is called
 * directly (no generate hooks, no task budget).
 */
export async function sanityCheck(kernel: Kernel, opts: SanityOptions = {}): Promise<SanityReport> {
  const t0 = Date.now();
  const minAuc = opts.minAuc ?? SANITY_DEFAULTS.minAuc;
  const samples = opts.samples ?? SANITY_DEFAULTS.samples;
  const signal = opts.signal ?? new AbortController().signal;
  const policy = kernel.require('policy');
  const grader: Grader | null = runGrader(kernel);
  const reward: Reward = instrumentReward(runReward(kernel), { hooks: kernel.hooks, signal });
  const fmt = stepFormatOf(kernel.service('task'));
  const { tasks, split } = await calibrationTasks(kernel, opts.split, opts.tasks ?? SANITY_DEFAULTS.tasks, signal);
  const rng = createRng(kernel.config.run.seed).fork('sanity');
  const scores: number[] = [];
  const labels: boolean[] = [];
  let tokens = 0;
  const report = (verdict: SanityReport['verdict'], auc: number | null, message: string): SanityReport => {
    const mean = (want: boolean): number | null => {
      const xs = scores.filter((_, i) => labels[i] === want);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    };
    const positives = labels.filter(Boolean).length;
    return { verdict, auc, minAuc, n: scores.length, positives, negatives: scores.length - positives, meanCorrect: mean(true), meanIncorrect: mean(false), tasks: tasks.length, split, tokens, ms: Date.now() - t0, message };
  };
  const finish = (r: SanityReport): SanityReport => {
    if (opts.strict && r.verdict !== 'ok') {
      throw new ReasonerError('RSN_ERR_SANITY', `reward sanity check failed (--strict): ${r.message}`, {
        hint: r.verdict === 'weak'
          ? 'the guiding reward does not separate correct from incorrect solutions: use a better reward (the task\'s checker, a trained PRM), or run without --strict to search anyway'
          : 'the calibration batch needs both correct and incorrect solutions and a grader: raise --sanity-samples, use a split with reference solutions, or configure `grader`',
        detail: { auc: r.auc, n: r.n, positives: r.positives, negatives: r.negatives },
      });
    }
    return r;
  };

  if (!grader) return finish(report('inconclusive', null, 'no grader (no task checker, no gold-reading reward), so the calibration outcomes are unknown'));
  if (!tasks.length) return finish(report('inconclusive', null, `no calibration tasks in split "${split}"`));

  for (const task of tasks) {
    if (signal.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'sanity check aborted', {});
    const texts: string[] = [];
    if (task.solution) {
      texts.push(task.solution);
      // The reference without its last step: usually wrong, and graded like everything else.
      const steps = fmt.split(task.solution);
      if (steps.length > 1) texts.push(fmt.join(steps.slice(0, -1)));
    }
    if (samples > 0) {
      try {
        const res = await policy.generate({ prompt: task.prompt, n: samples, temperature: opts.temperature ?? SANITY_DEFAULTS.temperature, maxTokens: opts.maxTokens, seed: rng.int(2 ** 31) }, signal);
        tokens += res.usage.promptTokens + res.usage.completionTokens;
        texts.push(...res.completions.map((c) => c.text));
      } catch (e) {
        if (isReasonerError(e) && e.code === 'RSN_ERR_ABORTED') throw e;
        throw new ReasonerError('RSN_ERR_POLICY', `sanity check: the policy failed on calibration task ${task.id}: ${(e as Error)?.message ?? e}`, { hint: 'fix the policy, or run without --sanity/--strict' }, { cause: e });
      }
    }
    for (const text of texts) {
      const g = await grader.grade(task, text, signal);
      let value: number;
      try {
        value = (await reward.score(task, text, signal)).value;
      } catch (e) {
        if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
        throw new ReasonerError('RSN_ERR_REWARD', `sanity check: the reward failed on calibration task ${task.id}: ${(e as Error)?.message ?? e}`, { hint: 'fix the reward plugin before searching with it' }, { cause: e });
      }
      if (!Number.isFinite(value)) throw new ReasonerError('RSN_ERR_REWARD', `sanity check: the reward returned ${value} on calibration task ${task.id}`, { hint: 'a reward value must be a finite number' });
      scores.push(value);
      labels.push(g.correct);
    }
  }
  const auc = rocAuc(scores, labels);
  const pos = labels.filter(Boolean).length;
  if (auc === null) return finish(report('inconclusive', null, `the calibration batch has ${pos} correct and ${labels.length - pos} incorrect solutions: need both to measure separation`));
  const txt = `reward AUC ${auc.toFixed(3)} on ${labels.length} calibration solutions (${pos} correct) from ${tasks.length} ${split} tasks`;
  return finish(auc >= minAuc
    ? report('ok', auc, `${txt} ≥ ${minAuc}`)
    : report('weak', auc, `${txt} < ${minAuc}: the reward barely separates correct from incorrect`));
}

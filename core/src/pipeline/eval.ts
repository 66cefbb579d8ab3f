import type { Hooks } from '../kernel/hooks.js';
import { instrumentPolicy, instrumentReward, rewardAnswer } from '../kernel/instrument.js';
import type { Policy } from '../types/policy.js';
import type { Grader, Reward } from '../types/reward.js';
import type { Task, TaskSource, TaskSplit } from '../types/task.js';
import { createRng } from '../util/rng.js';
import { Budget } from './budget.js';
import { forEachConcurrent } from './limit.js';
import { wilsonInterval } from '../util/stats.js';

/** Unbiased pass@k from n samples with c correct (Chen et al. 2021), numerically stable form. */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@k needs k ≤ n (k=${k}, n=${n})`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Majority vote over extracted answers; ties go to the answer seen first. Returns the index of a representative sample. */
export function majorityIndex(answers: Array<string | undefined>): number {
  const counts = new Map<string, { n: number; first: number }>();
  answers.forEach((a, i) => {
    if (a === undefined) return;
    const e = counts.get(a);
    if (e) e.n++;
    else counts.set(a, { n: 1, first: i });
  });
  let best: { n: number; first: number } | undefined;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best ? best.first : -1;
}

export interface EvalOptions {
  split?: TaskSplit;
  limit?: number;
  /** k for pass@k and maj@k. */
  k?: number;
  /** Samples per task (≥ k); more samples give a lower-variance pass@k. */
  samples?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  concurrency?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
  /** Per-task verdicts (breakdowns by problem size and the like). */
  onTask?: (task: Task, result: { greedy: boolean; correct: number; samples: number }) => void;
}

export interface EvalReport {
  /** Greedy pass@1. */
  accuracy: number;
  /** 95 % Wilson interval of `accuracy` over the n tasks (how much of a difference is noise). */
  accuracyCi95: [number, number];
  passAt1Sampled: number;
  passAtK: number;
  majAtK: number;
  k: number;
  samples: number;
  n: number;
  tokens: number;
  wallMs: number;
  /**
   * Greedy pass@1 and pass@k per difficulty level, when the tasks carry `meta.level` (Countdown's
   * shortest-solution steps, MATH's level): where a gain or a loss lies. Keys sorted.
   */
  byLevel?: Record<string, { n: number; accuracy: number; passAtK: number }>;
}

/** Task difficulty as a breakdown key, if the task states one. */
function levelOf(task: Task): string | undefined {
  const l = task.meta?.level;
  return typeof l === 'number' || (typeof l === 'string' && l.length > 0) ? String(l) : undefined;
}

export interface EvalServices {
  tasks: TaskSource;
  policy: Policy;
  reward: Reward;
  /** Decides correctness (default: the reward's `correct`). */
  grader?: Grader | null;
  hooks: Hooks;
}

/** Greedy pass@1, unbiased pass@k and maj@k of a policy on a task split. */
export async function evaluate(s: EvalServices, o: EvalOptions = {}): Promise<EvalReport> {
  const k = o.k ?? 16;
  const samples = Math.max(o.samples ?? k, k);
  const t0 = Date.now();
  const total = await s.tasks.count?.({ split: o.split, limit: o.limit }).catch(() => undefined);
  const rng = createRng(o.seed ?? 0);
  let n = 0, greedy = 0, pass1 = 0, passK = 0, maj = 0, tokens = 0;
  const levels = new Map<string, { n: number; greedy: number; passK: number }>();
  const signal = o.signal ?? new AbortController().signal;
  const gen = { temperature: o.temperature ?? 1, topP: o.topP, maxTokens: o.maxTokens };

  await forEachConcurrent(s.tasks.tasks({ split: o.split, limit: o.limit, signal }), o.concurrency ?? 2, async (task: Task) => {
    const budget = new Budget();
    const ctx = { hooks: s.hooks, task, budget, rng: rng.fork(task.id), signal };
    const policy = instrumentPolicy(s.policy, ctx);
    const reward = instrumentReward(s.reward, ctx);
    const g = await policy.generate({ prompt: task.prompt, n: 1, temperature: 0, maxTokens: o.maxTokens });
    const judge = async (text: string) => (s.grader ? s.grader.grade(task, text, signal) : reward.score(task, text));
    const gr = await judge(g.completions[0]!.text);
    const sampled = samples > 0 ? await policy.generate({ prompt: task.prompt, n: samples, ...gen }) : { completions: [] };
    const scored = await Promise.all(sampled.completions.map((c) => judge(c.text)));
    const c = scored.filter((r) => r.correct).length;
    const mi = majorityIndex(scored.slice(0, k).map((r) => ('value' in r ? rewardAnswer(r) : r.answer)));
    n++;
    if (gr.correct) greedy++;
    pass1 += samples ? c / samples : 0;
    passK += samples ? passAtK(samples, c, k) : 0;
    if (mi >= 0 && scored[mi]!.correct) maj++;
    tokens += budget.tokens;
    const level = levelOf(task);
    if (level !== undefined) {
      const b = levels.get(level) ?? { n: 0, greedy: 0, passK: 0 };
      levels.set(level, { n: b.n + 1, greedy: b.greedy + (gr.correct ? 1 : 0), passK: b.passK + (samples ? passAtK(samples, c, k) : 0) });
    }
    o.onTask?.(task, { greedy: gr.correct === true, correct: c, samples });
    o.onProgress?.(n, total);
  }, () => signal.aborted);

  const byLevel = levels.size
    ? Object.fromEntries([...levels].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([l, b]) => [l, { n: b.n, accuracy: b.greedy / b.n, passAtK: b.passK / b.n }]))
    : undefined;
  return { accuracy: n ? greedy / n : 0, accuracyCi95: wilsonInterval(greedy, n), passAt1Sampled: n ? pass1 / n : 0, passAtK: n ? passK / n : 0, majAtK: n ? maj / n : 0, k, samples, n, tokens, wallMs: Date.now() - t0, ...(byLevel ? { byLevel } : {}) };
}

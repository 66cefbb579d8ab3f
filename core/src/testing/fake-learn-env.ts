/**
 * A LearnEnv for learner tests over the fake trainable policy and an in-memory "a+b" task
 * source: prompts `a+b=`, completions are candidate sums, the checker compares with a+b.
 * `rollout` samples through the real rollout helper, so hooks, grading and records are real.
 */
import { createHooks } from '../kernel/hooks.js';
import { lineSteps } from '../kernel/instrument.js';
import { Budget } from '../pipeline/budget.js';
import { rollout } from '../pipeline/rollout.js';
import type { LearnEnv, TrainablePolicy } from '../types/learn.js';
import type { TrajectoryRecord } from '../types/records.js';
import type { Reward } from '../types/reward.js';
import type { Search } from '../types/search.js';
import type { Task, TaskSource } from '../types/task.js';
import { createLogger } from '../util/logger.js';
import { createRng } from '../util/rng.js';
import { FakeTrainablePolicy } from './fake-trainable.js';

export const sumTask = (i: number): Task => {
  const a = i % 7, b = (i * 3) % 5;
  return { id: `s${i}`, prompt: `${a}+${b}=`, answer: String(a + b), solution: String(a + b) };
};

/** Candidate completions of a prompt: the right sum and three wrong ones. */
export const sumCompletions = (prompt: string): string[] => {
  const [a, b] = prompt.replace('=', '').split('+').map(Number);
  const s = a! + b!;
  return [String(s), String(s + 1), String(s + 2), String(s + 10)];
};

export function sumSource(n = 64): TaskSource {
  return {
    name: 'sum-tasks',
    async *tasks(q = {}) {
      const lim = Math.min(n, q.limit ?? Infinity);
      const offset = q.split === 'test' ? 10_000 : 0;
      for (let i = 0; i < lim; i++) yield sumTask(i + offset);
    },
    verify(task, solution) {
      return { correct: solution.trim() === task.answer, answer: solution.trim() };
    },
  };
}

/** A best-of-n search that returns every sample (no selection beyond the reward). */
export function sampleSearch(n: number, temperature = 1): Search {
  return {
    name: `fake-sample(${n})`,
    async search(env) {
      const res = await env.policy.generate({ prompt: env.task.prompt, n, temperature });
      const candidates = [];
      for (const c of res.completions) candidates.push({ text: c.text, steps: [c.text], tokens: c.tokens, reward: await env.reward.score(env.task, c.text) });
      const best = candidates.find((c) => c.reward.correct) ?? candidates[0]!;
      return { best, candidates, stats: { samples: candidates.length }, usage: res.usage };
    },
  };
}

export interface FakeEnvOptions {
  policy?: TrainablePolicy;
  tasks?: TaskSource;
  records?: TrajectoryRecord[];
  outDir: string;
  search?: Search;
  signal?: AbortSignal;
}

export function fakeLearnEnv(o: FakeEnvOptions): LearnEnv & { policy: TrainablePolicy } {
  const tasks = o.tasks ?? sumSource();
  const policy = o.policy ?? new FakeTrainablePolicy({ completions: sumCompletions });
  const reward: Reward = {
    kind: 'outcome', needsGold: false,
    async score(task, solution) { const v = await tasks.verify!(task, solution); return { value: v.correct ? 1 : 0, correct: v.correct, answer: v.answer }; },
  };
  const grader = { name: 'sum.verify', grade: async (task: Task, s: string) => tasks.verify!(task, s) };
  const hooks = createHooks();
  const budget = new Budget();
  const signal = o.signal ?? new AbortController().signal;
  const search = o.search ?? sampleSearch(8);
  const rng = createRng(7);
  return {
    tasks, trainSplit: 'train', policy, reward, grader, search, hooks, budget, rng, signal,
    logger: createLogger('silent'), outDir: o.outDir,
    ...(o.records ? { records: o.records } : {}),
    rollout: (t, ro) => rollout({ policy, reward, grader, search, hooks, budget, rng: rng.fork('rollout'), signal, steps: lineSteps, concurrency: 4, keepCandidates: 64 }, t, ro),
  };
}

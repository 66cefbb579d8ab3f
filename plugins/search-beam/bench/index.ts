/**
 * Orchestration overhead of search-beam and search-refine: their own CPU time per task with a
 * zero-latency random Countdown policy (src/testing.ts) and the real Countdown checker as reward,
 * through core's instrumentation (hooks, budget reservation), at a 630-token budget per task and
 * without early stop — against best-of-16 (search-bon) on the same policy in the same process.
 * `usPerTask` includes the fake policy and the checker (replay + reachability solver, called per
 * node); `usOverheadPerTask` subtracts the time spent inside them: the search's own share
 * (planning, tree bookkeeping, hooks, budget reservation, instrumentation).
 */
import { createHooks, createRng, verifierReward, type Reward, type Search, type Task } from '@reasoner/core';
import bon from '@reasoner/plugin-search-bon';
import refine from '@reasoner/plugin-search-refine';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import beam from '../src/index.js';
import { fakeEnv, randomCountdownPolicy } from '../src/testing.js';

const TASKS = process.env.BENCH_QUICK === '1' ? 100 : 400;
const BUDGET = 630;
const source = countdownSource();
const reward = verifierReward(source);

async function make(def: { definition: { setup: unknown } }, options: Record<string, unknown>): Promise<Search> {
  const ctx = { hooks: createHooks(), logger: undefined as never, configDir: process.cwd(), rng: createRng(0), onClose() {}, service: () => undefined };
  return (def.definition.setup as (c: unknown, o: unknown) => Search)(ctx, options);
}

// One hook set for the whole run, as the kernel has (tapable compiles a hook on its first call).
const hooks = createHooks();

/** Time spent inside the fake policy and the checker, so the search's own share can be told apart. */
let inside = 0n;
const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
  const t = process.hrtime.bigint();
  try { return await fn(...a); } finally { inside += process.hrtime.bigint() - t; }
};
const timedReward: Reward = { kind: reward.kind, needsGold: reward.needsGold, score: timed(reward.score.bind(reward)), scoreSteps: timed(reward.scoreSteps!.bind(reward)) };

async function time(search: Search, tasks: Task[]): Promise<{ usPerTask: number; usOverheadPerTask: number; tokensPerTask: number; callsPerTask: number }> {
  let tokens = 0, calls = 0;
  const once = async (task: Task, seed: number): Promise<void> => {
    const inner = randomCountdownPolicy({ pCorrect: 0.7 });
    const policy = { ...inner, generate: timed(inner.generate.bind(inner)) };
    const env = fakeEnv({ task, policy, reward: timedReward, budget: { tokens: BUDGET }, seed, hooks });
    const r = await search.search(env);
    tokens += r.usage.promptTokens + r.usage.completionTokens;
    calls += r.usage.calls;
  };
  for (let i = 0; i < 20; i++) await once(tasks[i % tasks.length]!, 10_000 + i); // warm-up
  tokens = 0; calls = 0; inside = 0n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < tasks.length; i++) await once(tasks[i]!, i);
  const us = Number(process.hrtime.bigint() - t0) / 1e3;
  const own = us - Number(inside) / 1e3;
  return { usPerTask: +(us / tasks.length).toFixed(1), usOverheadPerTask: +(own / tasks.length).toFixed(1), tokensPerTask: +(tokens / tasks.length).toFixed(1), callsPerTask: +(calls / tasks.length).toFixed(2) };
}

export default {
  name: 'search-beam',
  async run(): Promise<Record<string, unknown>> {
    const tasks: Task[] = [];
    for await (const t of source.tasks({ split: 'test', limit: TASKS })) tasks.push(t);
    const bon16 = await time(await make(bon, { n: 16, select: 'reward', temperature: 0.8, topP: 1, batch: 64 }), tasks);
    const out: Record<string, unknown> = { tasks: tasks.length, budgetTokensPerTask: BUDGET, bon16 };
    for (const [name, def, o] of [
      ['beam-bfs-2x2', beam, { stopOnCorrect: false }],
      ['beam-4x4', beam, { strategy: 'beam', width: 4, expansions: 4, stopOnCorrect: false }],
      ['dvts-4x4', beam, { strategy: 'dvts', width: 4, expansions: 4, stopOnCorrect: false }],
      ['refine-checker', refine, { maxRevisions: 10_000 }],
    ] as const) {
      const r = await time(await make(def, o), tasks);
      out[name] = { ...r, usOverheadPerCall: +(r.usOverheadPerTask / r.callsPerTask).toFixed(1), overheadRatioToBon16: +(r.usOverheadPerTask / bon16.usOverheadPerTask).toFixed(2) };
    }
    return out;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const mod = await import(import.meta.url);
  process.stdout.write(JSON.stringify(await mod.default.run(), null, 2) + '\n');
}

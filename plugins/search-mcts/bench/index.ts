/**
 * search-mcts orchestration overhead: the search's own CPU time per task with a zero-latency
 * fake policy and reward (testing.ts: a 4-step toy task, steps right with p = 0.45, process
 * reward rejecting the first bad step), at a 630-token budget per task and without early stop
 * (stopAt 2), against best-of-16 (search-bon) on the same fake policy in the same process.
 * The accuracy benchmark on the real policy is bench/countdown.ts (minutes, not part of this).
 */
import { createHooks, createRng, type Search } from '@reasoner/core';
import bon from '@reasoner/plugin-search-bon';
import mcts from '../src/index.js';
import { FakeBudget, fakeEnv, fakePolicy, fakeReward } from '../src/testing.js';

const TASKS = Number(process.env.BENCH_QUICK === '1' ? 100 : 500);
const BUDGET = 630;

async function make(def: typeof bon | typeof mcts, options: Record<string, unknown>): Promise<Search> {
  const ctx = { hooks: createHooks(), logger: undefined as never, configDir: process.cwd(), rng: createRng(0), onClose() {}, service: () => undefined };
  return (def.definition.setup as (c: unknown, o: unknown) => Search)(ctx, options);
}

async function time(search: Search): Promise<{ usPerTask: number; simsPerTask: number; tokensPerTask: number }> {
  let sims = 0, tokens = 0;
  const once = async (seed: number): Promise<void> => {
    const budget = new FakeBudget(BUDGET);
    const r = await search.search(fakeEnv({ policy: fakePolicy({ depth: 4, p: 0.45, budget }), reward: fakeReward(4), budget, seed }));
    sims += r.stats.simulations ?? r.stats.samples ?? 0;
    tokens += budget.tokens;
  };
  for (let i = 0; i < 20; i++) await once(10_000 + i); // warm-up
  sims = 0; tokens = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < TASKS; i++) await once(i);
  const us = Number(process.hrtime.bigint() - t0) / 1e3;
  return { usPerTask: +(us / TASKS).toFixed(1), simsPerTask: +(sims / TASKS).toFixed(2), tokensPerTask: +(tokens / TASKS).toFixed(1) };
}

export default {
  name: 'search-mcts',
  async run(): Promise<Record<string, unknown>> {
    const baseline = await time(await make(bon, { n: 16, select: 'reward' }));
    const hybrid = await time(await make(mcts, { stopAt: 2 }));
    const rollout = await time(await make(mcts, { stopAt: 2, expand: 'rollout' }));
    return {
      tasks: TASKS,
      budgetTokensPerTask: BUDGET,
      bon16: baseline,
      mctsHybrid: { ...hybrid, usPerSimulation: +(hybrid.usPerTask / hybrid.simsPerTask).toFixed(1), ratioToBon16: +(hybrid.usPerTask / baseline.usPerTask).toFixed(2) },
      mctsRollout: { ...rollout, usPerSimulation: +(rollout.usPerTask / rollout.simsPerTask).toFixed(1), ratioToBon16: +(rollout.usPerTask / baseline.usPerTask).toFixed(2) },
    };
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const mod = await import(import.meta.url);
  process.stdout.write(JSON.stringify(await mod.default.run(), null, 2) + '\n');
}

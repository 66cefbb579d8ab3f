import { describe, expect, it } from 'vitest';
import { createHooks, isReasonerError, type SearchResult, type Task } from '@reasoner/core';
import { mctsDefaults, runMcts, type MctsOptions } from './mcts.js';
import { FakeBudget, fakeEnv, fakePolicy, fakeReward } from './testing.js';

const opts = (o: Partial<MctsOptions> = {}): MctsOptions => ({ ...mctsDefaults, ...o });
const strip = (r: SearchResult) => JSON.stringify({ best: r.best, candidates: r.candidates, tree: r.tree, stats: r.stats, usage: r.usage });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'none'; } catch (e) { return isReasonerError(e) ? e.code : `raw: ${String(e)}`; }
}

describe('search-mcts on a toy task', () => {
  it('finds the solution the process reward leads to, and keeps every finished candidate and the tree', async () => {
    const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 4, p: 0.4 }), reward: fakeReward(4) }), opts({ stopAt: 2, simulations: 200 }));
    expect(r.best.steps).toEqual(['ok0', 'ok1', 'ok2', 'ok3']);
    expect(r.best.reward?.value).toBe(1);
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) expect(c.text).toBe(c.steps.join('\n'));
    // Dead ends were pruned at their first bad step: no node continues under a bad step.
    const tree = r.tree!;
    for (const n of tree) if (n.steps.some((s) => s.startsWith('bad'))) expect(n.children).toEqual([]);
    expect(tree[0]!.visits).toBe(r.stats.simulations);
    expect(r.stats.deadEnds).toBeGreaterThan(0);
  });

  it('stops at the first solution the reward accepts (stopAt) and beats plain sampling on the same budget', async () => {
    let solved = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const budget = new FakeBudget(250);
      const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 4, p: 0.45, budget }), reward: fakeReward(4), budget, seed }), opts());
      if (r.best.reward?.value === 1) solved++;
    }
    // 250 tokens buy 11 independent samples (5 prompt + 16 tokens) right with p = 0.45⁴ ≈ 4.1 %:
    // best-of-11 would solve 1 − 0.959¹¹ ≈ 37 %. Pruning at the first bad step does far better.
    expect(solved).toBeGreaterThanOrEqual(15);
  });

  it('replays exactly with the same seed', async () => {
    const run = (seed: number) => {
      const budget = new FakeBudget(400);
      return runMcts(fakeEnv({ policy: fakePolicy({ depth: 5, p: 0.5, budget }), reward: fakeReward(5), budget, seed }), opts({ stopAt: 2 }));
    };
    const a = strip(await run(7)), b = strip(await run(7)), c = strip(await run(8));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('never spends more than the per-task token budget plus one step', async () => {
    for (const limit of [12, 30, 57, 100, 233, 640]) {
      for (const expand of ['hybrid', 'rollout', 'step'] as const) {
        const budget = new FakeBudget(limit);
        const env = fakeEnv({ policy: fakePolicy({ depth: 6, p: 0.3, budget }), reward: fakeReward(6), budget });
        const r = await runMcts(env, opts({ expand, stopAt: 2, minTokens: 3 })).catch((e) => e);
        const step = 'ok0\n'.length;
        expect(budget.tokens, `${expand} @ ${limit}`).toBeLessThanOrEqual(limit + step);
        if (!(r instanceof Error)) expect(r.usage.promptTokens + r.usage.completionTokens).toBe(budget.tokens);
      }
    }
  });

  it('expands several different leaves in one batched round (virtual loss)', async () => {
    const rounds: string[][] = [];
    const budget = new FakeBudget(5000);
    await runMcts(fakeEnv({ policy: fakePolicy({ depth: 6, p: 0.6, rounds, budget }), reward: fakeReward(6), budget }), opts({ batch: 8, stopAt: 2, simulations: 96, expand: 'step' }));
    // The first round can only sample the root; later rounds spread over distinct prefixes.
    const distinct = rounds.map((r) => new Set(r).size);
    expect(rounds.length).toBeGreaterThan(2);
    expect(Math.max(...distinct)).toBeGreaterThan(2);
  });

  it('fires the four tree hooks; searchExpand can prune children and searchEvaluate can change values', async () => {
    const hooks = createHooks();
    const seen = { select: 0, expand: 0, evaluate: 0, backup: 0 };
    hooks.searchSelect.tapPromise('t', async (n) => { seen.select++; return n; });
    hooks.searchExpand.tapPromise('t', async (children) => { seen.expand++; return children.filter((c) => !c.steps.at(-1)!.endsWith('1')); });
    hooks.searchEvaluate.tapPromise('t', async (v) => { seen.evaluate++; return v; });
    hooks.searchBackup.tapPromise('t', async () => { seen.backup++; });
    const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 3, p: 0.7 }), reward: fakeReward(3), hooks }), opts({ simulations: 30, stopAt: 2, expand: 'step' }));
    expect(seen.select).toBeGreaterThan(0);
    expect(seen.expand).toBeGreaterThan(0);
    expect(seen.evaluate).toBe(r.stats.simulations);
    expect(seen.backup).toBe(r.stats.simulations);
    // Every `…1` step was filtered by the hook, so no finished solution could pass through it.
    expect(r.candidates.length).toBe(0);
  });

  it('works without logprobs (UCT) and without a process reward', async () => {
    const reward = fakeReward(3);
    const outcomeOnly = { kind: reward.kind, needsGold: false, score: reward.score.bind(reward) };
    const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 3, p: 0.5, logprobs: false }), reward: outcomeOnly }), opts({ simulations: 64 }));
    expect(r.best.reward?.value).toBe(1);
    expect(r.tree!.every((n) => n.prior === undefined)).toBe(true);
  });
});

describe('search-mcts on bad input', () => {
  it('a zero budget is a clear RSN_ERR_BUDGET_EXHAUSTED', async () => {
    const budget = new FakeBudget(0);
    expect(await codeOf(runMcts(fakeEnv({ policy: fakePolicy({ budget }), budget }), opts()))).toBe('RSN_ERR_BUDGET_EXHAUSTED');
    const tiny = new FakeBudget(5);
    expect(await codeOf(runMcts(fakeEnv({ policy: fakePolicy({ budget: tiny }), budget: tiny }), opts()))).toBe('RSN_ERR_BUDGET_EXHAUSTED');
  });

  it('caps the tree (maxNodes) and returns its best so far', async () => {
    const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 40, p: 0.9 }), reward: fakeReward(40) }), opts({ maxNodes: 50, simulations: 10_000, maxDepth: 100 }));
    expect(r.tree!.length).toBeLessThanOrEqual(50);
    expect(r.stats.stoppedByNodes).toBe(1);
    expect(r.best.steps.length).toBeGreaterThan(0);
  });

  it('a reward that throws: RSN_ERR_REWARD when nothing was found, best so far otherwise', async () => {
    expect(await codeOf(runMcts(fakeEnv({ policy: fakePolicy(), reward: fakeReward(3, { throwAfter: 0 }) }), opts()))).toBe('RSN_ERR_REWARD');
    // Fails on the first call after a solution was found (the search goes on: stopAt 2).
    const inner = fakeReward(3);
    let found = false;
    const flaky = {
      kind: inner.kind, needsGold: false,
      async score(t: Task, s: string) { if (found) throw new Error('reward backend is down'); const r = await inner.score(t, s); found ||= r.value === 1; return r; },
      async scoreSteps(t: Task, st: string[]) { if (found) throw new Error('reward backend is down'); return inner.scoreSteps!(t, st); },
    };
    const r = await runMcts(fakeEnv({ policy: fakePolicy({ depth: 3, p: 0.8 }), reward: flaky }), opts({ stopAt: 2, simulations: 500 }));
    expect(r.stats.rewardFailed).toBe(1);
    expect(r.candidates.length).toBeGreaterThan(0);
  });

  it('a reward that hangs fails after rewardTimeoutMs, not never', async () => {
    const t0 = Date.now();
    expect(await codeOf(runMcts(fakeEnv({ policy: fakePolicy(), reward: fakeReward(3, { hang: true }) }), opts({ rewardTimeoutMs: 50 })))).toBe('RSN_ERR_REWARD');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('cancellation mid-search returns the best so far (or RSN_ERR_ABORTED before anything)', async () => {
    const ac = new AbortController();
    let calls = 0;
    const policy = fakePolicy({ depth: 8, p: 0.5, onCall: () => { if (++calls === 6) ac.abort(); } });
    const r = await runMcts(fakeEnv({ policy, reward: fakeReward(8), signal: ac.signal }), opts({ stopAt: 2, simulations: 10_000, batch: 1 }));
    expect(r.stats.cancelled).toBe(1);
    expect(r.stats.simulations).toBeLessThan(10);
    const early = new AbortController();
    early.abort();
    expect(await codeOf(runMcts(fakeEnv({ policy: fakePolicy(), signal: early.signal }), opts()))).toBe('RSN_ERR_ABORTED');
  });
});

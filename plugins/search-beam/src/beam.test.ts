import { describe, expect, it } from 'vitest';
import { createHooks, isReasonerError, ReasonerError, verifierReward, type Reward, type SearchNode, type Task } from '@reasoner/core';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import { aggregate, beamSearch } from './beam.js';
import { beamDefaults, type BeamOptions } from './options.js';
import { fakeEnv, randomCountdownPolicy } from './testing.js';

const source = countdownSource({ seed: 3 });
const checker = verifierReward(source);
async function tasks(n: number): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of source.tasks({ split: 'test', limit: n })) out.push(t);
  return out;
}
const opts = (o: Partial<BeamOptions> = {}): BeamOptions => ({ ...beamDefaults, ...o });

function wellFormed(tree: SearchNode[]): void {
  tree.forEach((n, i) => {
    expect(n.id).toBe(i);
    for (const c of n.children) expect(tree[c]!.parent).toBe(n.id);
    if (n.parent !== null) expect(tree[n.parent]!.children).toContain(n.id);
  });
}

describe('search-beam', () => {
  it('finds more correct solutions than the first sample, with every strategy', async () => {
    const ts = await tasks(30);
    let first = 0;
    for (const task of ts) {
      const env = fakeEnv({ task, policy: randomCountdownPolicy(), reward: checker });
      const one = await env.policy.generate({ prompt: task.prompt, n: 1, seed: 7 });
      if ((await checker.score(task, one.completions[0]!.text)).correct) first++;
    }
    for (const strategy of ['beam', 'bfs', 'dfs', 'dvts'] as const) {
      let solved = 0;
      for (const task of ts) {
        const env = fakeEnv({ task, policy: randomCountdownPolicy(), reward: checker, budget: { tokens: 2000 } });
        const r = await beamSearch(env, opts({ strategy }));
        wellFormed(r.tree!);
        if (r.best.reward?.correct) {
          solved++;
          expect((await source.verify!(task, r.best.text)).correct).toBe(true);
          expect(r.stats.stoppedByCorrect).toBe(1);
        }
      }
      expect(solved, strategy).toBeGreaterThan(first + 5);
    }
  });

  it('replays exactly with a fixed seed, and differs with another', async () => {
    const [task] = await tasks(1);
    const run = (seed: number) => beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy({ pCorrect: 0.6 }), reward: checker, seed, budget: { tokens: 1500 } }), opts({ stopOnCorrect: false }));
    const a = await run(5), b = await run(5), c = await run(6);
    expect(b).toEqual(a);
    expect(JSON.stringify(c.tree)).not.toBe(JSON.stringify(a.tree));
  });

  it('never spends more than its token budget', async () => {
    const ts = await tasks(8);
    for (const tokens of [30, 60, 150, 400, 900]) {
      for (const strategy of ['beam', 'bfs', 'dfs', 'dvts'] as const) {
        for (const task of ts) {
          const env = fakeEnv({ task, policy: randomCountdownPolicy({ pCorrect: 0.5 }), reward: checker, budget: { tokens } });
          const r = await beamSearch(env, opts({ strategy, stopOnCorrect: false, lookahead: strategy === 'bfs' ? 1 : 0 }));
          const spent = env.budgetImpl.spent().tokens;
          expect(spent, `${strategy} @${tokens}`).toBeLessThanOrEqual(tokens);
          expect(r.usage.promptTokens + r.usage.completionTokens).toBe(spent);
        }
      }
    }
  });

  it('expands all selected nodes in one batched round (requests in flight together)', async () => {
    const [task] = await tasks(1);
    const inner = randomCountdownPolicy();
    let inFlight = 0, peak = 0;
    const policy = { ...inner, async generate(req: Parameters<typeof inner.generate>[0]) {
      inFlight++; peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      try { return await inner.generate(req); } finally { inFlight--; }
    } };
    const allValid: Reward = { kind: 'process', needsGold: false, score: checker.score.bind(checker), scoreSteps: async (_t, steps) => steps.map(() => 1) };
    const env = fakeEnv({ task: task!, policy, reward: allValid, budget: { tokens: 3000 } });
    const r = await beamSearch(env, opts({ strategy: 'beam', width: 4, expansions: 2, stopOnCorrect: false }));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    expect(r.stats.rounds).toBeLessThan(inner.requests.length);
    // Every step request continues a prefix up to the delimiter.
    for (const req of inner.requests) expect(req.stop).toEqual(['\n']);
  });

  it('fires the tree hooks; searchExpand can filter children', async () => {
    const [task] = await tasks(1);
    const hooks = createHooks();
    const seen = { select: 0, expand: 0, evaluate: 0, backup: 0 };
    hooks.searchSelect.tapPromise('t', async (n) => { seen.select++; return n; });
    hooks.searchExpand.tapPromise('t', async (kids) => { seen.expand++; return kids.slice(0, 1); });
    let evaluatedPerExpand = 0;
    hooks.searchExpand.tapPromise('t2', async (kids) => { evaluatedPerExpand = Math.max(evaluatedPerExpand, kids.length); return kids; });
    hooks.searchEvaluate.tapPromise('t', async (v) => { seen.evaluate++; return v; });
    hooks.searchBackup.tapPromise('t', async () => { seen.backup++; });
    const r = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: checker, hooks, budget: { tokens: 800 } }), opts());
    expect(Object.values(seen).every((x) => x > 0)).toBe(true);
    expect(evaluatedPerExpand).toBe(1);
    expect(seen.evaluate).toBeLessThanOrEqual(seen.expand);
    expect(seen.evaluate).toBe(seen.backup);
    expect(r.tree!.length).toBeGreaterThan(seen.evaluate);
  });

  it('ranks by logprobs when the reward has no scoreSteps; refuses when neither exists', async () => {
    const [task] = await tasks(1);
    const outcomeOnly: Reward = { kind: 'outcome', needsGold: false, score: checker.score.bind(checker) };
    const r = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: outcomeOnly, budget: { tokens: 600 } }), opts());
    expect(r.tree!.length).toBeGreaterThan(1);
    const err = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy({ logprobs: false }), reward: outcomeOnly }), opts()).catch((e) => e);
    expect(isReasonerError(err) && err.code).toBe('RSN_ERR_INPUT');
    const noPrefix = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy({ prefix: false }), reward: checker }), opts()).catch((e) => e);
    expect(isReasonerError(noPrefix) && noPrefix.code).toBe('RSN_ERR_INPUT');
  });

  it('zero budget: RSN_ERR_BUDGET_EXHAUSTED; tiny budget: a partial best', async () => {
    const [task] = await tasks(1);
    const zero = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: checker, budget: { tokens: 0 } }), opts()).catch((e) => e);
    expect(isReasonerError(zero) && zero.code).toBe('RSN_ERR_BUDGET_EXHAUSTED');
    const small = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: checker, budget: { tokens: task!.prompt.length + 6 } }), opts());
    expect(small.best.steps.length).toBeGreaterThanOrEqual(0);
    expect(small.stats.stoppedByBudget).toBe(1);
  });

  it('a reward that throws or hangs fails with RSN_ERR_REWARD', async () => {
    const [task] = await tasks(1);
    const throwing: Reward = { kind: 'process', needsGold: false, score: async () => ({ value: 0 }), scoreSteps: async () => { throw new Error('boom'); } };
    const e1 = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: throwing }), opts()).catch((e) => e);
    expect(isReasonerError(e1) && e1.code).toBe('RSN_ERR_REWARD');
    expect(String(e1.message)).toContain('boom');
    const hanging: Reward = { kind: 'process', needsGold: false, score: async () => ({ value: 0 }), scoreSteps: () => new Promise(() => {}) };
    const t0 = Date.now();
    const e2 = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: hanging }), opts({ rewardTimeoutMs: 50 })).catch((e) => e);
    expect(isReasonerError(e2) && e2.code).toBe('RSN_ERR_REWARD');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('cancellation mid-search returns the best so far; before the first step it is RSN_ERR_ABORTED', async () => {
    const [task] = await tasks(1);
    const ac = new AbortController();
    const inner = randomCountdownPolicy({ pCorrect: 0.3 });
    const policy = { ...inner, async generate(req: Parameters<typeof inner.generate>[0]) { if (inner.requests.length >= 3) ac.abort(); return inner.generate(req); } };
    const r = await beamSearch(fakeEnv({ task: task!, policy, reward: checker, signal: ac.signal }), opts({ stopOnCorrect: false }));
    expect(r.tree!.length).toBeGreaterThan(1);
    expect(r.best).toBeDefined();
    const ac2 = new AbortController();
    ac2.abort();
    const e = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: checker, signal: ac2.signal }), opts()).catch((x) => x);
    expect(isReasonerError(e) && e.code).toBe('RSN_ERR_ABORTED');
  });

  it('a path that fills the context window ends there instead of failing the search', async () => {
    const [task] = await tasks(1);
    const inner = randomCountdownPolicy({ pCorrect: 0.3 });
    const policy = { ...inner, async generate(req: Parameters<typeof inner.generate>[0]) {
      if ((req.prefix ?? '').split('\n').length > 2) throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', 'too long');
      return inner.generate(req);
    } };
    const allValid: Reward = { kind: 'process', needsGold: false, score: checker.score.bind(checker), scoreSteps: async (_t, steps) => steps.map(() => 1) };
    const r = await beamSearch(fakeEnv({ task: task!, policy, reward: allValid, budget: { tokens: 1500 } }), opts({ stopOnCorrect: false }));
    expect(r.stats.contextFull).toBeGreaterThan(0);
    expect(r.candidates.length).toBeGreaterThan(0);
  });

  it('stops at maxNodes', async () => {
    const [task] = await tasks(1);
    const r = await beamSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy({ pCorrect: 0.2 }), reward: checker }), opts({ maxNodes: 20, stopOnCorrect: false }));
    expect(r.tree!.length).toBeLessThanOrEqual(20);
  });

  it('aggregates step scores', () => {
    expect(aggregate([1, 0.5, 0.8], 'last')).toBe(0.8);
    expect(aggregate([1, 0.5, 0.8], 'min')).toBe(0.5);
    expect(aggregate([1, 0.5, 0.8], 'prod')).toBeCloseTo(0.4);
    expect(aggregate([1, 0.5, 0.9], 'mean')).toBeCloseTo(0.8);
    expect(aggregate([], 'last')).toBe(1);
  });
});

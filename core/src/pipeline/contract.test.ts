import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import bon from '@reasoner/plugin-search-bon';
import { definePlugin } from '../kernel/define.js';
import { kernelFromConfig } from '../kernel/load.js';
import { instrumentPolicy, verifierReward } from '../kernel/instrument.js';
import { createHooks } from '../kernel/hooks.js';
import { memoryPolicy, memoryTasks } from '../testing/memory-plugins.js';
import { tempProject } from '../testing/temp-project.js';
import type { Reward } from '../types/reward.js';
import type { SearchNode } from '../types/search.js';
import { createRng } from '../util/rng.js';
import { Budget, fitRequest } from './budget.js';
import { keepTree } from './keep.js';
import { runPipeline } from './run.js';

const p = tempProject('contract');
afterAll(() => p.cleanup());
const records = (dir: string) => readFileSync(`${dir}/trajectories.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** A reward that knows nothing of correctness (like a learned PRM): prefers longer answers. */
const lengthReward = definePlugin<Record<string, never>, 'reward'>({
  name: 'length-reward', kind: 'reward', apiVersion: 1,
  setup: (): Reward => ({ kind: 'process', needsGold: false, async score(_t, s) { return { value: s.length / 100 }; } }),
});

/** An outcome reward against the gold answer (an oracle if it guides the search). */
const goldReward = definePlugin<Record<string, never>, 'reward'>({
  name: 'gold-reward', kind: 'reward', apiVersion: 1,
  setup: (): Reward => ({
    kind: 'outcome', needsGold: true,
    async score(task, s) { const ok = s.trim().endsWith(`ans ${task.answer}`); return { value: ok ? 1 : 0, correct: ok }; },
  }),
});

describe('grader ≠ reward', () => {
  it('correct comes from the task checker even when a reward without a notion of correct guides the search', async () => {
    const k = await kernelFromConfig({
      policy: memoryPolicy({ accuracy: 0.5 }), tasks: memoryTasks({ count: 20 }), reward: lengthReward, search: bon({ n: 8, select: 'reward' }),
      run: { out: p.dir },
    });
    const { dir, summary } = await runPipeline(k);
    await k.close();
    const recs = records(dir);
    for (const r of recs) {
      const sum = r.prompt.split('+').map(Number).reduce((a: number, b: number) => a + b, 0);
      expect(r.correct).toBe(r.solution.endsWith(`ans ${sum}`));
      expect(r.reward.correct).toBeUndefined();
      expect(r.candidates).toHaveLength(8);
      for (const c of r.candidates) expect(c.correct).toBe(c.text.endsWith(`ans ${sum}`));
    }
    expect(summary.correct).toBe(recs.filter((r) => r.correct).length);
    expect(summary.correct).toBeGreaterThan(0);
    expect(summary.grader).toBe('memory-tasks.verify');
    expect(summary.oracle).toBe(false);
  });

  it('a gold-reading reward guiding the search is refused unless run.oracle; then records say oracle', async () => {
    const cfg = { policy: memoryPolicy, tasks: memoryTasks({ count: 4 }), reward: goldReward, search: bon({ n: 4, select: 'reward' }) };
    const k = await kernelFromConfig({ ...cfg, run: { out: p.dir } });
    await expect(runPipeline(k)).rejects.toMatchObject({ code: 'RSN_ERR_ORACLE' });
    await k.close();
    const k2 = await kernelFromConfig({ ...cfg, run: { out: p.dir, oracle: true } });
    const { dir, summary } = await runPipeline(k2);
    await k2.close();
    expect(summary.oracle).toBe(true);
    expect(records(dir).every((r) => r.oracle === true)).toBe(true);
  });

  it('majority vote does not choose by the reward, so a gold-reading reward is no oracle there', async () => {
    const k = await kernelFromConfig({ policy: memoryPolicy, tasks: memoryTasks({ count: 3 }), reward: goldReward, search: bon({ n: 4, select: 'majority' }), run: { out: p.dir } });
    const { summary } = await runPipeline(k);
    await k.close();
    expect(summary.oracle).toBe(false);
  });

  it('run.keep caps the candidates kept per record', async () => {
    const k = await kernelFromConfig({ policy: memoryPolicy, tasks: memoryTasks({ count: 2 }), search: bon({ n: 16, select: 'reward' }), run: { out: p.dir, keep: { candidates: 5 } } });
    const { dir } = await runPipeline(k);
    await k.close();
    for (const r of records(dir)) {
      expect(r.search.candidates).toBe(16);
      expect(r.candidates).toHaveLength(5);
    }
  });
});

describe('budgets are reserved before the call', () => {
  it('fitRequest keeps n while whole samples fit, then shortens the last one', () => {
    expect(fitRequest(Infinity, 10, 16, 96)).toEqual({ n: 16, maxTokens: 96 });
    expect(fitRequest(630, 20, 16, 96)).toEqual({ n: 5, maxTokens: 96 });
    expect(fitRequest(60, 20, 16, 96)).toEqual({ n: 1, maxTokens: 40 });
    expect(fitRequest(20, 20, 16, 96)).toBeNull();
    expect(fitRequest(400, 10, 4, undefined)).toEqual({ n: 4, maxTokens: 90 });
    // the policy's own cap reserves without shortening: 630 / (20 + 96) = 5 full samples
    expect(fitRequest(630, 20, 16, undefined, 96)).toEqual({ n: 5, maxTokens: undefined });
  });

  it('best-of-16 under a 60-token task budget spends at most 60, in several calls', async () => {
    const k = await kernelFromConfig({
      policy: memoryPolicy, tasks: memoryTasks({ count: 5 }), search: bon({ n: 16, maxTokens: 8 }),
      run: { out: p.dir, budget: { perTask: { tokens: 60 } } },
    });
    const { dir } = await runPipeline(k);
    await k.close();
    for (const r of records(dir)) {
      expect(r.error).toBeUndefined();
      expect(r.usage.promptTokens + r.usage.completionTokens).toBeLessThanOrEqual(60);
      expect(r.search.stats.samples).toBeGreaterThan(1);
    }
  });

  it('concurrent tasks cannot all spend the same remainder of a run budget', async () => {
    const k = await kernelFromConfig({
      policy: memoryPolicy({ delayMs: 5 }), tasks: memoryTasks({ count: 200 }), search: bon({ n: 4, batch: 4, maxTokens: 8 }),
      run: { out: p.dir, concurrency: 16, budget: { perRun: { tokens: 3000 } } },
    });
    const { summary } = await runPipeline(k);
    await k.close();
    expect(summary.stoppedBy).toBe('budget');
    expect(summary.usage.promptTokens + summary.usage.completionTokens).toBeLessThanOrEqual(3000);
  });

  it('remaining() reports the nearest of task and run limits; spent() the task', () => {
    const run = new Budget({ tokens: 100, calls: 10 });
    const task = run.child({ tokens: 30 });
    task.spend(25, 2);
    expect(task.remaining()).toMatchObject({ tokens: 5, calls: 8 });
    expect(task.spent()).toMatchObject({ tokens: 25, calls: 2 });
    const release = task.hold(5);
    expect(task.exhausted()).toBe('tokens');
    release();
    expect(task.exhausted()).toBeNull();
  });

  it('the instrumented policy shrinks n to what is left instead of overspending', async () => {
    const hooks = createHooks();
    const budget = new Budget({ tokens: 100 });
    const seen: number[] = [];
    const inner = {
      id: 'p', capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      async generate(req: { n?: number; maxTokens?: number }) {
        seen.push(req.n ?? 1);
        const n = req.n ?? 1;
        return { completions: Array.from({ length: n }, () => ({ text: 'x'.repeat(10), tokens: 10, finishReason: 'length' as const })), usage: { promptTokens: 10 * n, completionTokens: 10 * n, calls: 1 } };
      },
    };
    const policy = instrumentPolicy(inner, { hooks, task: { id: 't', prompt: 'x'.repeat(10) }, budget, rng: createRng(1), signal: new AbortController().signal });
    const r = await policy.generate({ prompt: 'x'.repeat(10), n: 16, maxTokens: 10 });
    expect(r.completions).toHaveLength(5);
    expect(seen).toEqual([5]);
    expect(budget.tokens).toBe(100);
    await expect(policy.generate({ prompt: 'x'.repeat(10), n: 1, maxTokens: 10 })).rejects.toMatchObject({ code: 'RSN_ERR_BUDGET_EXHAUSTED' });
  });
});

describe('steps and process rewards from the task checker', () => {
  it('verifierReward exposes verifyPartial as scoreSteps: 1 while valid, 0 from the first invalid step (or a dead end)', async () => {
    const source = {
      name: 's', async *tasks() {},
      verify: () => ({ correct: false }),
      verifyPartial: (_t: unknown, steps: string[]) => ({ correct: false, steps: steps.map((s) => (s.startsWith('ok') ? 1 : 0)), detail: { reachable: !steps.includes('ok-dead') } }),
    };
    const r = verifierReward(source);
    expect(r.needsGold).toBe(false);
    expect(await r.scoreSteps!({ id: 't', prompt: '' }, ['ok', 'bad', 'ok'])).toEqual([1, 0, 0]);
    expect(await r.scoreSteps!({ id: 't', prompt: '' }, ['ok', 'ok'])).toEqual([1, 1]);
    expect(await r.scoreSteps!({ id: 't', prompt: '' }, ['ok', 'ok-dead'])).toEqual([1, 0]);
    // a dead end in the middle makes every later prefix 0 too
    expect(await r.scoreSteps!({ id: 't', prompt: '' }, ['ok', 'ok-dead', 'ok'])).toEqual([1, 0, 0]);
  });
});

describe('keepTree', () => {
  it('keeps the best path first, then the most visited nodes, within the cap', () => {
    const node = (id: number, parent: number | null, depth: number, visits: number, terminal = false, reward?: number): SearchNode =>
      ({ id, parent, steps: Array.from({ length: depth }, (_, i) => `s${i}`), visits, value: 0, terminal, children: [], ...(reward !== undefined ? { reward } : {}) });
    const tree = [node(0, null, 0, 10), node(1, 0, 1, 6), node(2, 0, 1, 4), node(3, 2, 2, 1), node(4, 3, 3, 1, true, 1), node(5, 1, 2, 5)];
    tree[0]!.children = [1, 2]; tree[1]!.children = [5]; tree[2]!.children = [3]; tree[3]!.children = [4];
    const kept = keepTree(tree, 5);
    expect(kept.nodes).toBe(6);
    expect(kept.maxDepth).toBe(3);
    expect(kept.kept.map((n) => n.id).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(kept.kept.find((n) => n.id === 1)!.children).toEqual([]);
  });
});

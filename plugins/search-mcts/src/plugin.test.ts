import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin, kernelFromConfig, runPipeline, type Policy, type TaskSource } from '@reasoner/core';
import { tempProject } from '@reasoner/core/testing';
import { fakePolicy } from './testing.js';

const p = tempProject('search-mcts');
afterAll(() => p.cleanup());

/** Toy tasks with a prompt-only checker and step checker (solution: ok0 ok1 ok2). */
const toyTasks = definePlugin<Record<string, never>, 'task'>({
  name: 'toy-tasks', kind: 'task', apiVersion: 1,
  setup: (): TaskSource => ({
    name: 'toy-tasks',
    async *tasks(q = {}) { for (let i = 0; i < Math.min(6, q.limit ?? 6); i++) yield { id: `toy${i}`, prompt: `toy${i}>` }; },
    verify(_t, solution) {
      const steps = solution.split('\n').filter(Boolean);
      return { correct: steps.length === 3 && steps.every((s, i) => s === `ok${i}`), steps: steps.map((s, i) => (s === `ok${i}` ? 1 : 0)) };
    },
    verifyPartial(_t, steps) {
      return { correct: true, steps: steps.map((s, i) => (s === `ok${i}` ? 1 : 0)) };
    },
  }),
});
const toyPolicy = definePlugin<Record<string, never>, 'policy'>({
  name: 'toy-policy', kind: 'policy', apiVersion: 1,
  setup: (): Policy => fakePolicy({ depth: 3, p: 0.4 }),
});

describe('search-mcts through the kernel', () => {
  it('loads by package name with default options; records keep graded candidates and the tree; budget holds', async () => {
    const k = await kernelFromConfig({
      policy: toyPolicy, tasks: toyTasks, search: { use: '@reasoner/plugin-search-mcts' } as never,
      run: { out: p.dir, seed: 5, concurrency: 3, budget: { perTask: { tokens: 200 } } },
    });
    const { summary, dir } = await runPipeline(k);
    await k.close();
    const recs = readFileSync(`${dir}/trajectories.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(6);
    expect(summary.errors).toBe(0);
    expect(summary.accuracy).toBeGreaterThanOrEqual(0.5);
    for (const r of recs) {
      expect(r.search.name).toBe('search-mcts(hybrid)');
      expect(r.usage.promptTokens + r.usage.completionTokens).toBeLessThanOrEqual(200 + 4);
      expect(r.tree.nodes).toBeGreaterThan(1);
      for (const c of r.candidates ?? []) expect(c.correct).toBe(c.text === 'ok0\nok1\nok2');
      if (r.correct) expect(r.solution).toBe('ok0\nok1\nok2');
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import bon from '@reasoner/plugin-search-bon';
import { kernelFromConfig } from '../kernel/load.js';
import { memoryPolicy, memoryTasks } from '../testing/memory-plugins.js';
import { tempProject } from '../testing/temp-project.js';
import { Budget } from './budget.js';
import { runPipeline } from './run.js';

const p = tempProject('budget');
afterAll(() => p.cleanup());

describe('budgets', () => {
  it('a task budget stops a search early; it returns its best so far', async () => {
    const k = await kernelFromConfig({
      policy: memoryPolicy, tasks: memoryTasks({ count: 3 }), search: bon({ n: 16, batch: 2 }),
      run: { out: p.dir, budget: { perTask: { calls: 3 } } },
    });
    const { dir, summary } = await runPipeline(k);
    await k.close();
    const { readFileSync } = await import('node:fs');
    const recs = readFileSync(`${dir}/trajectories.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(summary.tasks).toBe(3);
    for (const r of recs) {
      expect(r.error).toBeUndefined();
      expect(r.search.stats.samples).toBe(6); // 3 calls × batch 2
      expect(r.search.stats.stoppedByBudget).toBe(1);
      expect(r.usage.calls).toBe(3);
    }
  });

  it('a run budget stops scheduling tasks', async () => {
    const k = await kernelFromConfig({
      policy: memoryPolicy, tasks: memoryTasks({ count: 50 }), search: bon({ n: 4, batch: 4 }),
      run: { out: p.dir, concurrency: 1, budget: { perRun: { calls: 10 } } },
    });
    const { summary } = await runPipeline(k);
    await k.close();
    expect(summary.stoppedBy).toBe('budget');
    expect(summary.tasks).toBe(10);
    expect(summary.usage.calls).toBe(10);
  });

  it('child budgets spend in their parent and report the nearest limit', () => {
    const run = new Budget({ tokens: 100 });
    const task = run.child({ tokens: 30 });
    task.spend(25);
    expect(task.remainingTokens()).toBe(5);
    expect(run.remainingTokens()).toBe(75);
    task.spend(10);
    expect(task.exhausted()).toBe('tokens');
    expect(() => task.check()).toThrow(expect.objectContaining({ code: 'RSN_ERR_BUDGET_EXHAUSTED' }));
    expect(run.exhausted()).toBeNull();
  });
});

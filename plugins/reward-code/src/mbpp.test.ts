import { describe, expect, it } from 'vitest';
import { createMbppSource } from '@reasoner/plugin-task-mbpp';
import type { Task } from '@reasoner/core';
import { createCodeReward } from './plugin.js';
import { SlotPool } from './pool.js';

async function sample(variant: 'full' | 'sanitized', every: number): Promise<Task[]> {
  const out: Task[] = [];
  let i = 0;
  for await (const t of createMbppSource({ variant, split: 'all' }).tasks()) if (i++ % every === 0) out.push(t);
  return out;
}

describe('MBPP reference solutions', () => {
  const reward = createCodeReward({ timeoutMs: 15_000 });
  const pool = new SlotPool();

  it('a sample of reference solutions passes its asserts (full and sanitized)', async () => {
    const tasks = [...(await sample('full', 13)), ...(await sample('sanitized', 11))];
    expect(tasks.length).toBeGreaterThan(100);
    const results = await pool.map(tasks, (t) => reward.score(t, t.solution!));
    const failures = results.flatMap((r, i) => (r.correct ? [] : [`${tasks[i]!.id}: ${String(r.detail?.status)} ${String(r.detail?.stderr).slice(0, 200)}`]));
    expect(failures).toEqual([]);
  }, 120_000);

  it('a wrong solution fails and partial credit counts asserts', async () => {
    const [t] = await sample('full', 1000); // task 1, min_cost
    const partial = createCodeReward({ partialCredit: true });
    const r = await partial.score(t!, 'def min_cost(cost, m, n):\n    return 8\n');
    expect(r).toMatchObject({ correct: false, detail: { status: 'failed', passedCount: 1, total: 3 } });
    expect(r.value).toBeCloseTo(1 / 3);
  });
});

import { describe, expect, it } from 'vitest';
import type { Task } from '@reasoner/core';
import plugin, { mathSource } from './index.js';
import type { MathOptions } from './index.js';

const all = async (options: Partial<MathOptions> = {}, query = {}): Promise<Task[]> => {
  const out: Task[] = [];
  for await (const t of mathSource(options).tasks(query)) out.push(t);
  return out;
};

describe('task-math (MATH-500)', () => {
  it('500 tasks with unique ids, answers, boxed solutions, subject and level', async () => {
    const tasks = await all();
    expect(tasks).toHaveLength(500);
    expect(tasks[0]).toMatchObject({ id: 'test/precalculus/807.json', answer: '\\left( 3, \\frac{\\pi}{2} \\right)', meta: { subject: 'Precalculus', level: 2 } });
    expect(new Set(tasks.map((t) => t.id)).size).toBe(500);
    for (const t of tasks) {
      expect(t.answer!.length).toBeGreaterThan(0);
      expect(t.solution).toMatch(/\\boxed|\\fbox/);
    }
  });

  it('filters by level and subject (counts from data/SOURCE.md)', async () => {
    expect(await all({ levels: [5] })).toHaveLength(134);
    expect(await all({ levels: [1, 2] })).toHaveLength(43 + 90);
    expect(await all({ subjects: ['Algebra'] })).toHaveLength(124);
    const both = await all({ subjects: ['Geometry', 'Number Theory'], levels: [4, 5] });
    for (const t of both) expect(t.meta).toMatchObject({ level: expect.toSatisfy((l: number) => l >= 4) });
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(41 + 62);
  });

  it('count, limit, and only a test split', async () => {
    const src = await plugin.definition.setup({} as never, {} as never);
    expect(await src.count!()).toBe(500);
    expect(await src.count!({ limit: 20 })).toBe(20);
    expect(await all({}, { limit: 3 })).toHaveLength(3);
    expect(() => src.tasks({ split: 'train' })).toThrow(expect.objectContaining({ code: 'RSN_ERR_TASK' }));
  });
});

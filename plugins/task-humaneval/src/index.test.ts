import { describe, expect, it } from 'vitest';
import type { Task } from '@reasoner/core';
import plugin, { createHumanEvalSource, loadHumanEval, optionsSchema } from './index.js';

async function collect(it: AsyncIterable<Task>): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of it) out.push(t);
  return out;
}

describe('task-humaneval', () => {
  it('yields all 164 tasks with tests that call check(entry_point)', async () => {
    const source = createHumanEvalSource();
    const tasks = await collect(source.tasks());
    expect(tasks).toHaveLength(164);
    expect(await source.count!()).toBe(164);
    const t0 = tasks[0]!;
    expect(t0.id).toBe('HumanEval/0');
    expect(t0.prompt).toContain('def has_close_elements(');
    expect(t0.tests).toMatchObject({ language: 'python', entryPoint: 'has_close_elements' });
    expect(t0.tests!.code).toMatch(/def check\(candidate\)[\s\S]*\ncheck\(has_close_elements\)\n$/);
    expect(t0.solution).toContain('for idx, elem in enumerate(numbers)');
    expect(new Set(tasks.map((t) => t.id)).size).toBe(164);
  });

  it('selects by ids, offset and limit; the query limit and split apply too', async () => {
    const byIds = await collect(createHumanEvalSource({ ids: ['HumanEval/5', 7] }).tasks());
    expect(byIds.map((t) => t.id)).toEqual(['HumanEval/5', 'HumanEval/7']);
    const page = await collect(createHumanEvalSource({ offset: 10, limit: 3 }).tasks());
    expect(page.map((t) => t.id)).toEqual(['HumanEval/10', 'HumanEval/11', 'HumanEval/12']);
    expect(await collect(createHumanEvalSource({ limit: 50 }).tasks({ limit: 2 }))).toHaveLength(2);
    expect(await collect(createHumanEvalSource().tasks({ split: 'train' }))).toHaveLength(0);
    expect(await createHumanEvalSource().count!({ split: 'test' })).toBe(164);
  });

  it('is a task plugin with a strict options schema', async () => {
    expect(plugin.definition).toMatchObject({ name: 'task-humaneval', kind: 'task', apiVersion: 1 });
    expect(optionsSchema.additionalProperties).toBe(false);
    const records = await loadHumanEval();
    expect(records[163]!.task_id).toBe('HumanEval/163');
  });
});

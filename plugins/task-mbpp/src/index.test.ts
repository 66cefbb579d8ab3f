import { describe, expect, it } from 'vitest';
import type { Task } from '@reasoner/core';
import plugin, { createMbppSource, entryPointOf, loadMbpp, MBPP_SPLITS } from './index.js';

async function collect(it: AsyncIterable<Task>): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of it) out.push(t);
  return out;
}

describe('task-mbpp', () => {
  it('splits the full set by task_id as the paper does', async () => {
    const count = (split: 'test' | 'validation' | 'train' | 'prompt' | 'all') => createMbppSource({ split }).count!();
    expect(await count('test')).toBe(500);
    expect(await count('validation')).toBe(90);
    expect(await count('train')).toBe(374);
    expect(await count('prompt')).toBe(10);
    expect(await count('all')).toBe(974);
    const test = await collect(createMbppSource().tasks());
    expect(test[0]!.id).toBe('mbpp/11');
    expect(test.at(-1)!.id).toBe('mbpp/510');
    expect(MBPP_SPLITS.train).toEqual([601, 974]);
  });

  it('the sanitized variant has its own ids and splits, and a query split overrides the option', async () => {
    const s = createMbppSource({ variant: 'sanitized', split: 'all' });
    expect(await s.count!()).toBe(427);
    expect(await s.count!({ split: 'test' })).toBe(257);
    expect(await s.count!({ split: 'validation' })).toBe(43);
    expect(await s.count!({ split: 'train' })).toBe(120);
    const [t] = await collect(s.tasks({ limit: 1 }));
    expect(t!.id).toBe('mbpp-sanitized/2');
  });

  it('builds prompts with one test example, assert tests, setup and the entry point', async () => {
    const [t] = await collect(createMbppSource({ split: 'prompt', limit: 1 }).tasks());
    expect(t!.prompt).toContain('minimum cost path');
    expect(t!.prompt).toContain('assert min_cost([[1, 2, 3], [4, 8, 2], [1, 5, 3]], 2, 2) == 8');
    expect(t!.prompt).not.toContain('== 12'); // only one example
    expect(t!.tests).toMatchObject({ language: 'python', entryPoint: 'min_cost' });
    expect(t!.tests!.code.trim().split('\n')).toHaveLength(3);
    expect(t!.solution).not.toContain('\r');
    const withSetup = (await loadMbpp('full')).find((r) => r.setup);
    expect(withSetup).toBeDefined();
    const [st] = await collect(createMbppSource({ split: 'all', ids: [withSetup!.task_id] }).tasks());
    expect(st!.tests!.setup).toBe(withSetup!.setup);
    const sanitizedImports = (await loadMbpp('sanitized')).find((r) => r.setup);
    expect(sanitizedImports!.setup).toMatch(/import/);
  });

  it('finds the entry point the tests call', async () => {
    const records = await loadMbpp('full');
    const missing = records.filter((r) => { const e = entryPointOf(r); return !e || !r.test_list[0]!.includes(e); });
    expect(missing.map((r) => r.task_id)).toEqual([]);
  });

  it('selects by ids, offset and limit', async () => {
    const picked = await collect(createMbppSource({ split: 'all', ids: [3, 700, 2] }).tasks());
    expect(picked.map((t) => t.id)).toEqual(['mbpp/2', 'mbpp/3', 'mbpp/700']);
    const page = await collect(createMbppSource({ offset: 5, limit: 2 }).tasks());
    expect(page.map((t) => t.id)).toEqual(['mbpp/16', 'mbpp/17']);
    expect(plugin.definition).toMatchObject({ name: 'task-mbpp', kind: 'task' });
  });
});

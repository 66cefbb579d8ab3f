import { describe, expect, it } from 'vitest';
import type { Task } from '@reasoner/core';
import plugin, { gsm8kFinalAnswer, gsm8kSource } from './index.js';

const all = async (query = {}, options = {}): Promise<Task[]> => {
  const out: Task[] = [];
  for await (const t of gsm8kSource(options).tasks(query)) out.push(t);
  return out;
};

describe('task-gsm8k', () => {
  it('test split: 1319 tasks whose answer is the number after ####', async () => {
    const test = await all({ split: 'test' });
    expect(test).toHaveLength(1319);
    expect(test[0]).toMatchObject({ id: 'gsm8k/test/0', answer: '18', prompt: expect.stringMatching(/^Janet’s ducks/) });
    for (const t of test) {
      expect(t.answer).toMatch(/^-?\d+$/);
      expect(gsm8kFinalAnswer(t.solution!)).toBe(t.answer);
    }
    expect(new Set(test.map((t) => t.id)).size).toBe(1319);
  });

  it('train and validation partition train.jsonl by hash, disjoint from test', async () => {
    const train = await all({ split: 'train' });
    const val = await all({ split: 'validation' });
    expect(train.length + val.length).toBe(7473);
    expect(val.length).toBeGreaterThan(250);
    expect(val.length).toBeLessThan(500);
    const ids = new Set(train.map((t) => t.id));
    for (const v of val) expect(ids.has(v.id)).toBe(false);
    const questions = new Set(train.map((t) => t.prompt));
    for (const v of val) expect(questions.has(v.prompt)).toBe(false);
    expect(await all({ split: 'validation' }, { validationPercent: 0 })).toHaveLength(0);
  });

  it('limit, count and stable order; the plugin fills defaults', async () => {
    const src = await plugin.definition.setup({} as never, {} as never);
    expect(await src.count!({ split: 'test' })).toBe(1319);
    expect(await src.count!({ split: 'test', limit: 10 })).toBe(10);
    const a = (await all({ split: 'train', limit: 5 })).map((t) => t.id);
    expect(a).toEqual((await all({ split: 'train', limit: 5 })).map((t) => t.id));
    expect(a).toHaveLength(5);
    expect(gsm8kFinalAnswer('so 1,000 apples\n#### 1,000')).toBe('1000');
  });
});

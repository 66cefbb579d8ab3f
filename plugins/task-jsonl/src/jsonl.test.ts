import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Task } from '@reasoner/core';
import plugin, { checkDatasetRecord, jsonlSource } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'task-jsonl-'));
const write = (name: string, lines: string[]): string => {
  writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  return name;
};
const all = async (src: ReturnType<typeof jsonlSource>, query = {}): Promise<Task[]> => {
  const out: Task[] = [];
  for await (const t of src.tasks(query)) out.push(t);
  return out;
};

describe('task-jsonl', () => {
  it('reads records, defaults ids to <file>#<line>, keeps fields, skips blank lines', async () => {
    const f = write('ok.jsonl', [
      JSON.stringify({ prompt: '2+2?', answer: 4, solution: '2+2=4', reward: 1 }),
      '',
      JSON.stringify({ id: 'q7', prompt: 'name a prime', meta: { level: 2 }, extra: 'ignored' }),
      JSON.stringify({ prompt: 'def f(): pass', tests: { language: 'python', code: 'assert f() is None' } }),
    ]);
    const src = jsonlSource({ path: f }, dir);
    const tasks = await all(src);
    expect(tasks).toEqual([
      { id: 'ok.jsonl#1', prompt: '2+2?', answer: '4', solution: '2+2=4', meta: { reward: 1 } },
      { id: 'q7', prompt: 'name a prime', meta: { level: 2 } },
      { id: 'ok.jsonl#4', prompt: 'def f(): pass', tests: { language: 'python', code: 'assert f() is None' } },
    ]);
    expect(await src.count!()).toBe(3);
    expect((await all(src, { limit: 2 })).map((t) => t.id)).toEqual(['ok.jsonl#1', 'q7']);
    expect(await src.count!({ limit: 1 })).toBe(1);
  });

  it('a bad line is RSN_ERR_DATASET naming the file and line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[JSON.stringify({ prompt: 'a' }), JSON.stringify({ solution: 'x' })], /bad\.jsonl:2: missing "prompt"/],
      [[JSON.stringify({ prompt: 'a' }), '{"prompt": "b"', JSON.stringify({ prompt: 'c' })], /bad\.jsonl:2: not valid JSON/],
      [[JSON.stringify({ prompt: 'a' }), JSON.stringify({ prompt: 'b' }), JSON.stringify({ prompt: 'c', reward: 'high' })], /bad\.jsonl:3: reward must be number/],
      [['[1,2]'], /bad\.jsonl:1: a dataset record must be a JSON object/],
      [[JSON.stringify({ prompt: '' })], /bad\.jsonl:1: prompt must NOT have fewer than 1 characters/],
      [[JSON.stringify({ id: 'x', prompt: 'a' }), JSON.stringify({ id: 'x', prompt: 'b' })], /bad\.jsonl:2: id "x" repeats line 1/],
    ];
    for (const [lines, message] of cases) {
      const src = jsonlSource({ path: write('bad.jsonl', lines) }, dir);
      const err = await all(src).then(() => undefined, (e: unknown) => e);
      expect(err, message.source).toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringMatching(message) });
    }
  });

  it('a missing file is RSN_ERR_DATASET; reading starts only when tasks are pulled', async () => {
    const src = jsonlSource({ path: 'nope.jsonl' }, dir);
    const it = src.tasks()[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({ code: 'RSN_ERR_DATASET' });
  });

  it('per-split files, and a clear error for a split without one', async () => {
    const src = jsonlSource({ path: { train: write('tr.jsonl', [JSON.stringify({ prompt: 't' })]), test: write('te.jsonl', [JSON.stringify({ prompt: 'x' }), JSON.stringify({ prompt: 'y' })]) } }, dir);
    expect(await all(src, { split: 'train' })).toHaveLength(1);
    expect(await all(src, { split: 'test' })).toHaveLength(2);
    expect(() => src.tasks({ split: 'validation' })).toThrow(expect.objectContaining({ code: 'RSN_ERR_TASK' }));
  });

  it('the plugin resolves paths against configDir', async () => {
    write('p.jsonl', [JSON.stringify({ prompt: 'hi' })]);
    const src = await plugin.definition.setup({ configDir: dir } as never, { path: 'p.jsonl' });
    expect((await all(src as ReturnType<typeof jsonlSource>)).map((t) => t.id)).toEqual(['p.jsonl#1']);
    expect(() => jsonlSource({} as never)).toThrow(expect.objectContaining({ code: 'RSN_ERR_PLUGIN_OPTIONS' }));
  });

  it('the record schema accepts what `reasoner data export` writes', () => {
    expect(checkDatasetRecord({ id: 'a', prompt: 'p', solution: 's', reward: 1, answer: '3', meta: { correct: true } })).toBeNull();
    expect(checkDatasetRecord({ prompt: 'p', tests: { language: 'cobol', code: '' } })).toMatch(/tests\.language/);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@reasoner/core';
import { describe, expect, it } from 'vitest';
import { jsonlData, mixData, type SftData } from './data.js';

const constant = (name: string, solution: string): SftData => ({
  name,
  alphabet: solution,
  validation: [{ id: name, prompt: 'p', solution }],
  sample: () => ({ prompt: 'p', solution }),
});

describe('training data', () => {
  it('mixData samples by weight; validation and checker come from the first source', () => {
    const mix = mixData([{ data: { ...constant('a', 'x'), verify: () => ({ correct: true }) }, weight: 3 }, { data: constant('b', 'y'), weight: 1 }]);
    const rng = createRng(5);
    let xs = 0;
    for (let i = 0; i < 4000; i++) if (mix.sample(rng).solution === 'x') xs++;
    expect(xs / 4000).toBeGreaterThan(0.72);
    expect(xs / 4000).toBeLessThan(0.78);
    expect(mix.validation[0]!.id).toBe('a');
    expect(mix.verify).toBeDefined();
    expect(mix.alphabet).toBe('xy');
  });

  it('jsonlData holds out a validation share and rejects malformed records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tiny-data-'));
    try {
      const file = join(dir, 'd.jsonl');
      await writeFile(file, Array.from({ length: 50 }, (_, i) => JSON.stringify({ prompt: `${i}>`, solution: `${i}\n` })).join('\n'));
      const d = await jsonlData(file);
      expect(d.validation).toHaveLength(5);
      const held = new Set(d.validation.map((t) => t.prompt));
      const rng = createRng(1);
      for (let i = 0; i < 200; i++) expect(held.has(d.sample(rng).prompt)).toBe(false);
      await writeFile(file, '{"prompt": "a"}\n');
      await expect(jsonlData(file)).rejects.toMatchObject({ code: 'RSN_ERR_INPUT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtemp, readFile, rm, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from '@reasoner/tiny-format';
import { forwardLogits } from './generate.js';
import { randomModel } from './test-helpers.js';
import { TinyModel } from './tiny-model.js';

describe('checkpoint', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'tiny-ckpt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function saved(name: string, seed = 1): Promise<string> {
    const m = randomModel({}, seed);
    const out = join(dir, name);
    await saveCheckpoint(out, { arch: m.arch, tokenizer: m.tokenizer, weights: await m.weights(), meta: { steps: 7 } });
    m.dispose();
    return out;
  }

  it('round-trips weights, arch, tokenizer and metadata; id is a content hash', async () => {
    const m = randomModel({}, 2);
    const out = join(dir, 'rt');
    const id = await saveCheckpoint(out, { arch: m.arch, tokenizer: m.tokenizer, weights: await m.weights(), meta: { steps: 3, task: 'x' } });
    expect(id).toMatch(/^tiny-[0-9a-f]{12}$/);
    const ck = await loadCheckpoint(out);
    expect(ck.id).toBe(id);
    expect(ck.arch).toEqual(m.arch);
    expect(ck.tokenizer.vocab).toEqual(m.tokenizer.vocab);
    expect(ck.meta).toMatchObject({ steps: 3, task: 'x' });
    const json = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8'));
    expect(json).toMatchObject({ format: 'reasoner-tiny', formatVersion: 1, id });
    expect(json.weights[1]).toEqual({ name: 'wpe', shape: [48, 32], offset: m.arch.vocabSize * 32 });
    const m2 = TinyModel.fromCheckpoint(ck);
    const ids = [[1, 4, 5, 6, 7]];
    expect(forwardLogits(m2, ids)).toEqual(forwardLogits(m, ids));
    // Same content, same id (metadata is not part of it).
    expect(await saveCheckpoint(join(dir, 'rt2'), { arch: m.arch, tokenizer: m.tokenizer, weights: await m.weights(), meta: { other: 1 } })).toBe(id);
    m.dispose();
    m2.dispose();
  });

  const bad = (hint: RegExp) => expect.objectContaining({ code: 'RSN_ERR_CHECKPOINT', context: expect.objectContaining({ hint: expect.stringMatching(hint) }) });

  it('missing directory / files', async () => {
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toEqual(bad(/checkpoint\.json/));
    const out = await saved('nobin');
    await rm(join(out, 'weights.bin'));
    await expect(loadCheckpoint(out)).rejects.toEqual(bad(/weights\.bin/));
  });

  it('corrupt JSON, wrong format, newer formatVersion', async () => {
    const out = await saved('json');
    const file = join(out, 'checkpoint.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.slice(0, 50));
    await expect(loadCheckpoint(out)).rejects.toEqual(bad(/corrupt/));
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), format: 'onnx' }));
    await expect(loadCheckpoint(out)).rejects.toEqual(bad(/not a policy-tiny checkpoint/));
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), formatVersion: 2 }));
    await expect(loadCheckpoint(out)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT', message: expect.stringContaining('formatVersion 2') });
  });

  it('architecture mismatch and truncated / modified weights', async () => {
    const out = await saved('arch');
    const file = join(out, 'checkpoint.json');
    const good = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...good, arch: { ...good.arch, nLayers: 3 } }));
    await expect(loadCheckpoint(out)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT', message: expect.stringContaining('h.2.') });
    await writeFile(file, JSON.stringify({ ...good, arch: { ...good.arch, dModel: 30 } }));
    await expect(loadCheckpoint(out)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT', message: expect.stringMatching(/divisible|shape/) });
    await writeFile(file, JSON.stringify(good));
    const bin = join(out, 'weights.bin');
    const bytes = await readFile(bin);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(bin, bytes);
    await expect(loadCheckpoint(out)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT', message: expect.stringContaining('content hash') });
    await truncate(bin, 400);
    await expect(loadCheckpoint(out)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT', message: expect.stringContaining('400 bytes') });
  });
});

import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, readTensorFile, writeRandomTinyCheckpoint, writeTensorFile } from './index.js';

describe('tiny-format', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tiny-format-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes and reads a checkpoint without tfjs', async () => {
    await writeRandomTinyCheckpoint(join(dir, 'ck'), { dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, contextLength: 16 });
    const ck = await loadCheckpoint(join(dir, 'ck'));
    expect(ck.id).toMatch(/^tiny-[0-9a-f]{12}$/);
    expect(ck.weights.get('wte')!.shape).toEqual([ck.arch.vocabSize, 16]);
    expect((globalThis as { _tfengine?: unknown })._tfengine).toBeUndefined();
  });

  it('tensor files round-trip and report truncation', async () => {
    const tensors = new Map([['a', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], ['b', { shape: [1], data: Float32Array.from([7]) }]]);
    await writeTensorFile(dir, 'opt', { tensors, meta: { step: 4 } });
    const back = await readTensorFile(dir, 'opt');
    expect([...back!.tensors.get('a')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back!.meta).toEqual({ step: 4 });
    expect(await readTensorFile(dir, 'absent')).toBeUndefined();
    await truncate(join(dir, 'opt.bin'), 8);
    await expect(readTensorFile(dir, 'opt')).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
  });
});

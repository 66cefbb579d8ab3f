import path from 'node:path';
import { describe, expect, it } from 'vitest';
import tiny, { DEFAULT_CHECKPOINT } from './index.js';

describe('policy-tiny check() (run by reasoner validate)', () => {
  it('a missing checkpoint folder is RSN_ERR_CHECKPOINT naming it; the shipped one and the default pass', async () => {
    const check = tiny.definition.check!;
    const opts = { engine: 'onnx', backend: 'wasm', maxTokens: 96 } as const;
    await expect((async () => check({ configDir: '/tmp' }, { ...opts, checkpoint: 'checkpoints/nope' }))()).rejects.toMatchObject({
      code: 'RSN_ERR_CHECKPOINT', message: `checkpoint ${path.resolve('/tmp', 'checkpoints/nope')}: checkpoint.json is missing`,
    });
    await expect((async () => check({ configDir: '/tmp' }, { ...opts, checkpoint: DEFAULT_CHECKPOINT }))()).resolves.toBeUndefined();
    await expect((async () => check({ configDir: '/tmp' }, opts))()).resolves.toBeUndefined();
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createHooks, createRng } from '@reasoner/core';
import policyOnnx from './index.js';
import { exportTinyToOnnx } from './export-tiny.js';
import { DType, GraphBuilder } from './onnx-builder.js';
import { createOnnxPolicy, createPolicyFromTinyCheckpoint } from './policy.js';
import { writeRandomTinyCheckpoint } from '@reasoner/tiny-format';
import { loadCheckpoint } from '@reasoner/tiny-format';

let dir: string;
let modelPath: string;
let ckId: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-onnx-foreign-'));
  const ck = await loadCheckpoint(await writeRandomTinyCheckpoint(join(dir, 'ck'), { contextLength: 64 }, 11));
  ckId = ck.id;
  modelPath = join(dir, 'model.onnx');
  await writeFile(modelPath, exportTinyToOnnx(ck));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** A GPT-2-style tokenizer.json (BPE over ByteLevel) whose ids fit the random model's vocabulary. */
function byteLevelTokenizerJson(): object {
  const chars = [...'0123456789+-=abcdefgh', 'Ġ', 'Ċ'];
  const vocab: Record<string, number> = { '<|endoftext|>': 0 };
  chars.forEach((c, i) => { vocab[c] = i + 1; });
  vocab['12'] = chars.length + 1;
  vocab['Ġ1'] = chars.length + 2;
  return {
    version: '1.0',
    added_tokens: [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: ['1 2', 'Ġ 1'] },
  };
}

describe('foreign ONNX language models', () => {
  it('runs an ONNX LM with a Hugging Face tokenizer.json (BPE / ByteLevel)', async () => {
    const tokDir = join(dir, 'hf');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(tokDir, { recursive: true });
    await writeFile(join(tokDir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizerJson()));
    await writeFile(join(tokDir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|endoftext|>' }));
    const policy = await createOnnxPolicy({ model: modelPath, tokenizer: join(tokDir, 'tokenizer.json'), id: 'foreign' });
    expect(policy.tokenizer.encodeText('12 1')).toEqual([24, 25]);
    expect(policy.tokenizer.eosId).toBe(0);
    const res = await policy.generate({ prompt: '12+3=', n: 3, temperature: 1, maxTokens: 8, logprobs: true, seed: 4 });
    expect(res.completions).toHaveLength(3);
    for (const c of res.completions) {
      expect(c.tokens).toBeGreaterThan(0);
      expect(c.logprobs!.every((x) => Number.isFinite(x) && x <= 0)).toBe(true);
    }
    const scored = await policy.scoreText('12+3=', '45');
    expect(scored.tokens).toBe(2);
    await policy.close();
  });

  it('finds the vocabulary embedded in our own export', async () => {
    const policy = await createOnnxPolicy({ model: modelPath });
    expect(policy.id).toBe(ckId);
    expect(policy.contextLength).toBe(64);
    const res = await policy.generate({ prompt: '1+1=', temperature: 0, maxTokens: 5 });
    expect(res.completions[0]!.tokens).toBeGreaterThan(0);
    await policy.close();
  });

  it('rejects a graph that is not a language model with RSN_ERR_ONNX_MODEL', async () => {
    const g = new GraphBuilder('matmul');
    const x = g.input('x', DType.FLOAT, ['n', 4]);
    g.op('MatMul', [x, g.initFloat('w', [4, 2], new Float32Array(8))], {}, 'y');
    g.output('y', DType.FLOAT, ['n', 2]);
    const path = join(dir, 'not-lm.onnx');
    await writeFile(path, g.toBytes());
    const err = await createOnnxPolicy({ model: path, tokenizer: join(dir, 'none.json') }).catch((e) => e);
    expect(err.code).toBe('RSN_ERR_ONNX_MODEL');
    expect(err.message).toMatch(/input_ids/);
    expect(err.context.hint).toBeTruthy();
  });

  it('rejects a corrupt or missing file with RSN_ERR_ONNX_MODEL', async () => {
    const path = join(dir, 'corrupt.onnx');
    await writeFile(path, Buffer.from('this is not protobuf at all, just text'));
    await expect(createOnnxPolicy({ model: path })).rejects.toMatchObject({ code: 'RSN_ERR_ONNX_MODEL' });
    await expect(createOnnxPolicy({ model: join(dir, 'missing.onnx') })).rejects.toMatchObject({ code: 'RSN_ERR_ONNX_MODEL' });
  });

  it('rejects checkpoints of another format version or missing ones with RSN_ERR_CHECKPOINT', async () => {
    const bad = join(dir, 'bad-ck');
    await writeRandomTinyCheckpoint(bad, {}, 1);
    const { readFile } = await import('node:fs/promises');
    const json = JSON.parse(await readFile(join(bad, 'checkpoint.json'), 'utf8'));
    await writeFile(join(bad, 'checkpoint.json'), JSON.stringify({ ...json, formatVersion: 99 }));
    await expect(createPolicyFromTinyCheckpoint(bad)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
    await expect(createPolicyFromTinyCheckpoint(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
  });

  it('the plugin opens an .onnx file relative to configDir; a tiny checkpoint directory is pointed to tiny()', async () => {
    const closers: Array<() => unknown> = [];
    const ctx = { hooks: createHooks(), logger: createLogger('silent'), configDir: dir, rng: createRng(1), onClose: (fn: () => unknown) => closers.push(fn), service: () => undefined };
    const fromFile = await policyOnnx.definition.setup(ctx as never, { model: 'model.onnx' } as never);
    expect(fromFile.id).toBe(ckId);
    expect(fromFile.capabilities).toEqual({ logprobs: true, prefix: true, nativeN: true, trainable: false });
    const viaLibrary = await createPolicyFromTinyCheckpoint(join(dir, 'ck'), { cacheDir: join(dir, 'cache') });
    const a = await fromFile.generate({ prompt: '1+1=', temperature: 0, maxTokens: 6 });
    const b = await viaLibrary.generate({ prompt: '1+1=', temperature: 0, maxTokens: 6 });
    expect(a.completions).toEqual(b.completions);
    await viaLibrary.close();
    await expect(policyOnnx.definition.setup(ctx as never, { model: 'ck' } as never)).rejects.toMatchObject({
      code: 'RSN_ERR_PLUGIN_OPTIONS',
      context: { hint: expect.stringContaining("tiny({ checkpoint: 'ck' })") },
    });
    for (const c of closers) await c();
  });
});

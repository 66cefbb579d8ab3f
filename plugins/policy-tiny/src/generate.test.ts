import * as tf from '@tensorflow/tfjs';
import { createRng } from '@reasoner/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';
import { contextIds, decode, generateN, scoreText } from './generate.js';
import { TinyPolicy } from './policy.js';
import { randomModel } from './test-helpers.js';

describe('generation', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('KV-cached greedy decoding equals full recomputation', async () => {
    const m = randomModel();
    const ids = contextIds(m, '12+3=');
    const rows = () => [0, 1, 2].map((i) => ({ ids, rng: createRng(i) }));
    const cached = await decode(m, rows(), { temperature: 0, maxTokens: 30, logprobs: true });
    const full = await decode(m, rows(), { temperature: 0, maxTokens: 30, logprobs: true, kvCache: false });
    expect(cached.map((c) => c.text)).toEqual(full.map((c) => c.text));
    cached[0]!.logprobs!.forEach((lp, i) => expect(lp).toBeCloseTo(full[0]!.logprobs![i]!, 4));
    // Sampled rows too (each row has its own RNG, so batching does not change them).
    const s1 = await decode(m, [0, 1, 2, 3].map((i) => ({ ids, rng: createRng(10 + i) })), { temperature: 1, maxTokens: 20 });
    const s2 = await decode(m, [0, 1, 2, 3].map((i) => ({ ids, rng: createRng(10 + i) })), { temperature: 1, maxTokens: 20, kvCache: false });
    expect(s1.map((c) => c.text)).toEqual(s2.map((c) => c.text));
    m.dispose();
  });

  it('cuts at stop sequences and reports finishReason', async () => {
    const m = randomModel({}, 3);
    const [free] = await generateN(m, '1+2=', '', 1, 0, { temperature: 0, maxTokens: 40 });
    expect(free!.text.length).toBeGreaterThan(4);
    const stop = free!.text.slice(2, 4);
    const [cut] = await generateN(m, '1+2=', '', 1, 0, { temperature: 0, maxTokens: 40, stop: [stop], logprobs: true });
    expect(cut!.finishReason).toBe('stop');
    expect(cut!.text).toBe(free!.text.slice(0, free!.text.indexOf(stop)));
    expect(cut!.logprobs).toHaveLength(cut!.text.length);
    m.dispose();
  });

  it('continues a prefix and returns only the new text', async () => {
    const m = randomModel({}, 4);
    const [free] = await generateN(m, '7 3>21\n', '', 1, 0, { temperature: 0, maxTokens: 20 });
    const prefix = free!.text.slice(0, 6);
    const [cont] = await generateN(m, '7 3>21\n', prefix, 1, 0, { temperature: 0, maxTokens: 14 });
    expect(prefix + cont!.text).toBe(free!.text.slice(0, prefix.length + cont!.text.length));
    expect(cont!.text).toBe(free!.text.slice(6, 6 + cont!.text.length));
    m.dispose();
  });

  it('logprobs of sampled text equal scoreText of that text', async () => {
    const m = randomModel({}, 5);
    const outs = await generateN(m, '5+5=', '', 4, 42, { temperature: 1, topK: 8, maxTokens: 25, logprobs: true });
    for (const c of outs) {
      const s = await scoreText(m, '5+5=', c.text);
      expect(s.tokens).toBe(c.text.length);
      s.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(c.logprobs![i]!, 4));
    }
    m.dispose();
  });

  it('the policy: n samples in one call, seeded, context errors, no tensor leaks', async () => {
    const m = randomModel();
    const policy = new TinyPolicy(m, 'tiny-test');
    expect(policy.capabilities).toEqual({ logprobs: true, prefix: true, nativeN: true, trainable: true });
    const a = await policy.generate({ prompt: '1+1=', n: 3, temperature: 1, maxTokens: 10, seed: 9 });
    const b = await policy.generate({ prompt: '1+1=', n: 3, temperature: 1, maxTokens: 10, seed: 9 });
    expect(a.completions).toHaveLength(3);
    expect(a.completions.map((c) => c.text)).toEqual(b.completions.map((c) => c.text));
    expect(a.usage.calls).toBe(1);
    await expect(policy.generate({ prompt: '1+1=', maxTokens: 200 })).rejects.toMatchObject({ code: 'RSN_ERR_CONTEXT_LENGTH' });
    await expect(policy.generate({ prompt: '9'.repeat(60) })).rejects.toMatchObject({ code: 'RSN_ERR_CONTEXT_LENGTH' });
    await expect(policy.generate({ prompt: 'x?' })).rejects.toMatchObject({ code: 'RSN_ERR_VOCAB' });
    // Without maxTokens the default is clamped to the room left.
    const long = await policy.generate({ prompt: '1'.repeat(40), temperature: 0 });
    expect(long.completions[0]!.tokens).toBeLessThanOrEqual(48 - 41);

    const before = tf.memory().numTensors;
    for (let i = 0; i < 60; i++) {
      await policy.generate({ prompt: '12+3=', n: 1 + (i % 5), temperature: 1, maxTokens: 12, stop: ['\n'], logprobs: true, seed: i });
      await policy.scoreText!('12+3=', '15\n');
    }
    expect(tf.memory().numTensors).toBe(before);
    policy.close();
    expect(tf.memory().numTensors).toBeLessThan(before);
    await expect(policy.generate({ prompt: '1' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY' });
  });
});

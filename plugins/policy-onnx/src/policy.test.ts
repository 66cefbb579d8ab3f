import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTinyToOnnx } from './export-tiny.js';
import { createOnnxPolicy, createPolicyFromTinyCheckpoint, type OnnxPolicy } from './policy.js';
import { CharTextTokenizer } from './tokenizers.js';
import { writeRandomTinyCheckpoint } from '@reasoner/tiny-format';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { tfjsReference } from './testing/tfjs-reference.js';

let dir: string;
let ckDir: string;
let kv: OnnxPolicy;
let noKv: OnnxPolicy;
let common: OnnxPolicy;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-onnx-gen-'));
  ckDir = await writeRandomTinyCheckpoint(join(dir, 'ck'), { dModel: 32, nHeads: 4, nLayers: 2, dFF: 64, contextLength: 48 }, 3);
  kv = await createPolicyFromTinyCheckpoint(ckDir, { cacheDir: join(dir, 'cache'), seed: 5 });
  noKv = await createPolicyFromTinyCheckpoint(ckDir, { cacheDir: join(dir, 'cache'), kvCache: false, seed: 5 });
  common = await createPolicyFromTinyCheckpoint(ckDir, { cacheDir: join(dir, 'cache'), cacheLayout: 'common', seed: 5 });
});
afterAll(async () => {
  await kv?.close();
  await noKv?.close();
  await common?.close();
  await rm(dir, { recursive: true, force: true });
});

const prompts = ['12+7=', 'abc', '(3*4)-5=1', 'x'];

describe('OnnxPolicy generation', () => {
  it('KV-cached greedy (static and common layouts) equals full-recompute greedy and the reference forward', async () => {
    const reference = await tfjsReference(await loadCheckpoint(ckDir));
    expect(kv.kvCache).toBe(true);
    expect(noKv.kvCache).toBe(false);
    for (const prompt of prompts) {
      const a = (await kv.generate({ prompt, temperature: 0, maxTokens: 20 })).completions[0]!;
      const b = (await noKv.generate({ prompt, temperature: 0, maxTokens: 20 })).completions[0]!;
      expect(a).toEqual(b);
      expect((await common.generate({ prompt, temperature: 0, maxTokens: 20 })).completions[0]).toEqual(a);
      // Greedy decoding by policy-tiny's tfjs forward (full recompute each token).
      const ids = [1, ...kv.tokenizer.encodeText(prompt)];
      const gen: number[] = [];
      for (let i = 0; i < a.tokens; i++) {
        const row = reference.logits(ids).at(-1)!;
        let best = 0;
        for (let v = 1; v < row.length; v++) if (row[v]! > row[best]!) best = v;
        ids.push(best);
        gen.push(best);
        if (best === 2) break;
      }
      expect(kv.tokenizer.decode(gen)).toBe(a.text);
    }
    reference.dispose();
  });

  it('the static cache grows past its initial capacity without changing results', async () => {
    const ck = await loadCheckpoint(ckDir);
    // No end token, so every row runs all 44 steps: past the initial room for 32 new tokens.
    const tokenizer = Object.assign(new CharTextTokenizer(ck.tokenizer), { isEnd: () => false });
    const open = (cacheLayout: 'static' | 'common') => createOnnxPolicy({ model: exportTinyToOnnx(ck, { cacheLayout }), tokenizer, contextLength: 48 });
    const [a, b] = [await open('static'), await open('common')];
    const req = { prompt: 'x', n: 3, temperature: 1, maxTokens: 44, seed: 8, logprobs: true };
    const [ra, rb] = [await a.generate(req), await b.generate(req)];
    expect(ra.completions.map((c) => c.tokens)).toEqual([44, 44, 44]);
    expect(ra.completions.map((c) => c.text)).toEqual(rb.completions.map((c) => c.text));
    await a.close();
    await b.close();
  });

  it('a batch of prompts of different lengths equals one-by-one generation (all cache layouts)', async () => {
    for (const [temperature, policy] of [[0, kv], [1, kv], [1, common], [1, noKv]] as const) {
      const reqs = prompts.map((prompt, i) => ({ prompt, temperature, maxTokens: 16, n: 2, seed: 100 + i, logprobs: true }));
      const batched = await policy.generateBatch(reqs);
      for (let i = 0; i < reqs.length; i++) {
        const single = await policy.generate(reqs[i]!);
        expect(batched[i]!.completions.map((c) => c.text)).toEqual(single.completions.map((c) => c.text));
        batched[i]!.completions.forEach((c, j) => {
          c.logprobs!.forEach((lp, t) => expect(lp).toBeCloseTo(single.completions[j]!.logprobs![t]!, 4));
        });
      }
    }
  });

  it('coalesces concurrent generate calls into one batch with the same results', async () => {
    const reqs = prompts.map((prompt, i) => ({ prompt, temperature: 1, maxTokens: 12, n: 3, seed: 40 + i, stop: ['='] }));
    const sequential = [];
    for (const r of reqs) sequential.push(await kv.generate(r));
    const session = (kv as unknown as { lm: { session: { run: (...a: unknown[]) => unknown } } }).lm.session;
    const run = session.run.bind(session);
    let runs = 0;
    session.run = (...a: unknown[]) => { runs++; return run(...a); };
    try {
      const concurrent = await Promise.all(reqs.map((r) => kv.generate(r)));
      expect(concurrent).toEqual(sequential);
      expect(runs).toBeLessThanOrEqual(12); // one batch: at most maxTokens steps, not 4 × that
    } finally {
      session.run = run;
    }
    // A bad request fails alone.
    const [bad, good] = await Promise.allSettled([kv.generate({ prompt: 'é' }), kv.generate(reqs[0]!)]);
    expect(bad.status).toBe('rejected');
    expect(good).toMatchObject({ status: 'fulfilled', value: sequential[0] });
  });

  it('logprobs of sampled text equal scoreText', async () => {
    const res = await kv.generate({ prompt: '12+7=', n: 6, temperature: 1, maxTokens: 24, logprobs: true, seed: 9 });
    expect(res.completions).toHaveLength(6);
    for (const c of res.completions) {
      const scored = await kv.scoreText('12+7=', c.text);
      expect(scored.tokens).toBe(c.text.length);
      expect(c.logprobs).toHaveLength(scored.tokens);
      scored.logprobs.forEach((lp, t) => expect(Math.abs(lp - c.logprobs![t]!)).toBeLessThan(1e-4));
    }
  });

  it('scoreTexts: batched teacher forcing of different lengths equals scoreText one by one (all layouts); eos adds one logprob', async () => {
    const items = [{ prompt: '12+7=', text: '19\n' }, { prompt: '3*4=', text: '12' }, { prompt: '1=', text: 'abc+1' }];
    for (const p of [kv, noKv, common]) {
      const batched = await p.scoreTexts(items);
      for (let i = 0; i < items.length; i++) {
        const one = await p.scoreText(items[i]!.prompt, items[i]!.text);
        expect(batched[i]).toHaveLength(one.tokens);
        batched[i]!.forEach((x, j) => expect(x).toBeCloseTo(one.logprobs[j]!, 4));
      }
    }
    const withEos = await kv.scoreTexts([{ prompt: '12+7=', text: '19\n', eos: true }]);
    const g = await kv.generate({ prompt: '12+7=', temperature: 0, maxTokens: 30, logprobs: true });
    expect(withEos[0]).toHaveLength(4);
    expect(withEos[0]![3]!).toBeLessThanOrEqual(0);
    expect(g.completions[0]!.logprobs!.length).toBe(g.completions[0]!.text.length);
  });

  it('is deterministic per seed and differs across seeds', async () => {
    const a = await kv.generate({ prompt: 'abc', n: 4, temperature: 1, maxTokens: 12, seed: 1 });
    const b = await kv.generate({ prompt: 'abc', n: 4, temperature: 1, maxTokens: 12, seed: 1 });
    const c = await kv.generate({ prompt: 'abc', n: 4, temperature: 1, maxTokens: 12, seed: 2 });
    expect(a).toEqual(b);
    expect(c.completions.map((x) => x.text)).not.toEqual(a.completions.map((x) => x.text));
    expect(a.usage).toEqual({ promptTokens: 16, completionTokens: a.completions.reduce((s, x) => s + x.tokens, 0), calls: 1 });
  });

  it('stops at stop sequences, eos and maxTokens, and continues a prefix', async () => {
    const free = (await kv.generate({ prompt: '12+7=', temperature: 0, maxTokens: 30 })).completions[0]!;
    expect(free.text.length).toBeGreaterThan(2);
    // Stop at a character the greedy text contains: the text ends right before it.
    const stopChar = free.text[2]!;
    const stopped = (await kv.generate({ prompt: '12+7=', temperature: 0, maxTokens: 30, stop: [stopChar], logprobs: true })).completions[0]!;
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(stopChar)));
    expect(stopped.logprobs).toHaveLength(stopped.text.length);
    const short = (await kv.generate({ prompt: '12+7=', temperature: 0, maxTokens: 3 })).completions[0]!;
    expect(short.tokens).toBeLessThanOrEqual(3);
    if (short.finishReason === 'length') expect(short.text).toBe(free.text.slice(0, 3));
    // Prefix continuation = continuing the prompt with the prefix appended.
    const withPrefix = (await kv.generate({ prompt: '12+7=', prefix: free.text.slice(0, 2), temperature: 0, maxTokens: 10 })).completions[0]!;
    expect(withPrefix.text).toBe(free.text.slice(2, 2 + withPrefix.text.length));
    // Eos: a sampled run that ends with eos excludes it from the text.
    const many = await kv.generate({ prompt: 'x', n: 32, temperature: 1.5, maxTokens: 40, seed: 3 });
    for (const c of many.completions) expect(c.text).not.toContain('<eos>');
  });

  it('rejects out-of-vocabulary prompts and contexts that do not fit', async () => {
    await expect(kv.generate({ prompt: 'héllo' })).rejects.toMatchObject({ code: 'RSN_ERR_VOCAB' });
    await expect(kv.generate({ prompt: 'abc', maxTokens: 100 })).rejects.toMatchObject({ code: 'RSN_ERR_CONTEXT_LENGTH' });
    await expect(kv.generate({ prompt: 'a'.repeat(60) })).rejects.toMatchObject({ code: 'RSN_ERR_CONTEXT_LENGTH' });
    await expect(kv.generate({ prompt: 'abc', maxTokens: 0 })).rejects.toMatchObject({ code: 'RSN_ERR_INPUT' });
    await expect(kv.generate({ prompt: 'abc', n: 0 })).rejects.toMatchObject({ code: 'RSN_ERR_INPUT' });
    await expect(kv.generate({ prompt: 'abc' }, AbortSignal.abort())).rejects.toMatchObject({ code: 'RSN_ERR_ABORTED' });
    // Unset maxTokens fills the remaining context instead.
    const fill = (await kv.generate({ prompt: 'a'.repeat(40), temperature: 0 })).completions[0]!;
    expect(fill.tokens).toBeLessThanOrEqual(48 - 41);
  });

  it('RSS does not grow across many generate calls', async () => {
    const call = () => kv.generate({ prompt: '12+7=', n: 4, temperature: 1, maxTokens: 16, logprobs: true });
    for (let i = 0; i < 40; i++) await call();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 120; i++) await call();
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grown).toBeLessThan(40);
  });
});

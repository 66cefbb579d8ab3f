import { describe, expect, it } from 'vitest';
import { keepCandidates } from './keep.js';
import { samplerSearch } from './sampler-search.js';

describe('samplerSearch → keepCandidates', () => {
  it('marks a completion cut at the token limit as truncated, and the record keeps the mark', async () => {
    const policy = {
      id: 'stub', capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      generate: async () => ({
        completions: [{ text: '4\n', tokens: 2, finishReason: 'eos' as const }, { text: '44444', tokens: 5, finishReason: 'length' as const }],
        usage: { promptTokens: 2, completionTokens: 7, calls: 1 },
      }),
    };
    const reward = { name: 'r', score: async (_t: unknown, text: string) => ({ value: text === '4\n' ? 1 : 0 }) };
    const env = { task: { id: 't', prompt: '2+2=' }, policy, reward, signal: new AbortController().signal } as never;
    const res = await samplerSearch(2, 1).search(env);
    expect(res.candidates.map((c) => c.truncated)).toEqual([false, true]);
    const kept = await keepCandidates(res.candidates, 2, async (text) => ({ correct: text === '4\n' }));
    expect(kept[0]).not.toHaveProperty('truncated');
    expect(kept[1]).toMatchObject({ text: '44444', truncated: true, correct: false });
  });
});

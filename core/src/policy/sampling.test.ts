import { describe, expect, it } from 'vitest';
import { createRng } from '../util/rng.js';
import { findStop, logSoftmaxAt, sampleToken } from './sampling.js';

const logits = Float32Array.from([2, 1, 0.5, -1, 3]);

function histogram(opts: Parameters<typeof sampleToken>[1], n = 20_000): number[] {
  const rng = createRng(5);
  const h = new Array(logits.length).fill(0);
  for (let i = 0; i < n; i++) h[sampleToken(logits, opts, rng).id]++;
  return h.map((x) => x / n);
}

describe('sampleToken', () => {
  it('greedy picks the argmax with its log-softmax', () => {
    const s = sampleToken(logits, { temperature: 0 }, createRng(1));
    expect(s.id).toBe(4);
    expect(s.logprob).toBeCloseTo(logSoftmaxAt(logits, 4), 6);
  });

  it('temperature 1 follows the softmax', () => {
    const z = Array.from(logits).map(Math.exp);
    const sum = z.reduce((a, b) => a + b, 0);
    histogram({ temperature: 1 }).forEach((p, i) => expect(p).toBeCloseTo(z[i]! / sum, 1));
  });

  it('top-k and top-p cut the tail', () => {
    const k2 = histogram({ temperature: 1, topK: 2 });
    expect(k2[1]! + k2[2]! + k2[3]!).toBe(0);
    const p5 = histogram({ temperature: 1, topP: 0.5 });
    expect(p5[4]).toBe(1);
  });

  it('respects an offset row', () => {
    const two = Float32Array.from([9, 0, 0, 0, 5]);
    expect(sampleToken(two, { temperature: 0 }, createRng(1), 2, 3).id).toBe(2);
  });
});

describe('findStop', () => {
  it('finds the earliest stop at or after from', () => {
    expect(findStop('ab\n=5\nxyz', ['\n=', 'xyz'])).toEqual({ index: 2, stop: '\n=' });
    expect(findStop('abc', ['d'])).toBeNull();
    expect(findStop('aaab', ['ab'], 3)).toEqual({ index: 2, stop: 'ab' });
  });
});

import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

describe('rng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = createRng(7), b = createRng(7), c = createRng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('forks independent of call order', () => {
    const r = createRng(1);
    const f1 = r.fork('task-1').next();
    r.next(); r.next();
    expect(r.fork('task-1').next()).toBe(f1);
    expect(r.fork('task-2').next()).not.toBe(f1);
  });

  it('is roughly uniform', () => {
    const r = createRng(3);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[r.int(10)]++;
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(600);
  });
});

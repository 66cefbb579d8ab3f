import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './stats.js';

describe('wilsonInterval', () => {
  it('matches the textbook values (Newcombe 1998: 81/263 → 0.2553–0.3662)', () => {
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.2553, 3);
    expect(hi).toBeCloseTo(0.3662, 3);
  });

  it('stays inside [0, 1] at the edges and narrows with n', () => {
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    const w = (n: number) => { const [a, b] = wilsonInterval(0.3 * n, n); return b - a; };
    expect(w(1000)).toBeLessThan(w(200));
    expect(w(200)).toBeGreaterThan(0.12);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});

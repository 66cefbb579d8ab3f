import { describe, expect, it } from 'vitest';
import { gae, groupAdvantages, meanKl, processAdvantages, stepEndsByLine, tokenRewards, whiten } from './advantages.js';

describe('advantages', () => {
  it('GAE by hand: r = [0,0,1], V = 0.5, γ = 1, λ = 0.5 → A = [0.125, 0.25, 0.5], R = A + V', () => {
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.5, 0.5], 1, 0.5);
    expect(advantages.map((x) => +x.toFixed(9))).toEqual([0.125, 0.25, 0.5]);
    expect(returns.map((x) => +x.toFixed(9))).toEqual([0.625, 0.75, 1]);
  });
  it('GAE with γ < 1 discounts the bootstrap', () => {
    // δ1 = 1 − 0 = 1; δ0 = 0 + 0.9·0 − 0 = 0 → A0 = 0.9·1·1 = 0.9 (λ = 1)
    expect(gae([0, 1], [0, 0], 0.9, 1).advantages.map((x) => +x.toFixed(9))).toEqual([0.9, 1]);
  });
  it('group-relative: (r − mean)/std (unbiased), zero for a group without signal, mean-only for Dr. GRPO', () => {
    const a = groupAdvantages([1, 0, 0, 1]);
    const std = Math.sqrt(1 / 3);
    expect(a[0]).toBeCloseTo(0.5 / (std + 1e-4), 9);
    expect(a[1]).toBeCloseTo(-0.5 / (std + 1e-4), 9);
    expect(groupAdvantages([1, 1, 1])).toEqual([0, 0, 0]);
    expect(groupAdvantages([1, 0, 0, 0], { scale: false })).toEqual([0.75, -0.25, -0.25, -0.25]);
  });
  it('token rewards: −β·KL per token, process rewards at step ends, outcome on the last token', () => {
    const r = tokenRewards({ tokens: 4, outcome: 1, klCoef: 0.5, logp: [-1, -1, -1, -1], refLogp: [-1, -2, -1, -1], steps: [-1], stepEnds: [1], processCoef: 0.5 });
    expect(r).toEqual([0, -0.5 - 0.5, 0, 1]);
  });
  it('step ends of a character-level text, KL mean and whitening', () => {
    expect(stepEndsByLine('ab\ncd\n')).toEqual([2, 5]);
    expect(stepEndsByLine('ab\ncd')).toEqual([2, 4]);
    expect(meanKl([-1, -2], [-1.5, -2])).toBeCloseTo(0.25, 9);
    const w = whiten([1, 2, 3]);
    expect(w[1]).toBeCloseTo(0, 9);
    expect(w[2]).toBeCloseTo(1, 6);
  });
});

describe('processAdvantages (GRPO process supervision, DeepSeekMath §4.1.3)', () => {
  it('normalises step scores over the group and sums them from each token\'s step to the end', () => {
    // Two samples of 7 tokens, steps ending at tokens 2 and 5 (token 6 is eos, after every step).
    const adv = processAdvantages([[1, 1], [1, 0]], [[2, 5], [2, 5]], [7, 7], { scale: false });
    const r = (xs: number[]) => xs.map((x) => Math.round(x * 1e6) / 1e6);
    expect(r(adv[0]!)).toEqual([0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0]);
    expect(r(adv[1]!)).toEqual([-0.5, -0.5, -0.5, -0.75, -0.75, -0.75, 0]);
    // Scaled by the (unbiased) std of the group's step scores, 0.5.
    const scaled = processAdvantages([[1, 1], [1, 0]], [[2, 5], [2, 5]], [7, 7]);
    expect(scaled[1]![0]).toBeCloseTo(-1, 3);
    expect(scaled[1]![3]).toBeCloseTo(-1.5, 3);
  });

  it('equal step scores carry no signal; a sample without steps gets zeros; ends past the text are clamped', () => {
    expect(processAdvantages([[1, 1], [1, 1]], [[0, 1], [0, 1]], [2, 2])).toEqual([[0, 0], [0, 0]]);
    const adv = processAdvantages([[], [1], [0]], [[], [9], [9]], [3, 3, 3], { scale: false });
    expect(adv[0]).toEqual([0, 0, 0]);
    expect(adv[1]).toEqual([0.5, 0.5, 0.5]);
    expect(adv[2]).toEqual([-0.5, -0.5, -0.5]);
  });
});

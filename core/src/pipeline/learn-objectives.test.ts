import { describe, expect, it } from 'vitest';
import { dpoLoss, dpoMetrics, grpoLoss, klK3, nllLoss, ppoClipLoss, ppoClipToken, valueLossToken } from './learn-objectives.js';

// Hand-computed values (see the comments) for the formulas of types/learn.ts.
describe('reference objectives', () => {
  const pair = { pairs: [[0, 1]] as Array<[number, number]>, refLogprobs: [-1.5, -1.5] };
  const sums = [-1, -2];

  it('DPO sigmoid: h = β[(−1+1.5) − (−2+1.5)] = 0.5 → −logσ(0.5) = 0.474077', () => {
    expect(dpoLoss({ ...pair, beta: 0.5 }, sums)).toBeCloseTo(0.474077, 5);
  });
  it('cDPO with ε = 0.1: 0.9·0.474077 + 0.1·0.974077 = 0.524077', () => {
    expect(dpoLoss({ ...pair, beta: 0.5, labelSmoothing: 0.1 }, sums)).toBeCloseTo(0.524077, 5);
  });
  it('IPO with β = 0.25: (h/β − 1/(2β))² = (1 − 2)² = 1', () => {
    expect(dpoLoss({ ...pair, beta: 0.25, loss: 'ipo' }, sums)).toBeCloseTo(1, 9);
  });
  it('RPO: + α · chosen per-token NLL = 0.474077 + 0.5 · (1/4)', () => {
    // Chosen sum −1 over 4 tokens: NLL per token 0.25; α = 0.5.
    expect(dpoLoss({ ...pair, beta: 0.5, nllWeight: 0.5 }, sums, [4, 2])).toBeCloseTo(0.474077 + 0.125, 5);
    expect(dpoLoss({ ...pair, beta: 0.5, nllWeight: 0 }, sums, [4, 2])).toBeCloseTo(0.474077, 5);
  });
  it('DPO metrics as TRL names them', () => {
    const m = dpoMetrics({ ...pair, beta: 0.5 }, sums);
    expect(m['rewards/chosen']).toBeCloseTo(0.25, 9);
    expect(m['rewards/rejected']).toBeCloseTo(-0.25, 9);
    expect(m['rewards/margins']).toBeCloseTo(0.5, 9);
    expect(m['rewards/accuracies']).toBe(1);
  });

  it('PPO-clip token: ρ = e^0.2 = 1.2214; A = 2 → −min(2.4428, 2.4) = −2.4; A = −1 → 1.2214', () => {
    expect(ppoClipToken(-1, -1.2, 2, 0.2)).toBeCloseTo(-2.4, 9);
    expect(ppoClipToken(-1, -1.2, -1, 0.2)).toBeCloseTo(Math.exp(0.2), 9);
  });
  it('PPO-clip with a KL term and a clipped value loss', () => {
    const o = { kind: 'ppo-clip' as const, clip: 0.2, klCoef: 0.1, vfCoef: 0.5, valueClip: 0.2, advantages: [[2]], oldLogprobs: [[-1.2]], refLogprobs: [[-1.5]], returns: [[0]], oldValues: [[0.5]] };
    // policy −2.4, KL 0.1·k3(−1, −1.5) = 0.1·(e^−0.5 + 0.5 − 1) = 0.0106531, value ½·max(1², 0.7²) = 0.5 × vf 0.5
    expect(ppoClipLoss(o, [[-1]], [[1]])).toBeCloseTo(-2.4 + 0.0106531 + 0.25, 6);
    expect(valueLossToken(1, 0, 0.5, 0.2)).toBeCloseTo(0.5, 9);
  });
  it('GRPO: sequence mean of (−A·ρ + β·k3): tokens −0.4893469 and −0.5 → −0.4946735', () => {
    expect(klK3(-1, -1.5)).toBeCloseTo(0.1065307, 6);
    const o = { kind: 'grpo' as const, clip: 0.2, klCoef: 0.1, advantages: [0.5], oldLogprobs: [[-1, -2]], refLogprobs: [[-1.5, -2]] };
    expect(grpoLoss(o, [[-1, -2]])).toBeCloseTo(-0.4946735, 6);
  });
  it('weighted NLL: token mean Σw·nll / Σw·tokens', () => {
    // seq A: 2 tokens of −1 (w 1), seq B: 1 token of −4 (w 2): (2 + 8) / (2 + 2) = 2.5
    expect(nllLoss({ kind: 'nll', weights: [1, 2] }, [[-1, -1], [-4]])).toBeCloseTo(2.5, 9);
    expect(nllLoss({ kind: 'nll', aggregate: 'sequence-mean' }, [[-1, -1], [-4]])).toBeCloseTo(2.5, 9);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';
import type { EncodedRow } from './batch.js';
import { planObjective } from './objective-plan.js';
import { clippedPolicyLoss, dpoLoss, nllLoss, valueLoss } from './objectives.js';

/** Hand-computed values on tiny tensors (formulas in core/src/types/learn.ts). */
const val = (t: tf.Tensor): number => t.dataSync()[0]!;
const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);
const softplus = (x: number): number => Math.log1p(Math.exp(x));

describe('objectives', () => {
  beforeAll(async () => { await useBackend('cpu'); });

  it('weighted NLL, token-mean and sequence-mean', () => {
    tf.tidy(() => {
      const lp = t2([[-1, -2, 0], [-0.5, 0, 0]]);
      const mask = t2([[1, 1, 0], [1, 0, 0]]);
      const w = tf.tensor1d([1, 2]);
      // −(1·(−1−2) + 2·(−0.5)) / (1·2 + 2·1) = 4 / 4
      expect(val(nllLoss(lp, mask, w).loss)).toBeCloseTo(1, 6);
      // −(1·(−1.5) + 2·(−0.5)) / 3
      expect(val(nllLoss(lp, mask, w, 'sequence-mean').loss)).toBeCloseTo(2.5 / 3, 6);
      // Unweighted per-token NLL: 3.5 / 3.
      expect(val(nllLoss(lp, mask, w).metrics.nll!)).toBeCloseTo(3.5 / 3, 6);
    });
  });

  it('DPO sigmoid, label smoothing and IPO', () => {
    tf.tidy(() => {
      const policy = tf.tensor1d([-1, -3]);
      const ref = tf.tensor1d([-2, -2]);
      // Δπ − Δref = (−1+2) − (−3+2) = 2; β = 0.5 → h = 1.
      const plain = dpoLoss(policy, ref, [0], [1], { beta: 0.5, labelSmoothing: 0, loss: 'sigmoid' });
      expect(val(plain.loss)).toBeCloseTo(softplus(-1), 6); // −logσ(1)
      expect(val(plain.metrics['rewards/chosen']!)).toBeCloseTo(0.5, 6);
      expect(val(plain.metrics['rewards/rejected']!)).toBeCloseTo(-0.5, 6);
      expect(val(plain.metrics['rewards/margins']!)).toBeCloseTo(1, 6);
      expect(val(plain.metrics['rewards/accuracies']!)).toBe(1);
      expect(val(plain.metrics['logps/chosen']!)).toBeCloseTo(-1, 6);
      const smooth = dpoLoss(policy, ref, [0], [1], { beta: 0.5, labelSmoothing: 0.1, loss: 'sigmoid' });
      expect(val(smooth.loss)).toBeCloseTo(0.9 * softplus(-1) + 0.1 * softplus(1), 6);
      // IPO: (2 − 1/(2·0.5))² = 1.
      expect(val(dpoLoss(policy, ref, [0], [1], { beta: 0.5, labelSmoothing: 0, loss: 'ipo' }).loss)).toBeCloseTo(1, 6);
      // RPO: + α · (−log p(chosen) / its length) = 0.5 · (1 / 2).
      const rpo = dpoLoss(policy, ref, [0], [1], { beta: 0.5, labelSmoothing: 0, loss: 'sigmoid', nllWeight: 0.5 }, undefined, tf.tensor1d([2, 3]));
      expect(val(rpo.loss)).toBeCloseTo(softplus(-1) + 0.25, 6);
      expect(val(rpo.metrics['nll/chosen']!)).toBeCloseTo(0.5, 6);
      // Swapped pair: h = −1.
      expect(val(dpoLoss(policy, ref, [1], [0], { beta: 0.5, labelSmoothing: 0, loss: 'sigmoid' }).loss)).toBeCloseTo(softplus(1), 6);
    });
  });

  it('PPO-clip: clipped and unclipped tokens, k3 KL, clipped value loss', () => {
    tf.tidy(() => {
      // Three tokens: ratio 1.5 with A=1 (clipped to 1.2), ratio 0.5 with A=1 (unclipped), ratio 1.5 with A=−1 (unclipped).
      const old = t2([[0, 0, 0]]);
      const lp = t2([[Math.log(1.5), Math.log(0.5), Math.log(1.5)]]);
      const adv = t2([[1, 1, -1]]);
      const mask = t2([[1, 1, 1]]);
      const ref = tf.add(lp, t2([[0.1, -0.2, 0]])) as tf.Tensor2D;
      const out = clippedPolicyLoss(lp, mask, old, adv, ref, { clip: 0.2, klCoef: 0.5, aggregate: 'token-mean' });
      const pl = (-1.2 - 0.5 + 1.5) / 3;
      const k3 = (d: number): number => Math.exp(d) - d - 1;
      const kl = (k3(0.1) + k3(-0.2) + k3(0)) / 3;
      expect(val(out.metrics.policy_loss!)).toBeCloseTo(pl, 5);
      expect(val(out.metrics.kl!)).toBeCloseTo(kl, 6);
      expect(val(out.loss)).toBeCloseTo(pl + 0.5 * kl, 5);
      expect(val(out.metrics.clipfrac!)).toBeCloseTo(1 / 3, 6);
      expect(val(out.metrics.ratio_mean!)).toBeCloseTo(3.5 / 3, 5);
      // Value: V=[1,2], R=[1.5,0], old=[1,1], clip 0.2 → ½·mean(max(0.25,0.25), max(4, 1.44)).
      const vl = valueLoss(t2([[1, 2]]), t2([[1, 1]]), t2([[1.5, 0]]), t2([[1, 1]]), 0.2);
      expect(val(vl)).toBeCloseTo(0.5 * (0.25 + 4) / 2, 6);
      // Clipping can raise the loss: V=[2], R=[2], old=[0] → Vclip 0.2 → ½·(1.8²).
      expect(val(valueLoss(t2([[2]]), t2([[1]]), t2([[2]]), t2([[0]]), 0.2))).toBeCloseTo(0.5 * 1.8 ** 2, 6);
    });
  });

  it('GRPO through planObjective: per-sequence advantages, sequence-mean, KL', () => {
    // Two sequences of 2 and 1 completion tokens in a [2, 3] batch (completion starts at position 1).
    const rows: EncodedRow[] = [{ ids: [1, 5, 6, 7], lossFrom: 1, n: 2 }, { ids: [1, 5, 6], lossFrom: 1, n: 1 }];
    const seqs = [{ prompt: 'a', completion: 'bc' }, { prompt: 'a', completion: 'd' }];
    const plan = planObjective({ kind: 'grpo', clip: 0.2, klCoef: 0.1, advantages: [1, -1], oldLogprobs: [[-1, -1], [-2]], refLogprobs: [[-1.1, -1], [-2]] }, seqs, rows);
    tf.tidy(() => {
      const lp = t2([[0, -1, -1 + Math.log(1.1)], [0, -2 + Math.log(0.7), 0]]);
      const mask = t2([[0, 1, 1], [0, 1, 0]]);
      const out = plan.loss({ lp, mask }, [0, 1], [0, 1]);
      // The same batch as two micro-batches adds up to the whole.
      const a = plan.loss({ lp: tf.slice(lp, [0, 0], [1, 3]) as tf.Tensor2D, mask: tf.slice(mask, [0, 0], [1, 3]) as tf.Tensor2D }, [0], [0]);
      const b = plan.loss({ lp: tf.slice(lp, [1, 0], [1, 3]) as tf.Tensor2D, mask: tf.slice(mask, [1, 0], [1, 3]) as tf.Tensor2D }, [1], [1]);
      expect(val(a.loss) + val(b.loss)).toBeCloseTo(val(out.loss), 6);
      // Row 0 (A=1): ratios 1, 1.1 → −1, −1.1 → mean −1.05. Row 1 (A=−1): ratio 0.7 → max(0.7, 0.8) = 0.8.
      const pl = (-1.05 + 0.8) / 2;
      const k3 = (d: number): number => Math.exp(d) - d - 1;
      // d = ref − lp: row 0: −0.1, −log 1.1; row 1: −log 0.7.
      const kl = ((k3(-0.1) + k3(-Math.log(1.1))) / 2 + k3(-Math.log(0.7))) / 2;
      expect(val(out.metrics.policy_loss!)).toBeCloseTo(pl, 5);
      expect(val(out.metrics.kl!)).toBeCloseTo(kl, 5);
      expect(val(out.loss)).toBeCloseTo(pl + 0.1 * kl, 5);
    });
  });

  it('refuses malformed objectives with RSN_ERR_TRAIN', () => {
    const rows: EncodedRow[] = [{ ids: [1, 5, 6], lossFrom: 1, n: 1 }, { ids: [1, 5, 7], lossFrom: 1, n: 1 }];
    const seqs = [{ prompt: 'a', completion: 'b' }, { prompt: 'a', completion: 'b' }];
    const err = (o: unknown, re: RegExp): void => expect(() => planObjective(o as never, seqs, rows)).toThrowError(expect.objectContaining({ code: 'RSN_ERR_TRAIN', message: expect.stringMatching(re) }));
    err({ kind: 'dpo', beta: 0.1, pairs: [[0, 1]], refLogprobs: [0, 0] }, /identical/);
    err({ kind: 'dpo', beta: 0.1, pairs: [[0, 0]], refLogprobs: [0, 0] }, /same sequence/);
    err({ kind: 'dpo', beta: 0, pairs: [[0, 1]], refLogprobs: [0, 0] }, /beta/);
    err({ kind: 'dpo', beta: 0.1, labelSmoothing: 0.5, pairs: [[0, 1]], refLogprobs: [0, 0] }, /labelSmoothing/);
    err({ kind: 'grpo', clip: 0.2, advantages: [1], oldLogprobs: [[0], [0]] }, /advantages has 1 values/);
    err({ kind: 'ppo-clip', clip: 0.2, advantages: [[1, 2], [1]], oldLogprobs: [[0], [0]] }, /advantages\[0\] has 2 values/);
    err({ kind: 'grpo', clip: 0.2, klCoef: 0.1, advantages: [1, 1], oldLogprobs: [[0], [0]] }, /needs refLogprobs/);
    err({ kind: 'nll', weights: [0, 0] }, /nothing to learn/);
    err({ kind: 'nll', weights: [1, Number.NaN] }, /weights\[1\] is NaN/);
    err({ kind: 'sft' }, /unknown objective/);
  });
});

describe('on-policy ratio', () => {
  beforeAll(async () => { await useBackend('cpu'); });
  it('GRPO without oldLogprobs has ratio 1 and the gradient of −A·lp (per token, sequence-mean)', () => {
    const rows: EncodedRow[] = [{ ids: [1, 5, 6], lossFrom: 1, n: 1 }];
    const plan = planObjective({ kind: 'grpo', clip: 0.2, advantages: [2] }, [{ prompt: 'a', completion: 'b' }], rows);
    const lp0 = tf.tensor2d([[0, -0.7]]);
    const g = tf.grad((lp: tf.Tensor) => plan.loss({ lp: lp as tf.Tensor2D, mask: tf.tensor2d([[0, 1]]) }, [0], [0]).loss)(lp0);
    // d/dlp of −A·exp(lp − stop(lp)) at ratio 1 = −A.
    expect([...g.dataSync()]).toEqual([0, -2]);
    expect(val(plan.loss({ lp: lp0, mask: tf.tensor2d([[0, 1]]) }, [0], [0]).metrics.ratio_mean!)).toBeCloseTo(1, 6);
  });
});

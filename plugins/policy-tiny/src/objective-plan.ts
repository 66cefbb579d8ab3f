/**
 * Turns a learner's `Objective` (plain numbers) into a loss closure over the backend's forward:
 * validates every array against the batch first (RSN_ERR_TRAIN naming what is wrong), then
 * builds the tensors inside the gradient scope.
 */
import * as tf from '@tensorflow/tfjs';
import { ReasonerError } from '@reasoner/core';
import type { Objective, TrainSequence } from '@reasoner/core';
import { perSequence, perToken, type EncodedRow } from './batch.js';
import { clippedPolicyLoss, dpoLoss, nllLoss, sequenceSums, valueLoss, type LossOut } from './objectives.js';

/** What the forward pass produced for a batch: per-token logprobs (and values/entropy when asked) [B, T]. */
export interface ForwardOut {
  lp: tf.Tensor2D;
  mask: tf.Tensor2D;
  values?: tf.Tensor2D;
  entropy?: tf.Tensor2D;
}

export interface ObjectivePlan {
  /** The objective trains the value head (ppo-clip with vfCoef > 0). */
  needsValues: boolean;
  needsEntropy: boolean;
  loss(f: ForwardOut): LossOut;
}

/** Identity whose gradient is 0: "the current logprobs, detached" for the on-policy ratio. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;

const bad = (msg: string, hint?: string): never => {
  throw new ReasonerError('RSN_ERR_TRAIN', msg, hint ? { hint } : {});
};

function positive(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) bad(`${what} must be a positive number (got ${String(x)})`);
  return x as number;
}

function nonNegative(x: unknown, what: string, dflt: number): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) bad(`${what} must be a number ≥ 0 (got ${String(x)})`);
  return x as number;
}

export function planObjective(objective: Objective, sequences: readonly TrainSequence[], rows: readonly EncodedRow[], T: number): ObjectivePlan {
  const B = rows.length;
  const t2 = (a: Float32Array): tf.Tensor2D => tf.tensor2d(a, [B, T]);
  switch (objective?.kind) {
    case 'nll': {
      const w = perSequence(rows, objective.weights, 'weights', 1);
      if (w.some((x) => x < 0)) bad('nll weights must be ≥ 0');
      if (!w.some((x) => x > 0)) bad('every nll weight is 0: nothing to learn from', 'give at least one sequence a positive weight');
      return { needsValues: false, needsEntropy: false, loss: (f) => nllLoss(f.lp, f.mask, tf.tensor1d(w), objective.aggregate) };
    }
    case 'dpo': {
      const beta = positive(objective.beta, 'dpo beta');
      const eps = nonNegative(objective.labelSmoothing, 'dpo labelSmoothing', 0);
      if (eps >= 0.5) bad(`dpo labelSmoothing must be < 0.5 (got ${eps})`);
      const type = objective.loss ?? 'sigmoid';
      if (type !== 'sigmoid' && type !== 'ipo') bad(`dpo loss must be "sigmoid" or "ipo" (got ${String(type)})`);
      const ref = perSequence(rows, objective.refLogprobs, 'refLogprobs');
      if (!Array.isArray(objective.pairs) || objective.pairs.length === 0) bad('dpo needs at least one [chosen, rejected] pair', 'build pairs from correct vs incorrect candidates of one prompt');
      const chosen: number[] = [];
      const rejected: number[] = [];
      objective.pairs.forEach(([c, r], i) => {
        for (const x of [c, r]) if (!Number.isInteger(x) || x < 0 || x >= B) bad(`pair ${i} index ${x} is not a sequence of the batch (0…${B - 1})`);
        if (c === r) bad(`pair ${i} has the same sequence (${c}) as chosen and rejected`);
        const sc = sequences[c]!;
        const sr = sequences[r]!;
        if (sc.prompt !== sr.prompt) bad(`pair ${i}: chosen and rejected have different prompts`, 'a DPO pair compares two completions of one prompt');
        if (sc.completion === sr.completion && (sc.eos !== false) === (sr.eos !== false)) bad(`pair ${i}: chosen and rejected are identical`, 'drop pairs whose completions are the same text');
        chosen.push(c);
        rejected.push(r);
      });
      return { needsValues: false, needsEntropy: false, loss: (f) => dpoLoss(sequenceSums(f.lp, f.mask), tf.tensor1d(ref), chosen, rejected, { beta, labelSmoothing: eps, loss: type }) };
    }
    case 'ppo-clip':
    case 'grpo': {
      const clip = positive(objective.clip, `${objective.kind} clip`);
      const klCoef = nonNegative(objective.klCoef, `${objective.kind} klCoef`, 0);
      const old = objective.oldLogprobs !== undefined ? perToken(rows, objective.oldLogprobs, 'oldLogprobs', T) : null;
      const ref = objective.refLogprobs !== undefined ? perToken(rows, objective.refLogprobs, 'refLogprobs', T) : null;
      if (klCoef > 0 && !ref) bad(`${objective.kind} klCoef > 0 needs refLogprobs`, 'pass refLogprobs from reference().sequenceLogprobs(batch), or set klCoef 0');
      let adv: Float32Array;
      if (objective.kind === 'grpo') {
        const a = perSequence(rows, objective.advantages, 'advantages');
        adv = new Float32Array(B * T);
        rows.forEach((r, b) => adv.fill(a[b]!, b * T + r.lossFrom, b * T + r.lossFrom + r.n));
      } else {
        adv = perToken(rows, objective.advantages, 'advantages', T);
      }
      const aggregate = objective.aggregate ?? (objective.kind === 'grpo' ? 'sequence-mean' : 'token-mean');
      const vfCoef = objective.kind === 'ppo-clip' ? nonNegative(objective.vfCoef, 'ppo-clip vfCoef', 0) : 0;
      let returns: Float32Array | null = null;
      let oldValues: Float32Array | null = null;
      const valueClip = objective.kind === 'ppo-clip' ? objective.valueClip : undefined;
      if (objective.kind === 'ppo-clip' && vfCoef > 0) {
        returns = perToken(rows, objective.returns, 'returns', T);
        if (objective.oldValues !== undefined) oldValues = perToken(rows, objective.oldValues, 'oldValues', T);
        if (valueClip !== undefined) positive(valueClip, 'ppo-clip valueClip');
      }
      return {
        needsValues: vfCoef > 0,
        needsEntropy: true,
        loss: (f) => {
          const out = clippedPolicyLoss(f.lp, f.mask, old ? t2(old) : stopGradient(f.lp), t2(adv), ref ? t2(ref) : null, { clip, klCoef, aggregate });
          if (f.entropy) out.metrics.entropy = tf.div(tf.sum(tf.mul(f.entropy, f.mask)), tf.maximum(tf.sum(f.mask), 1)) as tf.Scalar;
          if (returns && f.values) {
            const vl = valueLoss(f.values, f.mask, t2(returns), oldValues ? t2(oldValues) : null, valueClip);
            out.metrics.value_loss = vl;
            out.loss = tf.add(out.loss, tf.mul(vl, vfCoef)) as tf.Scalar;
          }
          return out;
        },
      };
    }
    default:
      return bad(`unknown objective kind ${JSON.stringify((objective as { kind?: unknown })?.kind)}`, 'use one of: nll, dpo, ppo-clip, grpo');
  }
}

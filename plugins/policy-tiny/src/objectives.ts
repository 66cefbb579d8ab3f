/**
 * The learning objectives as pure tfjs functions of per-token logprobs [B, T] (with gradients),
 * the completion mask [B, T] and the learner's plain numbers. Formulas: core's types/learn.ts.
 * Every function returns the loss and its metrics as scalars (call inside tf.tidy / variableGrads).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossAggregation } from '@reasoner/core';

export interface LossOut {
  loss: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
}

/**
 * Denominators of the whole batch when the tensors hold only a micro-batch of it: every mean
 * becomes a partial sum over the micro-batch divided by the whole batch's count, so the losses,
 * gradients and metrics of the micro-batches add up to the whole batch's exactly.
 */
export interface Norm {
  /** Completion tokens (Σ mask). */
  tokens: number;
  /** Sequences. */
  rows: number;
}

/** Token-mean: Σ x·m / Σ m over the batch. Sequence-mean: mean over rows of Σ_t x·m / Σ_t m. */
export function reduceTokens(x: tf.Tensor2D, mask: tf.Tensor2D, aggregate: LossAggregation = 'token-mean', norm?: Norm): tf.Scalar {
  if (aggregate === 'sequence-mean') {
    const perRow = tf.div(tf.sum(tf.mul(x, mask), 1), tf.maximum(tf.sum(mask, 1), 1));
    return (norm ? tf.div(tf.sum(perRow), norm.rows) : tf.mean(perRow)) as tf.Scalar;
  }
  return tf.div(tf.sum(tf.mul(x, mask)), norm ? norm.tokens : tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** Sum of each row's completion logprobs, [B]. */
export function sequenceSums(lp: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(lp, mask), 1) as tf.Tensor1D;
}

/**
 * Weighted NLL. token-mean: −Σ_b w_b Σ_t m·lp / Σ_b w_b Σ_t m; sequence-mean: −Σ_b w_b·mean_t(lp) / Σ_b w_b.
 */
export function nllLoss(lp: tf.Tensor2D, mask: tf.Tensor2D, weights: tf.Tensor1D, aggregate: LossAggregation = 'token-mean', norm?: Norm & { weightedTokens: number; weights: number }): LossOut {
  const w = tf.reshape(weights, [-1, 1]);
  let loss: tf.Scalar;
  if (aggregate === 'sequence-mean') {
    const perRow = tf.div(tf.sum(tf.mul(lp, mask), 1), tf.maximum(tf.sum(mask, 1), 1));
    loss = tf.neg(tf.div(tf.sum(tf.mul(perRow, weights)), norm ? norm.weights : tf.maximum(tf.sum(weights), 1e-12))) as tf.Scalar;
  } else {
    const wm = tf.mul(mask, w);
    loss = tf.neg(tf.div(tf.sum(tf.mul(lp, wm)), norm ? norm.weightedTokens : tf.maximum(tf.sum(wm), 1e-12))) as tf.Scalar;
  }
  // Unweighted per-token NLL, for perplexity-style logging.
  const nll = tf.neg(reduceTokens(lp, mask, 'token-mean', norm)) as tf.Scalar;
  return { loss, metrics: { nll } };
}

/** log σ(x) = −softplus(−x). (tf.logSigmoid's custom gradient reads a disposed input inside variableGrads on tfjs 4.22.) */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

export interface DpoParams {
  beta: number;
  labelSmoothing: number;
  loss: 'sigmoid' | 'ipo';
  /** RPO's α: weight of the chosen completions' per-token NLL (needs `lengths`). */
  nllWeight?: number;
}

/**
 * DPO on pairs: `policy` and `ref` are sequence logprob sums [B]; chosen/rejected index them.
 * sigmoid: −(1−ε)·logσ(h) − ε·logσ(−h), h = β·(Δπ − Δref); ipo: (Δπ − Δref − 1/(2β))².
 */
export function dpoLoss(policy: tf.Tensor1D, ref: tf.Tensor1D, chosen: number[], rejected: number[], p: DpoParams, pairsTotal?: number, lengths?: tf.Tensor1D): LossOut {
  // Selection by one-hot rows, not tf.gather: the wasm backend has no gather gradient.
  const B = policy.shape[0];
  const select = (idx: number[]): tf.Tensor2D => {
    const m = new Float32Array(idx.length * B);
    idx.forEach((j, i) => { m[i * B + j] = 1; });
    return tf.tensor2d(m, [idx.length, B]);
  };
  const sc = select(chosen);
  const sr = select(rejected);
  const pick = (s: tf.Tensor2D, v: tf.Tensor1D): tf.Tensor1D => tf.sum(tf.mul(s, tf.reshape(v, [1, B])), 1) as tf.Tensor1D;
  const pc = pick(sc, policy);
  const pr = pick(sr, policy);
  const rc = pick(sc, ref);
  const rr = pick(sr, ref);
  const logits = tf.sub(tf.sub(pc, rc), tf.sub(pr, rr)); // Δπ − Δref
  let losses: tf.Tensor;
  if (p.loss === 'ipo') {
    losses = tf.square(tf.sub(logits, 1 / (2 * p.beta)));
  } else {
    const h = tf.mul(logits, p.beta);
    losses = tf.sub(tf.mul(logSigmoid(h), -(1 - p.labelSmoothing)), tf.mul(logSigmoid(tf.neg(h)), p.labelSmoothing));
  }
  const chosenRewards = tf.mul(tf.sub(pc, rc), p.beta);
  const rejectedRewards = tf.mul(tf.sub(pr, rr), p.beta);
  // Mean over pairs (of the whole batch when this is a micro-batch of it).
  const mean = (x: tf.Tensor): tf.Scalar => (pairsTotal ? tf.div(tf.sum(x), pairsTotal) : tf.mean(x)) as tf.Scalar;
  const metrics: Record<string, tf.Scalar> = {};
  if (p.nllWeight && p.nllWeight > 0 && lengths) {
    // Per-token NLL of each pair's chosen completion (RPO): keeps DPO from lowering log p(chosen).
    const nll = tf.div(tf.neg(pc), tf.maximum(pick(sc, lengths), 1));
    metrics['nll/chosen'] = mean(nll);
    losses = tf.add(losses, tf.mul(nll, p.nllWeight));
  }
  return {
    loss: mean(losses),
    metrics: {
      'rewards/chosen': mean(chosenRewards),
      'rewards/rejected': mean(rejectedRewards),
      'rewards/margins': mean(tf.sub(chosenRewards, rejectedRewards)),
      'rewards/accuracies': mean(tf.cast(tf.greater(chosenRewards, rejectedRewards), 'float32')),
      'logps/chosen': mean(pc),
      'logps/rejected': mean(pr),
      ...metrics,
    },
  };
}

export interface ClipParams {
  clip: number;
  klCoef: number;
  aggregate: LossAggregation;
  norm?: Norm;
}

/**
 * PPO-clip policy loss per token: max(−A·r, −A·clip(r, 1−ε, 1+ε)), r = exp(lp − old), plus
 * klCoef·k3 with k3 = exp(ref − lp) − (ref − lp) − 1 when `ref` is given. `adv`, `old`, `ref` are
 * [B, T] laid out like the mask (GRPO passes its per-sequence advantage broadcast over T).
 */
export function clippedPolicyLoss(lp: tf.Tensor2D, mask: tf.Tensor2D, old: tf.Tensor2D, adv: tf.Tensor2D, ref: tf.Tensor2D | null, p: ClipParams): LossOut {
  const logRatio = tf.sub(lp, old);
  const ratio = tf.exp(logRatio);
  const pg1 = tf.mul(tf.neg(adv), ratio);
  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - p.clip, 1 + p.clip));
  const pg = tf.maximum(pg1, pg2) as tf.Tensor2D;
  const policyLoss = reduceTokens(pg, mask, p.aggregate, p.norm);
  const metrics: Record<string, tf.Scalar> = {
    policy_loss: policyLoss,
    clipfrac: reduceTokens(tf.cast(tf.greater(pg2, pg1), 'float32') as tf.Tensor2D, mask, 'token-mean', p.norm),
    approx_kl: tf.mul(reduceTokens(tf.square(logRatio) as tf.Tensor2D, mask, 'token-mean', p.norm), 0.5) as tf.Scalar,
    ratio_mean: reduceTokens(ratio as tf.Tensor2D, mask, 'token-mean', p.norm),
  };
  let loss = policyLoss;
  if (ref) {
    const d = tf.sub(ref, lp);
    const k3 = tf.sub(tf.sub(tf.exp(d), d), 1) as tf.Tensor2D;
    const kl = reduceTokens(k3, mask, p.aggregate, p.norm);
    metrics.kl = kl;
    if (p.klCoef > 0) loss = tf.add(loss, tf.mul(kl, p.klCoef)) as tf.Scalar;
  }
  return { loss, metrics };
}

/** ½·max((V − R)², (Vclip − R)²), Vclip = old + clip(V − old, ±valueClip); reduced like the policy loss. */
export function valueLoss(values: tf.Tensor2D, mask: tf.Tensor2D, returns: tf.Tensor2D, oldValues: tf.Tensor2D | null, valueClip: number | undefined, norm?: Norm, aggregate: LossAggregation = 'token-mean'): tf.Scalar {
  let l: tf.Tensor = tf.square(tf.sub(values, returns));
  if (oldValues && valueClip !== undefined && valueClip > 0) {
    const clipped = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -valueClip, valueClip));
    l = tf.maximum(l, tf.square(tf.sub(clipped, returns)));
  }
  return tf.mul(reduceTokens(l as tf.Tensor2D, mask, aggregate, norm), 0.5) as tf.Scalar;
}

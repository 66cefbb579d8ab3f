/**
 * Reference forms of the learning objectives in plain numbers, exactly as types/learn.ts defines
 * them. A trainable backend evaluates the same formulas with gradients; these are for checking
 * it against hand-computed values and for the test fake (core/testing).
 */
import type { DpoObjective, GrpoObjective, LossAggregation, NllObjective, Objective, PpoClipObjective } from '../types/learn.js';

const logSigmoid = (x: number): number => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Schulman's k3 estimator of KL(π‖ref) on a sampled token: e^{ref−π} − (ref−π) − 1 ≥ 0. */
export function klK3(logp: number, refLogp: number): number {
  const d = refLogp - logp;
  return Math.exp(d) - d - 1;
}

/** PPO clipped surrogate of one token: −min(ρ·A, clip(ρ, 1−ε, 1+ε)·A), ρ = e^{π − old}. */
export function ppoClipToken(logp: number, oldLogp: number, advantage: number, clip: number): number {
  const ratio = Math.exp(logp - oldLogp);
  const clipped = Math.min(1 + clip, Math.max(1 - clip, ratio));
  return -Math.min(ratio * advantage, clipped * advantage);
}

/** Clipped value loss of one token: ½·max((V−R)², (clip(V, V_old ± c)−R)²); unclipped without `clip`. */
export function valueLossToken(value: number, ret: number, oldValue?: number, clip?: number): number {
  const plain = (value - ret) ** 2;
  if (clip === undefined || oldValue === undefined) return 0.5 * plain;
  const v = oldValue + Math.min(clip, Math.max(-clip, value - oldValue));
  return 0.5 * Math.max(plain, (v - ret) ** 2);
}

/** Aggregates per-token losses of sequences: token mean over the batch, or mean of sequence means. */
export function aggregate(perToken: readonly number[][], how: LossAggregation, weights?: readonly number[]): number {
  if (how === 'sequence-mean') {
    let s = 0, w = 0;
    perToken.forEach((row, i) => { const wi = weights?.[i] ?? 1; if (row.length) { s += wi * mean(row); w += wi; } });
    return w ? s / w : 0;
  }
  let s = 0, n = 0;
  perToken.forEach((row, i) => { const wi = weights?.[i] ?? 1; for (const x of row) s += wi * x; n += wi * row.length; });
  return n ? s / n : 0;
}

export function nllLoss(o: NllObjective, logprobs: readonly number[][]): number {
  return aggregate(logprobs.map((row) => row.map((l) => -l)), o.aggregate ?? 'token-mean', o.weights);
}

/**
 * DPO: h = β·[(π_c − ref_c) − (π_r − ref_r)]; sigmoid (with label smoothing) or IPO; mean over
 * pairs; + nllWeight · −sum_c/len_c per pair (RPO), which needs `lengths` (tokens per sequence).
 */
export function dpoLoss(o: Pick<DpoObjective, 'beta' | 'labelSmoothing' | 'loss' | 'pairs' | 'refLogprobs' | 'nllWeight'>, sums: readonly number[], lengths?: readonly number[]): number {
  const alpha = o.nllWeight ?? 0;
  const losses = o.pairs.map(([c, r]) => {
    const h = o.beta * (sums[c]! - o.refLogprobs[c]! - (sums[r]! - o.refLogprobs[r]!));
    const nll = alpha > 0 ? (alpha * -sums[c]!) / Math.max(1, lengths?.[c] ?? 1) : 0;
    if (o.loss === 'ipo') return (h / o.beta - 1 / (2 * o.beta)) ** 2 + nll;
    const eps = o.labelSmoothing ?? 0;
    return -(1 - eps) * logSigmoid(h) - eps * logSigmoid(-h) + nll;
  });
  return mean(losses);
}

/** What TRL's DPOTrainer logs, from sequence logprob sums. */
export function dpoMetrics(o: Pick<DpoObjective, 'beta' | 'pairs' | 'refLogprobs'>, sums: readonly number[]): Record<string, number> {
  const ch = o.pairs.map(([c]) => o.beta * (sums[c]! - o.refLogprobs[c]!));
  const rj = o.pairs.map(([, r]) => o.beta * (sums[r]! - o.refLogprobs[r]!));
  return {
    'rewards/chosen': mean(ch), 'rewards/rejected': mean(rj), 'rewards/margins': mean(ch.map((c, i) => c - rj[i]!)),
    'rewards/accuracies': mean(ch.map((c, i) => (c > rj[i]! ? 1 : 0))),
    'logps/chosen': mean(o.pairs.map(([c]) => sums[c]!)), 'logps/rejected': mean(o.pairs.map(([, r]) => sums[r]!)),
  };
}

/** PPO-clip policy loss (+ klCoef·k3 per token) + vfCoef·value loss. */
export function ppoClipLoss(o: PpoClipObjective, logprobs: readonly number[][], values?: readonly number[][]): number {
  const per = logprobs.map((row, i) => row.map((l, t) =>
    ppoClipToken(l, o.oldLogprobs?.[i]?.[t] ?? l, o.advantages[i]![t]!, o.clip) + (o.klCoef && o.refLogprobs ? o.klCoef * klK3(l, o.refLogprobs[i]![t]!) : 0)));
  let loss = aggregate(per, o.aggregate ?? 'token-mean');
  if (o.vfCoef && values && o.returns) {
    const v = values.map((row, i) => row.map((x, t) => valueLossToken(x, o.returns![i]![t]!, o.oldValues?.[i]?.[t], o.valueClip)));
    loss += o.vfCoef * aggregate(v, o.aggregate ?? 'token-mean');
  }
  return loss;
}

/** GRPO: clipped surrogate with one advantage per sequence + klCoef·k3; sequence mean by default. */
export function grpoLoss(o: GrpoObjective, logprobs: readonly number[][]): number {
  const per = logprobs.map((row, i) => row.map((l, t) =>
    ppoClipToken(l, o.oldLogprobs?.[i]?.[t] ?? l, o.advantages[i]!, o.clip) + (o.klCoef && o.refLogprobs ? o.klCoef * klK3(l, o.refLogprobs[i]![t]!) : 0)));
  return aggregate(per, o.aggregate ?? 'sequence-mean');
}

/** The loss of any objective given per-token completion logprobs (and values, for PPO's critic). */
export function objectiveLoss(o: Objective, logprobs: readonly number[][], values?: readonly number[][]): number {
  switch (o.kind) {
    case 'nll': return nllLoss(o, logprobs);
    case 'dpo': return dpoLoss(o, logprobs.map((r) => r.reduce((a, b) => a + b, 0)), logprobs.map((r) => r.length));
    case 'ppo-clip': return ppoClipLoss(o, logprobs, values);
    case 'grpo': return grpoLoss(o, logprobs);
  }
}

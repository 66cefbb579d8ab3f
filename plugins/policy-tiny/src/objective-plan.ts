/**
 * Turns a learner's `Objective` (plain numbers) into a loss over the backend's forward: validates
 * every array against the batch first (RSN_ERR_TRAIN naming what is wrong), then builds the
 * tensors of any micro-batch inside the gradient scope, normalised by the whole batch's counts so
 * that micro-batch losses and gradients add up to the whole batch's.
 */
import * as tf from '@tensorflow/tfjs';
import { ReasonerError } from '@reasoner/core';
import type { Objective, TrainSequence } from '@reasoner/core';
import { layout, perSequence, perToken, type EncodedRow } from './batch.js';
import { clippedPolicyLoss, dpoLoss, nllLoss, sequenceSums, valueLoss, type LossOut, type Norm } from './objectives.js';

/** What the forward pass produced for a (micro-)batch: per-token logprobs (and values/entropy when asked) [b, T]. */
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
  /** Rows that must share a micro-batch (a DPO pair), in batch order; rows in no unit are not used. */
  units: number[][];
  /**
   * Loss and metrics of the micro-batch holding rows `idx` (in that order) for the units
   * `unitIds`, as shares of the whole batch's (so micro-batch results add up to the whole).
   */
  loss(f: ForwardOut, idx: readonly number[], unitIds: readonly number[]): LossOut;
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

export function planObjective(objective: Objective, sequences: readonly TrainSequence[], rows: readonly EncodedRow[]): ObjectivePlan {
  const B = rows.length;
  const singles = rows.map((_, i) => [i]);
  const norm: Norm = { tokens: rows.reduce((a, r) => a + r.n, 0), rows: B };
  const pick = (a: Float32Array, idx: readonly number[]): Float32Array => Float32Array.from(idx, (i) => a[i]!);
  const grid = (idx: readonly number[], T: number, perRow: readonly Float32Array[]): tf.Tensor2D => tf.tensor2d(layout(rows, idx, T, perRow), [idx.length, T]);
  switch (objective?.kind) {
    case 'nll': {
      const w = perSequence(rows, objective.weights, 'weights', 1);
      if (w.some((x) => x < 0)) bad('nll weights must be ≥ 0');
      if (!w.some((x) => x > 0)) bad('every nll weight is 0: nothing to learn from', 'give at least one sequence a positive weight');
      const nllNorm = { ...norm, weights: w.reduce((a, x) => a + x, 0), weightedTokens: rows.reduce((a, r, i) => a + r.n * w[i]!, 0) };
      return { needsValues: false, needsEntropy: false, units: singles, loss: (f, idx) => nllLoss(f.lp, f.mask, tf.tensor1d(pick(w, idx)), objective.aggregate, nllNorm) };
    }
    case 'dpo': {
      const beta = positive(objective.beta, 'dpo beta');
      const eps = nonNegative(objective.labelSmoothing, 'dpo labelSmoothing', 0);
      if (eps >= 0.5) bad(`dpo labelSmoothing must be < 0.5 (got ${eps})`);
      const type = objective.loss ?? 'sigmoid';
      if (type !== 'sigmoid' && type !== 'ipo') bad(`dpo loss must be "sigmoid" or "ipo" (got ${String(type)})`);
      const ref = perSequence(rows, objective.refLogprobs, 'refLogprobs');
      const nllWeight = nonNegative(objective.nllWeight, 'dpo nllWeight', 0);
      if (!Array.isArray(objective.pairs) || objective.pairs.length === 0) bad('dpo needs at least one [chosen, rejected] pair', 'build pairs from correct vs incorrect candidates of one prompt');
      const units: number[][] = [];
      objective.pairs.forEach(([c, r], i) => {
        for (const x of [c, r]) if (!Number.isInteger(x) || x < 0 || x >= B) bad(`pair ${i} index ${x} is not a sequence of the batch (0…${B - 1})`);
        if (c === r) bad(`pair ${i} has the same sequence (${c}) as chosen and rejected`);
        const sc = sequences[c]!;
        const sr = sequences[r]!;
        if (sc.prompt !== sr.prompt) bad(`pair ${i}: chosen and rejected have different prompts`, 'a DPO pair compares two completions of one prompt');
        if (sc.completion === sr.completion && (sc.eos !== false) === (sr.eos !== false)) bad(`pair ${i}: chosen and rejected are identical`, 'drop pairs whose completions are the same text');
        units.push([c, r]);
      });
      const P = units.length;
      return {
        needsValues: false,
        needsEntropy: false,
        units,
        loss: (f, idx, unitIds) => {
          // Rows are in the micro-batch once even when they sit in several pairs.
          const at = new Map(idx.map((i, j) => [i, j]));
          const chosen: number[] = [];
          const rejected: number[] = [];
          for (const u of unitIds) {
            const [c, r] = units[u] as [number, number];
            chosen.push(at.get(c)!);
            rejected.push(at.get(r)!);
          }
          const lengths = nllWeight > 0 ? (tf.sum(f.mask, 1) as tf.Tensor1D) : undefined;
          return dpoLoss(sequenceSums(f.lp, f.mask), tf.tensor1d(pick(ref, idx)), chosen, rejected, { beta, labelSmoothing: eps, loss: type, nllWeight }, P, lengths);
        },
      };
    }
    case 'ppo-clip':
    case 'grpo': {
      const clip = positive(objective.clip, `${objective.kind} clip`);
      const klCoef = nonNegative(objective.klCoef, `${objective.kind} klCoef`, 0);
      const old = objective.oldLogprobs !== undefined ? perToken(rows, objective.oldLogprobs, 'oldLogprobs') : null;
      const ref = objective.refLogprobs !== undefined ? perToken(rows, objective.refLogprobs, 'refLogprobs') : null;
      if (klCoef > 0 && !ref) bad(`${objective.kind} klCoef > 0 needs refLogprobs`, 'pass refLogprobs from reference().sequenceLogprobs(batch), or set klCoef 0');
      const adv: Float32Array[] = objective.kind === 'grpo'
        ? Array.from(perSequence(rows, objective.advantages, 'advantages'), (a, i) => new Float32Array(rows[i]!.n).fill(a))
        : perToken(rows, objective.advantages, 'advantages');
      const aggregate = objective.aggregate ?? (objective.kind === 'grpo' ? 'sequence-mean' : 'token-mean');
      const vfCoef = objective.kind === 'ppo-clip' ? nonNegative(objective.vfCoef, 'ppo-clip vfCoef', 0) : 0;
      let returns: Float32Array[] | null = null;
      let oldValues: Float32Array[] | null = null;
      const valueClip = objective.kind === 'ppo-clip' ? objective.valueClip : undefined;
      if (objective.kind === 'ppo-clip' && vfCoef > 0) {
        returns = perToken(rows, objective.returns, 'returns');
        if (objective.oldValues !== undefined) oldValues = perToken(rows, objective.oldValues, 'oldValues');
        if (valueClip !== undefined) positive(valueClip, 'ppo-clip valueClip');
      }
      return {
        needsValues: vfCoef > 0,
        needsEntropy: true,
        units: singles,
        loss: (f, idx) => {
          const T = f.lp.shape[1];
          const out = clippedPolicyLoss(f.lp, f.mask, old ? grid(idx, T, old) : stopGradient(f.lp), grid(idx, T, adv), ref ? grid(idx, T, ref) : null, { clip, klCoef, aggregate, norm });
          if (f.entropy) out.metrics.entropy = tf.div(tf.sum(tf.mul(f.entropy, f.mask)), norm.tokens) as tf.Scalar;
          if (returns && f.values) {
            const vl = valueLoss(f.values, f.mask, grid(idx, T, returns), oldValues ? grid(idx, T, oldValues) : null, valueClip, norm, aggregate);
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

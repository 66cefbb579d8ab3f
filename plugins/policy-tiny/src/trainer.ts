import * as tf from '@tensorflow/tfjs';
import { ReasonerError } from '@reasoner/core';
import { AdamW } from './adamw.js';
import type { LossOut } from './objectives.js';
import type { TinyModel } from './tiny-model.js';

export interface UpdateOptions {
  lr: number;
  weightDecay: number;
  /** Global gradient-norm clip (0 = none). */
  clip: number;
  /** Extra trainable variables the loss uses (the value head). */
  extra?: Map<string, tf.Variable>;
}

export interface UpdateResult {
  loss: number;
  gradNorm: number;
  metrics: Record<string, number>;
}

/**
 * The one optimisation step every trainer shares (SFT and every objective): gradients of a loss
 * closure, global-norm clipping, AdamW. A non-finite loss or gradient throws RSN_ERR_TRAIN and
 * leaves weights and optimizer state untouched.
 */
export class Trainer {
  readonly opt: AdamW;
  private readonly params: Map<string, tf.Variable>;

  constructor(readonly model: TinyModel, betas: { beta1?: number; beta2?: number } = {}) {
    this.params = new Map(model.params);
    this.opt = new AdamW(this.params, betas.beta1, betas.beta2);
  }

  /**
   * One update from the gradients of `lossFns` summed (micro-batches of one batch: each loss is
   * already its share of the whole batch's), so memory is one micro-batch's activations.
   */
  async update(lossFns: Array<() => LossOut> | (() => LossOut), o: UpdateOptions): Promise<UpdateResult> {
    const fns = Array.isArray(lossFns) ? lossFns : [lossFns];
    if (o.extra) for (const [k, v] of o.extra) this.params.set(k, v);
    const vars = [...this.model.params.values(), ...(o.extra?.values() ?? [])];
    let acc: Record<string, tf.Tensor> = {};
    let lossT: tf.Scalar | null = null;
    const metricT: Record<string, tf.Scalar> = {};
    const add = (a: tf.Tensor | undefined, b: tf.Tensor): tf.Tensor => {
      if (!a) return b;
      const s = tf.add(a, b);
      tf.dispose([a, b]);
      return s;
    };
    try {
      for (const fn of fns) {
        let kept: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          const out = fn();
          // Clones: a metric may be the very tensor returned as the loss (policy_loss without KL).
          kept = Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, tf.keep(tf.clone(v))]));
          return out.loss;
        }, vars);
        for (const [k, g] of Object.entries(grads)) acc[k] = add(acc[k], g);
        lossT = add(lossT ?? undefined, value) as tf.Scalar;
        for (const [k, v] of Object.entries(kept)) metricT[k] = add(metricT[k], v) as tf.Scalar;
      }
      const gs = Object.values(acc);
      const gnormT = tf.tidy(() => (gs.length ? tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) : tf.scalar(0)));
      const names = Object.keys(metricT);
      const [lossArr, gnArr, ...metricArrs] = await Promise.all([lossT!.data(), gnormT.data(), ...names.map((n) => metricT[n]!.data())]);
      gnormT.dispose();
      const loss = lossArr[0]!;
      const gradNorm = gnArr[0]!;
      const metrics = Object.fromEntries(names.map((n, i) => [n, metricArrs[i]![0]!]));
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        throw new ReasonerError('RSN_ERR_TRAIN', `training step ${this.opt.t + 1}: ${Number.isFinite(loss) ? `gradient norm is ${gradNorm}` : `loss is ${loss}`}; the update was not applied (weights unchanged)`, {
          hint: 'lower the learning rate, check the objective inputs (advantages, logprobs) for extreme values, or keep gradient clipping on',
          loss,
          gradNorm,
        });
      }
      const scale = o.clip > 0 ? Math.min(1, o.clip / (gradNorm + 1e-6)) : 1;
      this.opt.apply(acc, o.lr, o.weightDecay, scale);
      this.model.version++;
      return { loss, gradNorm, metrics };
    } finally {
      tf.dispose([...Object.values(acc), ...(lossT ? [lossT] : []), ...Object.values(metricT)]);
      acc = {};
    }
  }

  dispose(): void {
    this.opt.dispose();
  }
}

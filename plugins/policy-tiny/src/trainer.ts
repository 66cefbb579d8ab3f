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

  async update(lossFn: () => LossOut, o: UpdateOptions): Promise<UpdateResult> {
    if (o.extra) for (const [k, v] of o.extra) this.params.set(k, v);
    const vars = [...this.model.params.values(), ...(o.extra?.values() ?? [])];
    let kept: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn();
      kept = Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, tf.keep(v)]));
      return out.loss;
    }, vars);
    const gs = Object.values(grads);
    const gnormT = tf.tidy(() => (gs.length ? tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) : tf.scalar(0)));
    const names = Object.keys(kept);
    const [lossArr, gnArr, ...metricArrs] = await Promise.all([value.data(), gnormT.data(), ...names.map((n) => kept[n]!.data())]);
    const loss = lossArr[0]!;
    const gradNorm = gnArr[0]!;
    const metrics = Object.fromEntries(names.map((n, i) => [n, metricArrs[i]![0]!]));
    try {
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        throw new ReasonerError('RSN_ERR_TRAIN', `training step ${this.opt.t + 1}: ${Number.isFinite(loss) ? `gradient norm is ${gradNorm}` : `loss is ${loss}`}; the update was not applied (weights unchanged)`, {
          hint: 'lower the learning rate, check the objective inputs (advantages, logprobs) for extreme values, or keep gradient clipping on',
          loss,
          gradNorm,
        });
      }
      const scale = o.clip > 0 ? Math.min(1, o.clip / (gradNorm + 1e-6)) : 1;
      this.opt.apply(grads, o.lr, o.weightDecay, scale);
      this.model.version++;
    } finally {
      tf.dispose([value, gnormT, ...gs, ...Object.values(kept)]);
    }
    return { loss, gradNorm, metrics };
  }

  dispose(): void {
    this.opt.dispose();
  }
}

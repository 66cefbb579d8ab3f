import * as tf from '@tensorflow/tfjs';
import type { CheckpointWeight, TensorFile } from '@reasoner/tiny-format';
import { ReasonerError } from '@reasoner/core';
import { ownedVariable } from './model.js';

/**
 * AdamW with decoupled weight decay on matrices (not on biases / LayerNorm gains). Its moments
 * and step count can be saved and restored, so a resumed run continues identically.
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Restored moments of parameters not registered yet (the value head is built on first use). */
  private readonly pending = new Map<string, CheckpointWeight>();
  /** Updates applied so far (bias correction uses it). */
  t = 0;

  constructor(private readonly params: Map<string, tf.Variable>, public beta1 = 0.9, public beta2 = 0.99, private readonly eps = 1e-8) {
    for (const name of params.keys()) this.ensure(name);
  }

  /** Moments for parameters added after construction (the value head). */
  private ensure(name: string): void {
    if (this.m.has(name)) return;
    const p = this.params.get(name)!;
    const moment = (k: 'm' | 'v'): tf.Variable => {
      const saved = this.pending.get(`${k}.${name}`);
      this.pending.delete(`${k}.${name}`);
      if (saved && saved.shape.join(',') !== p.shape.join(',')) throw mismatch(`${k}.${name}`, saved.shape, p.shape);
      return ownedVariable(saved ? tf.tensor(saved.data, saved.shape, 'float32') : tf.zerosLike(p), false);
    };
    this.m.set(name, moment('m'));
    this.v.set(name, moment('v'));
  }

  /** One update with `grads` keyed by variable name (tfjs's `variableGrads` keys), scaled by `gradScale` (clipping). */
  apply(grads: Record<string, tf.Tensor>, lr: number, weightDecay: number, gradScale: number): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads[p.name];
        if (!g0) continue;
        this.ensure(name);
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        let update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        if (weightDecay > 0 && p.shape.length === 2) update = tf.add(update, tf.mul(p, weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }

  /** Moments as `m.<param>` / `v.<param>` tensors plus `{ t, beta1, beta2 }`. */
  async state(): Promise<TensorFile> {
    // Moments restored for a parameter this run never built are kept, not dropped.
    const tensors = new Map<string, CheckpointWeight>(this.pending);
    for (const [name, m] of this.m) {
      tensors.set(`m.${name}`, { shape: m.shape, data: (await m.data()) as Float32Array });
      tensors.set(`v.${name}`, { shape: m.shape, data: (await this.v.get(name)!.data()) as Float32Array });
    }
    return { tensors, meta: { t: this.t, beta1: this.beta1, beta2: this.beta2 } };
  }

  /** Restores `state()`; a moment whose shape does not match its parameter is RSN_ERR_CHECKPOINT. */
  restore(file: TensorFile): void {
    this.pending.clear();
    for (const [key, saved] of file.tensors) {
      const name = key.slice(2);
      if ((key.startsWith('m.') || key.startsWith('v.')) && !this.params.has(name)) this.pending.set(key, saved);
    }
    for (const [name, p] of this.params) {
      this.ensure(name);
      for (const [k, target] of [['m', this.m.get(name)!], ['v', this.v.get(name)!]] as const) {
        const saved = file.tensors.get(`${k}.${name}`);
        if (!saved) { target.assign(tf.zerosLike(p)); continue; }
        if (saved.shape.join(',') !== p.shape.join(',')) throw mismatch(`${k}.${name}`, saved.shape, p.shape);
        tf.tidy(() => target.assign(tf.tensor(saved.data, saved.shape, 'float32')));
      }
    }
    this.t = Number(file.meta.t) || 0;
  }

  /** Zeroes the moments and the step count. */
  reset(): void {
    this.pending.clear();
    tf.tidy(() => { for (const x of [...this.m.values(), ...this.v.values()]) x.assign(tf.zerosLike(x)); });
    this.t = 0;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

function mismatch(key: string, saved: readonly number[], param: readonly number[]): ReasonerError {
  return new ReasonerError('RSN_ERR_CHECKPOINT', `optimizer state ${key} has shape [${saved}], the parameter has [${param}]`, { hint: 'the optimizer state belongs to another model: delete optimizer.json/.bin to start the moments fresh' });
}

import * as tf from '@tensorflow/tfjs';
import type { CheckpointWeight, TensorFile } from '@reasoner/tiny-format';
import { ReasonerError } from '@reasoner/core';
import { ownedVariable } from './model.js';

let seq = 0;

/** PPO's critic: a linear head on the final hidden state (shared trunk), zero-initialised (V = 0 at the start). */
export class ValueHead {
  readonly params = new Map<string, tf.Variable>();

  constructor(readonly dModel: number) {
    const id = ++seq;
    this.params.set('vhead.w', ownedVariable(tf.zeros([dModel, 1]), true, `vhead${id}/w`));
    this.params.set('vhead.b', ownedVariable(tf.zeros([1]), true, `vhead${id}/b`));
  }

  /** Values [N] of hidden states [N, dModel]. */
  apply(h: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(tf.add(tf.matMul(h, this.params.get('vhead.w')! as tf.Tensor2D), this.params.get('vhead.b')!), [-1]) as tf.Tensor1D;
  }

  async state(): Promise<TensorFile> {
    const tensors = new Map<string, CheckpointWeight>();
    for (const [n, v] of this.params) tensors.set(n, { shape: v.shape, data: (await v.data()) as Float32Array });
    return { tensors, meta: { dModel: this.dModel } };
  }

  restore(file: TensorFile): void {
    for (const [n, v] of this.params) {
      const t = file.tensors.get(n);
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new ReasonerError('RSN_ERR_CHECKPOINT', `value head tensor ${n} is missing or has shape [${t?.shape ?? ''}] (expected [${v.shape}])`, { hint: 'the value head belongs to another model: delete value-head.json/.bin to start the critic fresh' });
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

import * as tf from '@tensorflow/tfjs';
import type { Batch } from './batch.js';
import { forwardHidden, head } from './model.js';
import type { ForwardOut } from './objective-plan.js';
import type { TinyModel } from './tiny-model.js';
import type { ValueHead } from './value-head.js';

/**
 * Per-token logprobs of a batch's targets [B, T] (and the value head's predictions, and the
 * policy's entropy, when asked). `training` embeds by one-hot matmul, which has a gradient on
 * wasm; scoring without gradients uses the faster gather. Call inside tf.tidy / variableGrads.
 */
export function forwardTokens(model: TinyModel, b: Batch, opts: { training: boolean; valueHead?: ValueHead; entropy?: boolean }): ForwardOut {
  const [B, T] = b.shape;
  const { h } = forwardHidden(model.arch, model.params, b.x, { training: opts.training });
  const logp = tf.logSoftmax(head(model.params, h));
  const picked = tf.sum(tf.mul(logp, tf.cast(tf.oneHot(b.y, model.arch.vocabSize), 'float32')), -1);
  const out: ForwardOut = { lp: tf.reshape(picked, [B, T]) as tf.Tensor2D, mask: tf.reshape(b.mask, [B, T]) as tf.Tensor2D };
  if (opts.valueHead) out.values = tf.reshape(opts.valueHead.apply(h), [B, T]) as tf.Tensor2D;
  if (opts.entropy) out.entropy = tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)), [B, T]) as tf.Tensor2D;
  return out;
}

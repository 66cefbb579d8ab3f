import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '@reasoner/core';

/** A small MLP over policy features: d → hidden (GELU-free tanh, cheap on wasm) → 1 logit. */
export interface HeadWeights {
  inputDim: number;
  hidden: number;
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  /** Feature standardisation (mean / std per input), fitted on the training set. */
  mean: number[];
  std: number[];
}

export function initHead(inputDim: number, hidden: number, rng: Rng): HeadWeights {
  const normal = (s: number): number => s * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return {
    inputDim, hidden,
    w1: Array.from({ length: inputDim * hidden }, () => normal(1 / Math.sqrt(inputDim))),
    b1: new Array(hidden).fill(0),
    w2: Array.from({ length: hidden }, () => normal(1 / Math.sqrt(hidden))),
    b2: 0,
    mean: new Array(inputDim).fill(0),
    std: new Array(inputDim).fill(1),
  };
}

/** Logits of rows [N, inputDim] (plain JS: scoring a few candidates needs no tensors). */
export function headLogits(w: HeadWeights, rows: Float32Array, n: number): Float64Array {
  const { inputDim: d, hidden: H } = w;
  const out = new Float64Array(n);
  const x = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) x[i] = (rows[r * d + i]! - w.mean[i]!) / w.std[i]!;
    let z = w.b2;
    for (let j = 0; j < H; j++) {
      let a = w.b1[j]!;
      for (let i = 0; i < d; i++) a += x[i]! * w.w1[i * H + j]!;
      z += Math.tanh(a) * w.w2[j]!;
    }
    out[r] = z;
  }
  return out;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export interface FitOptions {
  hidden?: number;
  epochs?: number;
  lr?: number;
  weightDecay?: number;
  batch?: number;
  seed?: number;
}

/** Fits standardisation statistics on the training rows. */
function standardise(rows: Float32Array, n: number, d: number): { mean: number[]; std: number[] } {
  const mean = new Array(d).fill(0), sq = new Array(d).fill(0);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) { const v = rows[r * d + i]!; mean[i] += v; sq[i] += v * v; }
  for (let i = 0; i < d; i++) { mean[i] /= n; sq[i] = Math.sqrt(Math.max(1e-8, sq[i] / n - mean[i] * mean[i])); }
  return { mean, std: sq };
}

/**
 * Trains the head. `pointwise`: binary cross-entropy against soft labels in [0, 1] (a PRM from
 * Monte-Carlo values, or an outcome model from graded solutions). `pairs`: Bradley–Terry,
 * −log σ(r_chosen − r_rejected), on row indices. Both may be given (the losses add).
 */
export async function fitHead(
  rows: Float32Array, n: number, d: number,
  data: { labels?: Float32Array; pairs?: Array<[chosen: number, rejected: number]> },
  o: FitOptions = {},
): Promise<{ head: HeadWeights; losses: number[] }> {
  const rng = createRng(o.seed ?? 1);
  const H = o.hidden ?? 64;
  const w = initHead(d, H, rng);
  Object.assign(w, standardise(rows, n, d));
  const losses: number[] = [];
  const X = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(rows, [n, d]), tf.tensor1d(w.mean)), tf.tensor1d(w.std)) as tf.Tensor2D);
  const w1 = tf.variable(tf.tensor2d(w.w1, [d, H])), b1 = tf.variable(tf.tensor1d(w.b1));
  const w2 = tf.variable(tf.tensor2d(w.w2, [H, 1])), b2 = tf.variable(tf.scalar(w.b2));
  const opt = tf.train.adam(o.lr ?? 1e-2);
  const epochs = o.epochs ?? 60, B = o.batch ?? 256, wd = o.weightDecay ?? 1e-4;
  const logitsOf = (idx: tf.Tensor1D): tf.Tensor1D => tf.tidy(() => {
    const x = tf.gather(X, idx);
    return tf.reshape(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2), [-1]) as tf.Tensor1D;
  });
  const order = Array.from({ length: n }, (_, i) => i);
  const pairs = data.pairs ?? [];
  for (let e = 0; e < epochs; e++) {
    shuffle(order, rng);
    const pairOrder = shuffle(pairs.map((_, i) => i), rng);
    const steps = Math.max(data.labels ? Math.ceil(n / B) : 0, pairs.length ? Math.ceil(pairs.length / B) : 0);
    let sum = 0;
    for (let s = 0; s < steps; s++) {
      const cost = opt.minimize(() => tf.tidy(() => {
        let loss = tf.scalar(0);
        if (data.labels) {
          const ids = order.slice((s * B) % n, (s * B) % n + B);
          const z = logitsOf(tf.tensor1d(ids, 'int32'));
          const y = tf.tensor1d(ids.map((i) => data.labels![i]!));
          loss = tf.add(loss, tf.mean(bce(z, y)));
        }
        if (pairs.length) {
          const pi = pairOrder.slice((s * B) % pairs.length, (s * B) % pairs.length + B).map((i) => pairs[i]!);
          const zc = logitsOf(tf.tensor1d(pi.map((p) => p[0]), 'int32'));
          const zr = logitsOf(tf.tensor1d(pi.map((p) => p[1]), 'int32'));
          loss = tf.add(loss, tf.mean(tf.softplus(tf.neg(tf.sub(zc, zr)))));
        }
        const reg = tf.mul(wd, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))));
        return tf.add(loss, reg) as tf.Scalar;
      }), true, [w1, b1, w2, b2]);
      sum += (await cost!.data())[0]!;
      cost!.dispose();
    }
    losses.push(sum / Math.max(1, steps));
  }
  w.w1 = Array.from(await w1.data()); w.b1 = Array.from(await b1.data());
  w.w2 = Array.from(await w2.data()); w.b2 = (await b2.data())[0]!;
  tf.dispose([X, w1, b1, w2, b2]);
  opt.dispose();
  return { head: w, losses };
}

/** Binary cross-entropy with logits against soft targets, elementwise (numerically stable). */
function bce(z: tf.Tensor1D, y: tf.Tensor1D): tf.Tensor1D {
  // max(z,0) - z*y + log(1 + exp(-|z|))
  return tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))) as tf.Tensor1D;
}

function shuffle<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

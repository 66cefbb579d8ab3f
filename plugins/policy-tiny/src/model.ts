import * as tf from '@tensorflow/tfjs';
import { weightSpecs, type Arch } from '@reasoner/tiny-format';

export type { Arch, WeightSpec } from '@reasoner/tiny-format';
export { weightSpecs, parameterCount, forwardFlopsPerToken, initWeights } from '@reasoner/tiny-format';

/** Per-layer attention cache: keys and values of every position so far, each [B, nHeads, P, dHead]. */
export interface LayerCache {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

export type Params = Map<string, tf.Variable>;

// tfjs variable names are process-global; a counter keeps several models apart.
let variableSeq = 0;

const LN_EPS = 1e-5;
const GELU_C = Math.sqrt(2 / Math.PI);

/** A variable that owns its data: tf.variable() shares the initial tensor's data, which stays counted until disposed. */
export function ownedVariable(init: tf.Tensor, trainable = true, name?: string): tf.Variable {
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}

/** Wraps raw weights as named trainable tf.Variables. */
export function toParams(arch: Arch, weights: Map<string, Float32Array>): Params {
  const params: Params = new Map();
  for (const { name, shape } of weightSpecs(arch)) {
    const data = weights.get(name);
    if (!data) throw new Error(`missing weight ${name}`);
    params.set(name, ownedVariable(tf.tensor(data, shape, 'float32'), true, `tiny${++variableSeq}/${name}`));
  }
  return params;
}

export async function readParams(params: Params): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of params) out.set(name, (await v.data()) as Float32Array);
  return out;
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
  params.clear();
}

function p(params: Params, name: string): tf.Tensor {
  const v = params.get(name);
  if (!v) throw new Error(`missing weight ${name}`);
  return v;
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS))), g), b) as tf.Tensor2D;
}

function gelu(x: tf.Tensor): tf.Tensor {
  // x·x·x, not pow(x, 3): pow and its gradient are several times slower on wasm.
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/*
 * Matmuls with fast gradients. On tfjs-wasm only a plain 2-D `a @ b` reaches XNNPACK
 * (~17 GFLOP/s here); any transposeA/transposeB flag or batch dim takes a naive loop
 * (~1.2 GFLOP/s). tfjs's own matMul gradient uses those flags, so weight gradients were
 * 10× slower than the forward. These custom gradients transpose explicitly (cheap, memory-bound)
 * and keep every product a plain 2-D matmul.
 */
const mm2d = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

const linear2d = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D), tf.sum(dy, 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

function linear(x: tf.Tensor2D, w: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return linear2d(x, w as tf.Tensor2D, bias as tf.Tensor1D);
}

/** Additive causal mask [T, P+T] for T new positions after P cached ones (-1e9 above the diagonal). */
function causalMask(T: number, P: number): tf.Tensor2D {
  const S = P + T;
  const m = new Float32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = P + i + 1; j < S; j++) m[i * S + j] = -1e9;
  return tf.tensor2d(m, [T, S]);
}

export interface ForwardOptions {
  /** Position of the first of the T tokens (= length of the cached prefix). */
  pos0?: number;
  /** Cache of the previous positions (one entry per layer); absent for a full forward. */
  past?: LayerCache[];
  /** Embed with one-hot × wte: the wasm backend has no `gather` gradient. */
  training?: boolean;
}

/**
 * Final hidden states [B·T, dModel] (after `lnf`) of ids [B, T] and the updated cache. Call
 * inside `tf.tidy` (or keep the returned cache and dispose it yourself).
 */
export function forwardHidden(arch: Arch, params: Params, ids: tf.Tensor2D, opts: ForwardOptions = {}): { h: tf.Tensor2D; present: LayerCache[] } {
  const [B, T] = ids.shape;
  const { dModel: d, nHeads: H } = arch;
  const dh = d / H;
  const pos0 = opts.pos0 ?? 0;
  const flat = tf.reshape(ids, [B * T]) as tf.Tensor1D;
  const tok = opts.training
    ? // int32 one-hot then cast: tfjs-wasm 4.22's OneHot ignores a float32 dtype (writes int bits).
      mm2d(tf.cast(tf.oneHot(flat, arch.vocabSize), 'float32') as tf.Tensor2D, p(params, 'wte') as tf.Tensor2D)
    : tf.gather(p(params, 'wte'), flat);
  const pos = tf.slice(p(params, 'wpe'), [pos0, 0], [T, d]);
  let h = tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d]) as tf.Tensor2D;
  const P = opts.past?.[0]?.k.shape[2] ?? 0;
  // Decoding one token needs no mask: every cached position is in its past.
  const mask = T > 1 ? causalMask(T, P) : null;
  const present: LayerCache[] = [];
  const scale = 1 / Math.sqrt(dh);
  for (let l = 0; l < arch.nLayers; l++) {
    const pre = `h.${l}.`;
    const a = layerNorm(h, p(params, pre + 'ln1.g'), p(params, pre + 'ln1.b'));
    const qkv = linear(a, p(params, pre + 'attn.wqkv'), p(params, pre + 'attn.bqkv'));
    // One 4-D transpose for q, k and v together: [B,T,3H,dh] -> [B,3H,T,dh], then split heads.
    // (A 5-D transpose is ~20× slower on wasm.)
    const heads = tf.transpose(tf.reshape(qkv, [B, T, 3 * H, dh]), [0, 2, 1, 3]);
    const [q0, k0, v0] = tf.split(heads, 3, 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const past = opts.past?.[l];
    const k = past ? (tf.concat([past.k, k0], 2) as tf.Tensor4D) : k0;
    const v = past ? (tf.concat([past.v, v0], 2) as tf.Tensor4D) : v0;
    present.push({ k, v });
    let scores = tf.mul(tf.matMul(q0, k, false, true), scale);
    if (mask) scores = tf.add(scores, mask);
    const att = tf.matMul(tf.softmax(scores), v); // [B,H,T,dh]
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    h = tf.add(h, linear(merged, p(params, pre + 'attn.wo'), p(params, pre + 'attn.bo')));
    const m = layerNorm(h, p(params, pre + 'ln2.g'), p(params, pre + 'ln2.b'));
    const f = gelu(linear(m, p(params, pre + 'mlp.w1'), p(params, pre + 'mlp.b1'))) as tf.Tensor2D;
    h = tf.add(h, linear(f, p(params, pre + 'mlp.w2'), p(params, pre + 'mlp.b2')));
  }
  return { h: layerNorm(h, p(params, 'lnf.g'), p(params, 'lnf.b')), present };
}

/** Tied output head: logits [N, vocabSize] of hidden states [N, dModel]. */
export function head(params: Params, h: tf.Tensor2D): tf.Tensor2D {
  return mm2d(h, tf.transpose(p(params, 'wte')) as tf.Tensor2D);
}

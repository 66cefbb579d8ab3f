import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReasonerError } from '@reasoner/core';
import { DType, GraphBuilder } from './onnx-builder.js';
import type { LoadedCheckpoint } from '@reasoner/tiny-format';

/** What the exporter reads from a checkpoint (policy-tiny's `loadCheckpoint` gives it). */
export type TinyCheckpoint = Pick<LoadedCheckpoint, 'arch' | 'tokenizer' | 'weights' | 'id'>;

/** Bump when the emitted graph changes, so cached exports are rebuilt. */
export const EXPORTER_VERSION = 1;
/** `metadata_props` keys our exports carry (the tokenizer travels inside the .onnx). */
export const META_FORMAT = 'reasoner.format';
export const META_VOCAB = 'reasoner.vocab';
export const META_ID = 'reasoner.id';
export const META_CONTEXT = 'reasoner.contextLength';
export const ONNX_FORMAT = 'reasoner-tiny-onnx';

export interface ExportOptions {
  /** Emit a KV cache (default true); false: every step recomputes the whole sequence. */
  kvCache?: boolean;
  /**
   * `common` (default): `past_key_values.{i}.key/value` in, `present.{i}.key/value` out, the
   * layout other runtimes expect. `static`: `kv_cache.{i}.key/value` in (a fixed-capacity cache
   * [batch, heads, capacity, dHead], masked by attention_mask) and only this step's keys/values
   * `kv_new.{i}.key/value` out. onnxruntime-node copies every output into a fresh JS buffer while
   * inputs are passed by pointer, so the static layout avoids copying the whole cache out (and
   * concatenating it) on every decode step.
   */
  cacheLayout?: 'common' | 'static';
}

/**
 * Turns a policy-tiny checkpoint into an ONNX decoder graph in the common export layout
 * (input_ids, attention_mask, position_ids, past_key_values.{i}.key/value → logits,
 * present.{i}.key/value). The causal + padding mask is built inside the graph from
 * attention_mask, so left-padded batches of different prompt lengths work.
 */
export function exportTinyToOnnx(ckpt: TinyCheckpoint, options: ExportOptions = {}): Uint8Array {
  const kv = options.kvCache ?? true;
  const staticCache = kv && options.cacheLayout === 'static';
  const { vocabSize: V, dModel: D, nLayers, nHeads: H, dFF, contextLength } = ckpt.arch;
  if (D % H !== 0) throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${ckpt.id}: dModel ${D} is not divisible by nHeads ${H}`, { hint: 'the checkpoint is corrupt or from another architecture' });
  const dHead = D / H;
  const weight = (name: string, shape: number[]): Float32Array => {
    const w = ckpt.weights.get(name);
    if (!w) throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${ckpt.id} has no tensor "${name}"`, { hint: 'the checkpoint is incomplete or from another architecture version; re-save it with policy-tiny' });
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${ckpt.id}: tensor "${name}" has shape [${w.shape}], expected [${shape}]`, { hint: 'the checkpoint is corrupt or its arch does not match its weights' });
    }
    return w.data;
  };

  const g = new GraphBuilder('reasoner_tiny');
  const ids = g.input('input_ids', DType.INT64, ['batch', 'seq']);
  const mask = g.input('attention_mask', DType.INT64, ['batch', 'total']);
  const pos = g.input('position_ids', DType.INT64, ['batch', 'seq']);

  // Embeddings.
  const wte = g.initFloat('wte', [V, D], weight('wte', [V, D]));
  const wpe = g.initFloat('wpe', [contextLength, D], weight('wpe', [contextLength, D]));
  let h = g.op('Add', [g.op('Gather', [wte, ids]), g.op('Gather', [wpe, pos])]);

  // Additive attention bias [batch, 1, seq, total]: key slot j is visible to query i (slot past+i)
  // when j <= past+i and attention_mask[b, j] = 1. Slots are in time order (left padding).
  const total = g.op('Gather', [g.op('Shape', [mask]), g.constInt64([1], true)]);
  const seq = g.op('Gather', [g.op('Shape', [ids]), g.constInt64([1], true)]);
  const past = g.op('Sub', [total, seq]);
  const pastVec = g.op('Unsqueeze', [past, g.constInt64([0])]);
  const one = g.constInt64([1], true);
  const kIdx = g.op('Unsqueeze', [g.op('Range', [g.constInt64([0], true), total, one]), g.constInt64([0])]);
  const qIdx = g.op('Unsqueeze', [g.op('Range', [past, total, one]), g.constInt64([1])]);
  const causal = g.op('LessOrEqual', [kIdx, qIdx]);
  const padOk = g.op('Unsqueeze', [g.op('Cast', [mask], { to: DType.BOOL }), g.constInt64([1, 2])]);
  const bias = g.op('Where', [g.op('And', [causal, padOk]), g.constFloat(0), g.constFloat(-1e9)]);

  const headShape = g.constInt64([0, 0, H, dHead]);
  const mergeShape = g.constInt64([0, 0, D]);
  const scale = 1 / Math.sqrt(dHead);
  const layerNorm = (x: string, prefix: string): string =>
    g.op('LayerNormalization', [x, g.initFloat(`${prefix}.g`, [D], weight(`${prefix}.g`, [D])), g.initFloat(`${prefix}.b`, [D], weight(`${prefix}.b`, [D]))], { axis: -1, epsilon: { float: 1e-5 } });
  const toHeads = (x: string, name?: string): string => g.op('Transpose', [g.op('Reshape', [x, headShape])], { perm: [0, 2, 1, 3] }, name);

  for (let l = 0; l < nLayers; l++) {
    const p = `h.${l}`;
    const a = layerNorm(h, `${p}.ln1`);
    // Fold 1/sqrt(dHead) into the q columns so the graph needs no separate scaling op.
    const wqkv = Float32Array.from(weight(`${p}.attn.wqkv`, [D, 3 * D]));
    const bqkv = Float32Array.from(weight(`${p}.attn.bqkv`, [3 * D]));
    for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) wqkv[r * 3 * D + c]! *= scale;
    for (let c = 0; c < D; c++) bqkv[c]! *= scale;
    const qkv = g.op('Add', [g.op('MatMul', [a, g.initFloat(`${p}.attn.wqkv`, [D, 3 * D], wqkv)]), g.initFloat(`${p}.attn.bqkv`, [3 * D], bqkv)]);
    const [q, k, v] = g.node('Split', [qkv, g.constInt64([D, D, D])], { axis: 2 }, 3) as [string, string, string];
    const q4 = toHeads(q);
    let att: string;
    if (staticCache) {
      // Scores against the cache and against this step's own keys, one softmax over both, then
      // the weighted values of each part summed: no cache-sized concatenation or output.
      const k4 = toHeads(k, `kv_new.${l}.key`);
      const v4 = toHeads(v, `kv_new.${l}.value`);
      const ck = g.input(`kv_cache.${l}.key`, DType.FLOAT, ['batch', H, 'capacity', dHead]);
      const cv = g.input(`kv_cache.${l}.value`, DType.FLOAT, ['batch', H, 'capacity', dHead]);
      const sc = g.op('MatMul', [q4, g.op('Transpose', [ck], { perm: [0, 1, 3, 2] })]);
      const sn = g.op('MatMul', [q4, g.op('Transpose', [k4], { perm: [0, 1, 3, 2] })]);
      const probs = g.op('Softmax', [g.op('Add', [g.op('Concat', [sc, sn], { axis: 3 }), bias])], { axis: -1 });
      const pc = g.op('Slice', [probs, g.constInt64([0]), pastVec, g.constInt64([3])]);
      const pn = g.op('Slice', [probs, pastVec, g.constInt64([2 ** 53]), g.constInt64([3])]);
      att = g.op('Add', [g.op('MatMul', [pc, cv]), g.op('MatMul', [pn, v4])]);
      g.output(`kv_new.${l}.key`, DType.FLOAT, ['batch', H, 'seq', dHead]);
      g.output(`kv_new.${l}.value`, DType.FLOAT, ['batch', H, 'seq', dHead]);
    } else {
      let k4 = toHeads(k);
      let v4 = toHeads(v);
      if (kv) {
        const pk = g.input(`past_key_values.${l}.key`, DType.FLOAT, ['batch', H, 'past', dHead]);
        const pv = g.input(`past_key_values.${l}.value`, DType.FLOAT, ['batch', H, 'past', dHead]);
        k4 = g.op('Concat', [pk, k4], { axis: 2 }, `present.${l}.key`);
        v4 = g.op('Concat', [pv, v4], { axis: 2 }, `present.${l}.value`);
        g.output(`present.${l}.key`, DType.FLOAT, ['batch', H, 'total', dHead]);
        g.output(`present.${l}.value`, DType.FLOAT, ['batch', H, 'total', dHead]);
      }
      const scores = g.op('Add', [g.op('MatMul', [q4, g.op('Transpose', [k4], { perm: [0, 1, 3, 2] })]), bias]);
      att = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v4]);
    }
    const merged = g.op('Reshape', [g.op('Transpose', [att], { perm: [0, 2, 1, 3] }), mergeShape]);
    const wo = g.initFloat(`${p}.attn.wo`, [D, D], weight(`${p}.attn.wo`, [D, D]));
    h = g.op('Add', [h, g.op('Add', [g.op('MatMul', [merged, wo]), g.initFloat(`${p}.attn.bo`, [D], weight(`${p}.attn.bo`, [D]))])]);

    const m = layerNorm(h, `${p}.ln2`);
    const f = g.op('Add', [g.op('MatMul', [m, g.initFloat(`${p}.mlp.w1`, [D, dFF], weight(`${p}.mlp.w1`, [D, dFF]))]), g.initFloat(`${p}.mlp.b1`, [dFF], weight(`${p}.mlp.b1`, [dFF]))]);
    const gelu = geluTanh(g, f);
    const out = g.op('Add', [g.op('MatMul', [gelu, g.initFloat(`${p}.mlp.w2`, [dFF, D], weight(`${p}.mlp.w2`, [dFF, D]))]), g.initFloat(`${p}.mlp.b2`, [D], weight(`${p}.mlp.b2`, [D]))]);
    h = g.op('Add', [h, out]);
  }

  const hf = layerNorm(h, 'lnf');
  g.op('MatMul', [hf, g.initFloat('wte_t', [D, V], transpose(weight('wte', [V, D]), V, D))], {}, 'logits');
  g.output('logits', DType.FLOAT, ['batch', 'seq', V]);
  return g.toBytes({
    [META_FORMAT]: ONNX_FORMAT,
    [META_ID]: ckpt.id,
    [META_VOCAB]: JSON.stringify(ckpt.tokenizer.vocab),
    [META_CONTEXT]: String(contextLength),
  });
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the contract's GELU, in plain ops. */
function geluTanh(g: GraphBuilder, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.constFloat(0.044715)])]), g.constFloat(Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [g.op('Mul', [x, g.constFloat(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.constFloat(1)])]);
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

export interface CachedExport {
  path: string;
  bytes?: Uint8Array;
  reused: boolean;
}

/**
 * Writes the export to `<cacheDir>/<checkpoint id>.v<exporter>.<kv|nokv>.onnx` unless it is
 * already there (ids are content hashes, so a changed checkpoint gets a new file). The write is
 * atomic (temp file + rename), so concurrent runs never read half a model.
 */
export async function exportTinyToOnnxFile(ckpt: TinyCheckpoint, options: ExportOptions & { cacheDir?: string } = {}): Promise<CachedExport> {
  const dir = options.cacheDir ?? join(tmpdir(), 'reasoner-onnx-cache');
  const safeId = ckpt.id.replace(/[^A-Za-z0-9_.-]/g, '_');
  const variant = options.kvCache === false ? 'nokv' : options.cacheLayout === 'static' ? 'static' : 'kv';
  const path = join(dir, `${safeId}.v${EXPORTER_VERSION}.${variant}.onnx`);
  try {
    if ((await stat(path)).size > 0) return { path, reused: true };
  } catch { /* not cached yet */ }
  const bytes = exportTinyToOnnx(ckpt, options);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return { path, bytes, reused: false };
}

import { readFile, stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { ReasonerError } from '@reasoner/core';
import { decodeModel } from './onnx-builder.js';

/**
 * One layer's cache tensors. `common` layout: `past` inputs, `present` outputs (past + this
 * step) fed back next step. `static` layout (our own exports): `kv_cache` inputs of a fixed
 * capacity, `kv_new` outputs holding only this step's keys/values, written into the cache by JS.
 */
export interface KvLayer {
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
}

/** How a decoder-only LM graph is wired, read from the session's inputs and outputs. */
export interface LmLayout {
  hasAttentionMask: boolean;
  hasPositionIds: boolean;
  logits: string;
  /** `none`: no KV cache, each step recomputes the whole sequence. */
  cache: 'none' | 'common' | 'static';
  /** Empty when `cache` is `none`. */
  layers: KvLayer[];
  kvHeads: number;
  headDim: number;
}

export interface LmSession {
  session: ort.InferenceSession;
  layout: LmLayout;
  /** `metadata_props` of the model (empty when not read). */
  metadata: Record<string, string>;
}

export interface SessionOptions {
  /** Intra-op threads (default 2). */
  threads?: number;
  /**
   * Let idle intra-op threads spin (onnxruntime's default). Off by default here: generation runs
   * JS (sampling, stops) between short runs, and spinning workers take the cores it needs —
   * measured 2–4× slower decode steps at batch 16–64 on a busy 2-core machine.
   */
  spinning?: boolean;
}

const PAST = /^(past(?:_key_values)?|kv_cache)\.(\d+)\.(key|value)$/;
const PRESENT = /^(present(?:_key_values)?|kv_new)\.(\d+)\.(key|value)$/;
/** Files larger than this are not parsed in JS for metadata (ORT reads them natively). */
const METADATA_PARSE_LIMIT = 256 * 1024 * 1024;

function notLm(what: string, why: string, hint: string): ReasonerError {
  return new ReasonerError('RSN_ERR_ONNX_MODEL', `${what} is not a decoder-only language model this policy can run: ${why}`, { hint });
}

/**
 * Opens an ONNX model with onnxruntime (CPU) and checks it is a decoder-only LM in the common
 * export layout: inputs `input_ids` [batch, seq] int64, optional `attention_mask`
 * [batch, past+seq], optional `position_ids`, optional `past_key_values.{i}.key/value`
 * [batch, heads, past, headDim] float32; outputs `logits` [batch, seq, vocab] and
 * `present.{i}.key/value` matching every past input.
 */
export async function openLmSession(model: string | Uint8Array, options: SessionOptions = {}): Promise<LmSession> {
  const what = typeof model === 'string' ? model : 'the ONNX model bytes';
  // A path goes to onnxruntime as a path, so external-data files beside it resolve; the bytes
  // are read here only to parse metadata of models small enough for that to be cheap.
  let bytes: Uint8Array | undefined = typeof model === 'string' ? undefined : model;
  if (typeof model === 'string') {
    try {
      if ((await stat(model)).size <= METADATA_PARSE_LIMIT) bytes = await readFile(model);
    } catch (e) {
      throw new ReasonerError('RSN_ERR_ONNX_MODEL', `cannot read ONNX model ${model}: ${(e as Error).message}`, { hint: 'check the `model` path (an .onnx file, or a policy-tiny checkpoint directory)' }, { cause: e });
    }
  }
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  };
  let session: ort.InferenceSession;
  try {
    session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
  } catch (e) {
    throw new ReasonerError('RSN_ERR_ONNX_MODEL', `onnxruntime cannot load ${what}: ${(e as Error).message.split('\n')[0]}`, { hint: 'the file is corrupt, truncated or not ONNX; re-export or re-download it' }, { cause: e });
  }
  try {
    const layout = detectLayout(session, what);
    let metadata: Record<string, string> = {};
    try {
      if (bytes) metadata = readMetadata(bytes);
    } catch { /* onnxruntime accepted it; metadata is optional */ }
    return { session, layout, metadata };
  } catch (e) {
    await session.release();
    throw e;
  }
}

export function readMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of decodeModel(bytes).metadataProps ?? []) if (p.key) out[p.key] = p.value ?? '';
  return out;
}

function detectLayout(session: ort.InferenceSession, what: string): LmLayout {
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  const hintLm = 'use a decoder-only LM exported in the common layout (e.g. Hugging Face Optimum `optimum-cli export onnx --task text-generation-with-past`), or a policy-tiny checkpoint';
  if (!inputs.includes('input_ids')) throw notLm(what, `it has no \`input_ids\` input (inputs: ${inputs.join(', ') || 'none'})`, hintLm);
  const logits = outputs.includes('logits') ? 'logits' : undefined;
  if (!logits) throw notLm(what, `it has no \`logits\` output (outputs: ${outputs.join(', ') || 'none'})`, hintLm);

  const known = new Set(['input_ids', 'attention_mask', 'position_ids']);
  const past = new Map<number, Partial<KvLayer>>();
  let isStatic = false;
  for (const name of inputs) {
    const m = PAST.exec(name);
    if (m) {
      isStatic = m[1] === 'kv_cache';
      const l = past.get(+m[2]!) ?? {};
      l[m[3] === 'key' ? 'pastKey' : 'pastValue'] = name;
      past.set(+m[2]!, l);
    } else if (!known.has(name)) {
      throw notLm(what, `it needs the input \`${name}\`, which this runtime does not feed`, 'supported inputs: input_ids, attention_mask, position_ids, past_key_values.{i}.key/value (merged decoders with use_cache_branch and encoder-decoder models are not supported)');
    }
  }
  for (const name of outputs) {
    const m = PRESENT.exec(name);
    if (!m || (m[1] === 'kv_new') !== isStatic) continue;
    const l = past.get(+m[2]!);
    if (l) l[m[3] === 'key' ? 'presentKey' : 'presentValue'] = name;
  }
  const layers: KvLayer[] = [];
  for (let i = 0; i < past.size; i++) {
    const l = past.get(i);
    if (!l?.pastKey || !l.pastValue || !l.presentKey || !l.presentValue) {
      throw notLm(what, `its KV cache is incomplete at layer ${i} (need past_key_values.${i}.key/value inputs and present.${i}.key/value outputs)`, hintLm);
    }
    layers.push(l as KvLayer);
  }
  let kvHeads = 0;
  let headDim = 0;
  if (layers.length) {
    const meta = session.inputMetadata.find((m) => m.name === layers[0]!.pastKey);
    if (meta?.isTensor && meta.type !== 'float32') throw notLm(what, `its KV cache is ${meta.type}; only float32 models are supported`, 'export the model in float32 (fp16 / int8-quantized caches are not supported yet)');
    const shape = meta?.isTensor ? meta.shape : [];
    if (shape.length !== 4 || typeof shape[1] !== 'number' || typeof shape[3] !== 'number') {
      throw notLm(what, `its past_key_values have shape [${shape.join(', ')}], expected [batch, heads, past, headDim] with fixed heads and headDim`, hintLm);
    }
    kvHeads = shape[1];
    headDim = shape[3];
  }
  const logitsMeta = session.outputMetadata.find((m) => m.name === logits);
  if (logitsMeta?.isTensor && logitsMeta.type !== 'float32') throw notLm(what, `its logits are ${logitsMeta.type}; only float32 is supported`, 'export the model in float32');
  const hasAttentionMask = inputs.includes('attention_mask');
  const cache = !layers.length ? 'none' : isStatic ? 'static' : 'common';
  return { hasAttentionMask, hasPositionIds: inputs.includes('position_ids'), logits, cache, layers, kvHeads, headDim };
}

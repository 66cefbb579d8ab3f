import * as ort from 'onnxruntime-node';
import { findStop, logSoftmaxAt, sampleToken, type Completion, type Rng, type SamplingOptions } from '@reasoner/core';
import type { LmLayout } from './lm-session.js';
import type { TextTokenizer } from './tokenizers.js';

/** One sequence to continue. Rows of a batch may differ in prompt, sampling and stops. */
export interface GenRow {
  promptIds: number[];
  rng: Rng;
  sampling: SamplingOptions;
  maxTokens: number;
  stop?: readonly string[];
  logprobs?: boolean;
}

export interface LmRuntime {
  session: ort.InferenceSession;
  layout: LmLayout;
  tokenizer: TextTokenizer;
}

interface RowState {
  row: GenRow;
  ids: number[];
  logprobs: number[];
  text: string;
  done: Completion | null;
  /** Position id of the next token. */
  nextPos: number;
}

const i64 = (values: ArrayLike<number>, dims: number[]): ort.Tensor => {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', a, dims);
};

/**
 * Batched generation: one prefill over the left-padded prompts, then one decode step per token
 * with the KV cache (or full recomputation when the graph has none). Finished rows are dropped
 * from the batch (and their cache rows) once they are at least half of it, so a long tail of
 * one sample does not keep paying for the whole batch.
 */
export async function generateRows(rt: LmRuntime, rows: GenRow[], signal?: AbortSignal): Promise<Completion[]> {
  const { session, layout, tokenizer } = rt;
  const states: RowState[] = rows.map((row) => ({ row, ids: [], logprobs: [], text: '', done: null, nextPos: row.promptIds.length }));
  for (const s of states) if (s.row.maxTokens <= 0) s.done = { text: '', tokens: 0, finishReason: 'length', ...(s.row.logprobs ? { logprobs: [] } : {}) };

  // Active batch: slot -> state, per-slot attention mask (grows by one column per step).
  let active = states.filter((s) => !s.done);
  if (!active.length) return states.map((s) => s.done!);
  const S0 = Math.max(...active.map((s) => s.row.promptIds.length));
  let masks: number[][] = active.map((s) => [...new Array(S0 - s.row.promptIds.length).fill(0), ...s.row.promptIds.map(() => 1)]);
  // Full token history per slot (left-padded), needed only without a KV cache.
  let history: number[][] = active.map((s) => [...new Array(S0 - s.row.promptIds.length).fill(tokenizer.padId), ...s.row.promptIds]);
  let past: Record<string, ort.Tensor> = {};
  let stepIds: number[][] = history.map((h) => h.slice());
  let stepPos: number[][] = active.map((s) => positionsOf(s.row.promptIds.length, S0));
  const useCache = layout.layers.length > 0;
  if (useCache) {
    for (const l of layout.layers) {
      const empty = new ort.Tensor('float32', new Float32Array(0), [active.length, layout.kvHeads, 0, layout.headDim]);
      past[l.pastKey] = empty;
      past[l.pastValue] = empty;
    }
  }

  while (active.length) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    const B = active.length;
    const S = stepIds[0]!.length;
    const T = masks[0]!.length;
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(stepIds.flat(), [B, S]), ...past };
    if (layout.hasAttentionMask) feeds.attention_mask = i64(masks.flat(), [B, T]);
    if (layout.hasPositionIds) feeds.position_ids = i64(stepPos.flat(), [B, S]);
    const out = await session.run(feeds);
    const logits = out[layout.logits]!;
    const V = logits.dims[2]!;
    const data = logits.data as Float32Array;

    const keep: number[] = [];
    for (let b = 0; b < B; b++) {
      const st = active[b]!;
      if (st.done) continue;
      const off = (b * S + S - 1) * V;
      const pick = sampleToken(data, st.row.sampling, st.row.rng, off, V);
      advance(st, pick.id, pick.logprob, tokenizer);
      if (!st.done) keep.push(b);
    }
    if (!keep.length) break;

    // Next step's inputs: one new token per slot (finished slots feed pad until compaction).
    const nextIds = active.map((st) => (st.done ? tokenizer.padId : st.ids[st.ids.length - 1]!));
    masks = masks.map((m) => [...m, 1]);
    history = history.map((h, b) => [...h, nextIds[b]!]);
    if (useCache) {
      past = {};
      for (const l of layout.layers) {
        past[l.pastKey] = out[l.presentKey]!;
        past[l.pastValue] = out[l.presentValue]!;
      }
    }
    if (keep.length <= B / 2) {
      active = keep.map((b) => active[b]!);
      masks = keep.map((b) => masks[b]!);
      history = keep.map((b) => history[b]!);
      if (useCache) for (const name of Object.keys(past)) past[name] = takeRows(past[name]!, keep);
    }
    if (useCache) {
      stepIds = active.map((st) => [st.done ? tokenizer.padId : st.ids[st.ids.length - 1]!]);
      stepPos = active.map((st) => [st.nextPos - 1]);
    } else {
      stepIds = history.map((h) => h.slice());
      stepPos = active.map((st, b) => positionsOf(st.nextPos, history[b]!.length));
    }
  }
  return states.map((s) => s.done!);
}

/** Position ids of a left-padded row: 0 on padding, then 0..len-1. */
function positionsOf(len: number, width: number): number[] {
  const pad = width - len;
  return Array.from({ length: width }, (_, i) => Math.max(0, i - pad));
}

/** Appends a sampled token and decides whether the row is finished (eos, stop, length). */
function advance(st: RowState, id: number, logprob: number, tok: TextTokenizer): void {
  const { row } = st;
  st.nextPos++;
  const withLp = (c: Omit<Completion, 'logprobs'>, lps: number[]): Completion => (row.logprobs ? { ...c, logprobs: lps } : c);
  if (id === tok.eosId) {
    st.done = withLp({ text: st.text, tokens: st.ids.length + 1, finishReason: 'eos' }, st.logprobs);
    return;
  }
  const prevLen = st.text.length;
  st.ids.push(id);
  st.logprobs.push(logprob);
  st.text = tok.decode(st.ids);
  const stop = findStop(st.text, row.stop, prevLen);
  if (stop) {
    // Keep the logprobs of the tokens whose text lies wholly before the stop sequence, so they
    // line up with `scoreText(prompt, text)`.
    let k = st.ids.length;
    while (k > 0 && tok.decode(st.ids.slice(0, k)).length > stop.index) k--;
    st.done = withLp({ text: st.text.slice(0, stop.index), tokens: st.ids.length, finishReason: 'stop' }, st.logprobs.slice(0, k));
  } else if (st.ids.length >= row.maxTokens) {
    st.done = withLp({ text: st.text, tokens: st.ids.length, finishReason: 'length' }, st.logprobs);
  }
}

/** Rows `keep` of a [batch, …] tensor, copied into a new tensor. */
function takeRows(t: ort.Tensor, keep: number[]): ort.Tensor {
  const rest = (t.dims as number[]).slice(1);
  const rowSize = rest.reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const dst = new Float32Array(keep.length * rowSize);
  keep.forEach((b, i) => dst.set(src.subarray(b * rowSize, (b + 1) * rowSize), i * rowSize));
  return new ort.Tensor('float32', dst, [keep.length, ...rest]);
}

/** Logprobs of `textIds` after `promptIds` with one teacher-forced forward pass. */
export async function scoreIds(rt: LmRuntime, promptIds: number[], textIds: number[]): Promise<number[]> {
  const { session, layout } = rt;
  const ids = [...promptIds, ...textIds];
  const T = ids.length;
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids, [1, T]) };
  if (layout.hasAttentionMask) feeds.attention_mask = i64(new Array(T).fill(1), [1, T]);
  if (layout.hasPositionIds) feeds.position_ids = i64(ids.map((_, i) => i), [1, T]);
  for (const l of layout.layers) {
    const empty = new ort.Tensor('float32', new Float32Array(0), [1, layout.kvHeads, 0, layout.headDim]);
    feeds[l.pastKey] = empty;
    feeds[l.pastValue] = empty;
  }
  const out = await session.run(feeds);
  const logits = out[layout.logits]!;
  const V = logits.dims[2]!;
  const data = logits.data as Float32Array;
  return textIds.map((id, i) => logSoftmaxAt(data, id, (promptIds.length - 1 + i) * V, V));
}

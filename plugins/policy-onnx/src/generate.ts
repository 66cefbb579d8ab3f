import * as ort from 'onnxruntime-node';
import { findStop, logSoftmaxAt, ReasonerError, sampleToken, type Completion, type Rng, type SamplingOptions } from '@reasoner/core';
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

function i64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', a, dims);
}


/**
 * The batch being decoded: per slot its state, token history (left-padded) and attention mask
 * over all slots so far, plus the KV cache in the graph's layout.
 */
class Batch {
  /** Slots (sequence columns) already in the cache. */
  cached = 0;
  /** `static` layout: one buffer per cache input, [batch, heads, capacity, headDim]. */
  private cacheBufs = new Map<string, Float32Array>();
  /** `common` layout: the last `present` outputs, fed back as `past`. */
  private past: Record<string, ort.Tensor> = {};
  /**
   * `static` layout, decode steps: attention_mask [batch, capacity + 1] kept across steps (only
   * the newly cached slot changes), since building BigInts for the whole mask each step costs
   * more than the step's attention.
   */
  private decodeMask: BigInt64Array | null = null;

  constructor(
    private readonly rt: LmRuntime,
    public states: RowState[],
    public history: number[][],
    public masks: number[][],
    /** Static cache slots allocated now; grows (doubling) up to `maxCapacity` as tokens come. */
    private capacity: number,
    private readonly maxCapacity = capacity,
  ) {
    const { layout } = rt;
    for (const l of layout.layers) {
      for (const name of [l.pastKey, l.pastValue]) {
        if (layout.cache === 'static') this.cacheBufs.set(name, new Float32Array(states.length * layout.kvHeads * capacity * layout.headDim));
        else this.past[name] = new ort.Tensor('float32', new Float32Array(0), [states.length, layout.kvHeads, 0, layout.headDim]);
      }
    }
  }

  /**
   * Attention runs over the whole static capacity, so it starts small and doubles when full:
   * completions that stop early (eos, stop strings) never pay for `maxTokens` slots.
   */
  private grow(width: number): void {
    if (width <= this.capacity || this.capacity >= this.maxCapacity) return;
    const next = Math.min(this.maxCapacity, Math.max(width, this.capacity * 2));
    const { kvHeads: H, headDim: Dh } = this.rt.layout;
    const B = this.states.length;
    for (const [name, buf] of this.cacheBufs) {
      const grown = new Float32Array(B * H * next * Dh);
      for (let bh = 0; bh < B * H; bh++) grown.set(buf.subarray(bh * this.capacity * Dh, (bh + 1) * this.capacity * Dh), bh * next * Dh);
      this.cacheBufs.set(name, grown);
    }
    this.capacity = next;
    this.decodeMask = null;
  }

  /** Runs the slots not yet in the cache (all of them without a cache); returns logits of the last one. */
  async step(): Promise<{ data: Float32Array; V: number; S: number }> {
    const { session, layout } = this.rt;
    const B = this.states.length;
    const width = this.history[0]!.length;
    if (layout.cache === 'static') this.grow(width);
    const from = layout.cache === 'none' ? 0 : this.cached;
    const S = width - from;
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(this.history.flatMap((h) => h.slice(from)), [B, S]) };
    if (layout.hasPositionIds) {
      // Left padding: slot j of a row holding `nextPos` tokens has position j - (width - nextPos), 0 on padding.
      const pos = new BigInt64Array(B * S);
      this.states.forEach((st, b) => {
        const pad = width - st.nextPos;
        for (let j = 0; j < S; j++) pos[b * S + j] = BigInt(Math.max(0, from + j - pad));
      });
      feeds.position_ids = new ort.Tensor('int64', pos, [B, S]);
    }
    if (layout.cache === 'static') {
      // Mask over the whole capacity (unfilled slots 0), then over this step's slots.
      const C = this.capacity;
      let m: BigInt64Array;
      if (S === 1 && this.decodeMask && from > 0) {
        m = this.decodeMask;
        for (let b = 0; b < B; b++) m[b * (C + 1) + from - 1] = BigInt(this.masks[b]![from - 1]!);
      } else {
        m = new BigInt64Array(B * (C + S));
        for (let b = 0; b < B; b++) {
          const row = this.masks[b]!;
          for (let j = 0; j < from; j++) m[b * (C + S) + j] = BigInt(row[j]!);
          for (let j = 0; j < S; j++) m[b * (C + S) + C + j] = BigInt(row[from + j]!);
        }
        if (S === 1) this.decodeMask = m;
      }
      feeds.attention_mask = new ort.Tensor('int64', m, [B, C + S]);
      for (const [name, buf] of this.cacheBufs) feeds[name] = new ort.Tensor('float32', buf, [B, layout.kvHeads, C, layout.headDim]);
    } else {
      if (layout.hasAttentionMask) feeds.attention_mask = i64(this.masks.flat(), [B, width]);
      Object.assign(feeds, this.past);
    }
    const out = await session.run(feeds);
    if (layout.cache === 'static' && width <= this.capacity) {
      const { kvHeads: H, headDim: Dh } = layout;
      const C = this.capacity;
      for (const l of layout.layers) {
        for (const [input, output] of [[l.pastKey, l.presentKey], [l.pastValue, l.presentValue]] as const) {
          const dst = this.cacheBufs.get(input)!;
          const src = out[output]!.data as Float32Array;
          // A plain loop: per (row, head) the run is only S·headDim floats, too short for subarray+set.
          const run = S * Dh;
          for (let bh = 0; bh < B * H; bh++) {
            const so = bh * run;
            const d = (bh * C + from) * Dh;
            for (let i = 0; i < run; i++) dst[d + i] = src[so + i]!;
          }
        }
      }
    } else if (layout.cache === 'common') {
      this.past = {};
      for (const l of layout.layers) {
        this.past[l.pastKey] = out[l.presentKey]!;
        this.past[l.pastValue] = out[l.presentValue]!;
      }
    }
    this.cached = width;
    const logits = out[layout.logits]!;
    return { data: logits.data as Float32Array, V: logits.dims[2]!, S };
  }

  /** Appends one slot per row (finished rows get padding, still unmasked: harmless, never read). */
  append(ids: number[]): void {
    this.history.forEach((h, b) => h.push(ids[b]!));
    this.masks.forEach((m) => m.push(1));
  }

  /** Keeps only the slots `keep`, copying their cache rows. */
  compact(keep: number[]): void {
    const pick = <T>(a: T[]): T[] => keep.map((b) => a[b]!);
    this.states = pick(this.states);
    this.history = pick(this.history);
    this.masks = pick(this.masks);
    this.decodeMask = null;
    const takeRows = (src: Float32Array, rowSize: number): Float32Array => {
      const dst = new Float32Array(keep.length * rowSize);
      keep.forEach((b, i) => dst.set(src.subarray(b * rowSize, (b + 1) * rowSize), i * rowSize));
      return dst;
    };
    const { kvHeads: H, headDim: Dh } = this.rt.layout;
    for (const [name, buf] of this.cacheBufs) this.cacheBufs.set(name, takeRows(buf, H * this.capacity * Dh));
    for (const [name, t] of Object.entries(this.past)) {
      const dims = t.dims as number[];
      const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
      this.past[name] = new ort.Tensor('float32', takeRows(t.data as Float32Array, rowSize), [keep.length, ...dims.slice(1)]);
    }
  }
}

/**
 * Batched generation: one prefill over the left-padded prompts, then one decode step per token
 * with the KV cache (or full recomputation when the graph has none). Finished rows are dropped
 * from the batch (with their cache rows) once they are at least half of it, so the long tail of
 * one sample does not keep paying for the whole batch.
 */
export async function generateRows(rt: LmRuntime, rows: GenRow[], signal?: AbortSignal): Promise<Completion[]> {
  const { tokenizer } = rt;
  const states: RowState[] = rows.map((row) => ({ row, ids: [], logprobs: [], text: '', done: null, nextPos: row.promptIds.length }));
  for (const s of states) if (s.row.maxTokens <= 0) s.done = { text: '', tokens: 0, finishReason: 'length', ...(s.row.logprobs ? { logprobs: [] } : {}) };
  const active = states.filter((s) => !s.done);
  if (!active.length) return states.map((s) => s.done!);

  const S0 = Math.max(...active.map((s) => s.row.promptIds.length));
  const maxNew = Math.max(...active.map((s) => s.row.maxTokens));
  const batch = new Batch(
    rt,
    active,
    active.map((s) => [...new Array(S0 - s.row.promptIds.length).fill(tokenizer.padId), ...s.row.promptIds]),
    active.map((s) => [...new Array(S0 - s.row.promptIds.length).fill(0), ...s.row.promptIds.map(() => 1)]),
    // The cache never holds the last generated token: S0 + maxNew - 1 slots suffice; start
    // with room for 32 new tokens and grow.
    Math.min(S0 + maxNew - 1, S0 + 32),
    S0 + maxNew - 1,
  );
  while (batch.states.length) {
    if (signal?.aborted) throw abortedError();
    const { data, V, S } = await batch.step();
    const keep: number[] = [];
    batch.states.forEach((st, b) => {
      if (st.done) return;
      const pick = sampleToken(data, st.row.sampling, st.row.rng, (b * S + S - 1) * V, V);
      advance(st, pick.id, pick.logprob, tokenizer);
      if (!st.done) keep.push(b);
    });
    if (!keep.length) break;
    batch.append(batch.states.map((st) => (st.done ? tokenizer.padId : st.ids[st.ids.length - 1]!)));
    if (keep.length <= batch.states.length / 2) batch.compact(keep);
  }
  return states.map((s) => s.done!);
}

/** The error every aborted generate / scoreText rejects with. */
export function abortedError(): ReasonerError {
  return new ReasonerError('RSN_ERR_ABORTED', 'generation aborted', { hint: 'the caller aborted the request (AbortSignal)' });
}

/** Appends a sampled token and decides whether the row is finished (eos, stop, length). */
function advance(st: RowState, id: number, logprob: number, tok: TextTokenizer): void {
  const { row } = st;
  st.nextPos++;
  const withLp = (c: Omit<Completion, 'logprobs'>, lps: number[]): Completion => (row.logprobs ? { ...c, logprobs: lps } : c);
  if (tok.isEnd(id)) {
    st.done = withLp({ text: st.text, tokens: st.ids.length + 1, finishReason: 'eos' }, st.logprobs);
    return;
  }
  const prevLen = st.text.length;
  st.ids.push(id);
  st.logprobs.push(logprob);
  st.text = tok.tokenText ? st.text + tok.tokenText(id) : tok.decode(st.ids);
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

/** Logprobs of `textIds` after `promptIds` with one teacher-forced forward pass. */
export async function scoreIds(rt: LmRuntime, promptIds: number[], textIds: number[]): Promise<number[]> {
  const ids = [...promptIds, ...textIds];
  const state: RowState = { row: { promptIds: ids, rng: null as never, sampling: {}, maxTokens: 0 }, ids: [], logprobs: [], text: '', done: null, nextPos: ids.length };
  const { data, V } = await new Batch(rt, [state], [ids.slice()], [ids.map(() => 1)], 0).step();
  return textIds.map((id, i) => logSoftmaxAt(data, id, (promptIds.length - 1 + i) * V, V));
}

/**
 * Teacher-forced logprobs of many sequences in one left-padded forward: for each row, the
 * logprobs of `ids[from…]` (each predicted from the ids before it). Rows of any lengths.
 */
export async function scoreRows(rt: LmRuntime, rows: Array<{ ids: number[]; from: number }>): Promise<number[][]> {
  if (rows.length === 0) return [];
  const W = Math.max(...rows.map((r) => r.ids.length)) - 1;
  const pad = rt.tokenizer.padId;
  const states: RowState[] = rows.map((r) => ({ row: { promptIds: r.ids, rng: null as never, sampling: {}, maxTokens: 0 }, ids: [], logprobs: [], text: '', done: null, nextPos: r.ids.length - 1 }));
  // Inputs are ids[0 … n-2] (the last id is only predicted), left-padded to W.
  const history = rows.map((r) => [...new Array(W - (r.ids.length - 1)).fill(pad), ...r.ids.slice(0, -1)]);
  const masks = rows.map((r) => [...new Array(W - (r.ids.length - 1)).fill(0), ...r.ids.slice(0, -1).map(() => 1)]);
  const { data, V, S } = await new Batch(rt, states, history, masks, 0).step();
  return rows.map((r, b) => {
    const off = W - (r.ids.length - 1);
    const out: number[] = [];
    // Input slot off + t holds ids[t] and predicts ids[t + 1].
    for (let t = r.from - 1; t < r.ids.length - 1; t++) out.push(logSoftmaxAt(data, r.ids[t + 1]!, (b * S + off + t) * V, V));
    return out;
  });
}

import * as tf from '@tensorflow/tfjs';
import { ReasonerError, createRng, findStop, logSoftmaxAt, sampleToken } from '@reasoner/core';
import type { Completion, Rng, SamplingOptions } from '@reasoner/core';
import { forwardHidden, head, type LayerCache } from './model.js';
import { BOS, EOS } from '@reasoner/tiny-format';
import type { TinyModel } from './tiny-model.js';

export interface DecodeOptions extends SamplingOptions {
  maxTokens: number;
  stop?: readonly string[];
  logprobs?: boolean;
  /** Feed the KV cache (default); false recomputes the whole sequence every token (bench/test baseline). */
  kvCache?: boolean;
  /** Keep decoding through `<eos>` (benchmarks: a fixed number of tokens per row). */
  ignoreEos?: boolean;
  signal?: AbortSignal;
}

export interface DecodeRow {
  /** Token ids of the context (`<bos>` + prompt + prefix); all rows of one call must have equal length. */
  ids: number[];
  rng: Rng;
}

/** Context ids for a prompt (+ prefix): `<bos>` + chars. Throws RSN_ERR_VOCAB on unknown characters. */
export function contextIds(model: TinyModel, prompt: string, prefix = ''): number[] {
  return [BOS, ...model.tokenizer.encode(prompt + prefix)];
}

/**
 * Room left for new tokens after a context of `contextLen` ids. An explicit `maxTokens` that does
 * not fit is an error (RSN_ERR_CONTEXT_LENGTH); without one, the default is clamped to the room.
 */
export function resolveMaxTokens(model: TinyModel, contextLen: number, requested: number | undefined, fallback: number): number {
  const C = model.arch.contextLength;
  const room = C - contextLen;
  if (room < 1) {
    throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `prompt is ${contextLen - 1} tokens (+1 for <bos>); the model's context window is ${C} tokens`, { hint: `shorten the prompt/prefix to at most ${C - 2} characters` });
  }
  if (requested === undefined) return Math.min(fallback, room);
  if (!Number.isInteger(requested) || requested < 1) throw new ReasonerError('RSN_ERR_INPUT', `maxTokens must be a positive integer (got ${requested})`);
  if (requested > room) {
    throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `prompt (${contextLen} tokens with <bos>) + maxTokens (${requested}) exceeds the context window of ${C} tokens`, { hint: `ask for at most ${room} tokens, or leave maxTokens unset to use what fits` });
  }
  return requested;
}

/** Logits of the last position, [B, V]. */
function lastLogits(model: TinyModel, h: tf.Tensor2D, B: number, T: number): tf.Tensor2D {
  const last = T === 1 ? h : (tf.reshape(tf.slice(tf.reshape(h, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D);
  return head(model.params, last);
}

function step(model: TinyModel, ids: number[][], pos0: number, past: LayerCache[] | undefined): { logits: tf.Tensor2D; present: LayerCache[] } {
  // tidy keeps tensors nested in the returned object (the cache) and frees everything else.
  return tf.tidy(() => {
    const B = ids.length;
    const T = ids[0]!.length;
    const x = tf.tensor2d(ids.flat(), [B, T], 'int32');
    const { h, present } = forwardHidden(model.arch, model.params, x, { pos0, past });
    return { logits: lastLogits(model, h, B, T), present } as unknown as tf.TensorContainer;
  }) as unknown as { logits: tf.Tensor2D; present: LayerCache[] };
}

function disposeCache(cache: LayerCache[] | undefined): void {
  if (cache) for (const c of cache) tf.dispose([c.k, c.v]);
}

/**
 * Batched autoregressive decoding. Every row has its own RNG, so a row's output does not depend
 * on what else is in the batch. Rows that finish are dropped from the batch (the cache is
 * gathered) once a quarter of it is idle.
 */
export async function decode(model: TinyModel, rows: DecodeRow[], opts: DecodeOptions): Promise<Completion[]> {
  const B0 = rows.length;
  if (B0 === 0) return [];
  const T0 = rows[0]!.ids.length;
  if (rows.some((r) => r.ids.length !== T0)) throw new Error('decode: all rows must have the same context length');
  const V = model.arch.vocabSize;
  const kv = opts.kvCache !== false;
  const texts = rows.map(() => '');
  const lps: number[][] = rows.map(() => []);
  const counts = rows.map(() => 0);
  const finish: Array<Completion['finishReason'] | undefined> = rows.map(() => undefined);
  const seqs = rows.map((r) => [...r.ids]);
  // active[j] = index (into rows) of batch row j.
  let active = rows.map((_, i) => i);
  let cache: LayerCache[] | undefined;
  let logits: tf.Tensor2D | undefined;
  try {
    ({ logits, present: cache } = step(model, seqs, 0, undefined));
    if (!kv) { disposeCache(cache); cache = undefined; }
    for (let t = 0; t < opts.maxTokens; t++) {
      if (opts.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'generation aborted');
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      logits = undefined;
      const next: number[] = [];
      for (let j = 0; j < active.length; j++) {
        const i = active[j]!;
        if (finish[i]) { next.push(EOS); continue; }
        const { id, logprob } = sampleToken(data, opts, rows[i]!.rng, j * V, V);
        counts[i]!++;
        next.push(id);
        seqs[i]!.push(id);
        if (id < 3) {
          if (!opts.ignoreEos) finish[i] = 'eos';
          continue;
        }
        const prevLen = texts[i]!.length;
        texts[i] += model.tokenizer.token(id);
        if (opts.logprobs) lps[i]!.push(logprob);
        const hit = findStop(texts[i]!, opts.stop, prevLen);
        if (hit) {
          texts[i] = texts[i]!.slice(0, hit.index);
          finish[i] = 'stop';
        }
      }
      const live = active.filter((i) => !finish[i]);
      if (live.length === 0 || t === opts.maxTokens - 1) break;
      let feed = active.map((_, j) => [next[j]!]);
      if (cache && live.length <= active.length * 0.75) {
        const keep = active.flatMap((i, j) => (finish[i] ? [] : [j]));
        const idx = tf.tensor1d(keep, 'int32');
        const gathered = cache.map((c) => ({ k: tf.gather(c.k, idx) as tf.Tensor4D, v: tf.gather(c.v, idx) as tf.Tensor4D }));
        idx.dispose();
        disposeCache(cache);
        cache = gathered;
        feed = keep.map((j) => feed[j]!);
        active = live;
      }
      if (cache) {
        const out = step(model, feed, T0 + t, cache);
        disposeCache(cache);
        ({ logits, present: cache } = out);
      } else {
        // No cache: recompute the whole sequence (the baseline the cache is measured against).
        active = live;
        const out = step(model, active.map((i) => seqs[i]!), 0, undefined);
        disposeCache(out.present);
        logits = out.logits;
      }
    }
  } finally {
    logits?.dispose();
    disposeCache(cache);
  }
  return rows.map((_, i) => {
    const c: Completion = { text: texts[i]!, tokens: counts[i]!, finishReason: finish[i] ?? 'length' };
    // Character tokenizer: one logprob per character of the returned text (stop sequence excluded).
    if (opts.logprobs) c.logprobs = lps[i]!.slice(0, texts[i]!.length);
    return c;
  });
}

/** `n` completions of one prompt (+ prefix), all in one batch; row i samples with `createRng(seed).fork(i)`. */
export async function generateN(model: TinyModel, prompt: string, prefix: string, n: number, seed: number, opts: DecodeOptions): Promise<Completion[]> {
  const ids = contextIds(model, prompt, prefix);
  const base = createRng(seed);
  return decode(model, Array.from({ length: n }, (_, i) => ({ ids, rng: base.fork(i) })), opts);
}

/**
 * One completion per prompt, batched by context length (prompts of equal length share a batch).
 * For evaluation and validation accuracy; prompt i samples with `createRng(seed).fork(i)`.
 */
export async function generateMany(model: TinyModel, prompts: readonly string[], seed: number, opts: DecodeOptions & { batchSize?: number }): Promise<Completion[]> {
  const base = createRng(seed);
  const byLen = new Map<number, number[]>();
  const ids = prompts.map((p) => contextIds(model, p));
  ids.forEach((x, i) => byLen.set(x.length, [...(byLen.get(x.length) ?? []), i]));
  const out: Completion[] = new Array(prompts.length);
  const bs = opts.batchSize ?? 64;
  for (const group of byLen.values()) {
    for (let s = 0; s < group.length; s += bs) {
      const part = group.slice(s, s + bs);
      const res = await decode(model, part.map((i) => ({ ids: ids[i]!, rng: base.fork(i) })), opts);
      part.forEach((i, j) => (out[i] = res[j]!));
    }
  }
  return out;
}

/** Logits [B·T·V] (row-major [B, T, V]) of equal-length id rows, full recompute (for cross-backend checks). */
export function forwardLogits(model: TinyModel, ids: number[][]): Float32Array {
  return tf.tidy(() => {
    const B = ids.length;
    const T = ids[0]?.length ?? 0;
    const { h } = forwardHidden(model.arch, model.params, tf.tensor2d(ids.flat(), [B, T], 'int32'));
    return head(model.params, h).dataSync() as Float32Array;
  });
}

/** Teacher-forced logprobs of `text` after `prompt` (one per character), under the untempered model. */
export async function scoreText(model: TinyModel, prompt: string, text: string): Promise<{ logprobs: number[]; tokens: number }> {
  const ctx = contextIds(model, prompt);
  const ids = [...ctx, ...model.tokenizer.encode(text)];
  if (ids.length > model.arch.contextLength) {
    throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `prompt + text is ${ids.length} tokens (with <bos>); the context window is ${model.arch.contextLength}`, { hint: 'score shorter text' });
  }
  if (text.length === 0) return { logprobs: [], tokens: 0 };
  // Positions ctx.length-1 … ids.length-2 predict the text's tokens.
  const V = model.arch.vocabSize;
  const logits = forwardLogits(model, [ids.slice(0, -1)]);
  const logprobs: number[] = [];
  for (let t = ctx.length - 1; t < ids.length - 1; t++) logprobs.push(logSoftmaxAt(logits, ids[t + 1]!, t * V, V));
  return { logprobs, tokens: logprobs.length };
}

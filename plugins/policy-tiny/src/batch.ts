import * as tf from '@tensorflow/tfjs';
import { ReasonerError } from '@reasoner/core';
import type { Rng, TrainSequence } from '@reasoner/core';
import { BOS, EOS, PAD, type CharTokenizer } from '@reasoner/tiny-format';
import type { SftRecord } from './data.js';

/** One encoded sequence: ids[i] predicts ids[i+1]; the loss covers positions lossFrom … lossFrom+n-1. */
export interface EncodedRow {
  ids: number[];
  lossFrom: number;
  /** Completion tokens scored (eos included when present). */
  n: number;
}

/** Encodes `<bos>` prompt solution `<eos>` and a loss mask over the solution and `<eos>`. */
export function encodeRecord(tok: CharTokenizer, r: SftRecord): EncodedRow {
  return encodeSequence(tok, { prompt: r.prompt, completion: r.solution, eos: true });
}

/** `<bos>` prompt completion [`<eos>`]; the first completion token is predicted at position 1 + prompt.length - 1. */
export function encodeSequence(tok: CharTokenizer, s: TrainSequence): EncodedRow {
  const p = tok.encode(s.prompt);
  const c = tok.encode(s.completion);
  const eos = s.eos !== false;
  return { ids: [BOS, ...p, ...c, ...(eos ? [EOS] : [])], lossFrom: p.length, n: c.length + (eos ? 1 : 0) };
}

/** Encodes a learner's batch; empty, over-long or empty-completion sequences are RSN_ERR_TRAIN naming the index. */
export function encodeBatch(tok: CharTokenizer, sequences: readonly TrainSequence[], contextLength: number): EncodedRow[] {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new ReasonerError('RSN_ERR_TRAIN', 'the training batch has no sequences', { hint: 'pass at least one { prompt, completion }' });
  return sequences.map((s, i) => {
    if (typeof s?.prompt !== 'string' || typeof s?.completion !== 'string') throw new ReasonerError('RSN_ERR_TRAIN', `sequence ${i} needs string prompt and completion`);
    const r = encodeSequence(tok, s);
    if (r.n === 0) throw new ReasonerError('RSN_ERR_TRAIN', `sequence ${i} has an empty completion and no eos: nothing to score`, { hint: 'drop it, or set eos: true' });
    if (r.ids.length - 1 > contextLength) {
      throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `sequence ${i} is ${r.ids.length - 1} tokens; the model's context window is ${contextLength}`, { hint: 'drop or truncate sequences longer than the context' });
    }
    return r;
  });
}

/** A padded batch: inputs [B, T], targets and the completion mask [B·T] (row-major). */
export interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  mask: tf.Tensor1D;
  /** Real (non-padding) input positions. */
  tokens: number;
  shape: [number, number];
  rows: EncodedRow[];
}

export function makeBatch(rows: EncodedRow[]): Batch {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.ids.length)) - 1;
  const x = new Int32Array(B * T).fill(PAD);
  const y = new Int32Array(B * T).fill(PAD);
  const m = new Float32Array(B * T);
  let tokens = 0;
  rows.forEach((r, b) => {
    for (let t = 0; t < r.ids.length - 1; t++) {
      x[b * T + t] = r.ids[t]!;
      y[b * T + t] = r.ids[t + 1]!;
    }
    for (let j = 0; j < r.n; j++) m[b * T + r.lossFrom + j] = 1;
    tokens += r.ids.length - 1;
  });
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor1d(y, 'int32'), mask: tf.tensor1d(m), tokens, shape: [B, T], rows };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y, b.mask]);
}

/**
 * Checks per-token numbers (one array per sequence, aligned with its completion tokens) against
 * the batch. A length mismatch or a non-finite value is RSN_ERR_TRAIN naming the sequence.
 */
export function perToken(rows: readonly EncodedRow[], values: readonly (readonly number[])[] | undefined, what: string): Float32Array[] {
  if (!Array.isArray(values) || values.length !== rows.length) {
    throw new ReasonerError('RSN_ERR_TRAIN', `${what} has ${Array.isArray(values) ? values.length : 'no'} rows; the batch has ${rows.length} sequences`, { hint: `pass one ${what} array per sequence` });
  }
  return rows.map((r, b) => {
    const v = values[b];
    if (!Array.isArray(v) || v.length !== r.n) {
      throw new ReasonerError('RSN_ERR_TRAIN', `${what}[${b}] has ${Array.isArray(v) ? v.length : 'no'} values; sequence ${b} has ${r.n} completion tokens (eos included)`, { hint: 'take per-token arrays from sequenceLogprobs() of the same sequences' });
    }
    const out = Float32Array.from(v);
    const i = out.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) throw new ReasonerError('RSN_ERR_TRAIN', `${what}[${b}][${i}] is ${v[i]}`, { hint: 'every per-token value must be a finite number' });
    return out;
  });
}

/** Lays per-row values out as [b·T] for the micro-batch of rows `idx` (completion positions; 0 elsewhere). */
export function layout(rows: readonly EncodedRow[], idx: readonly number[], T: number, perRow: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(idx.length * T);
  idx.forEach((i, b) => out.set(perRow[i]!, b * T + rows[i]!.lossFrom));
  return out;
}

/** One number per sequence, checked. */
export function perSequence(rows: readonly EncodedRow[], values: readonly number[] | undefined, what: string, fallback?: number): Float32Array {
  if (values === undefined && fallback !== undefined) return new Float32Array(rows.length).fill(fallback);
  if (!Array.isArray(values) || values.length !== rows.length) {
    throw new ReasonerError('RSN_ERR_TRAIN', `${what} has ${Array.isArray(values) ? values.length : 'no'} values; the batch has ${rows.length} sequences`, { hint: `pass one ${what} value per sequence` });
  }
  values.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new ReasonerError('RSN_ERR_TRAIN', `${what}[${i}] is ${x}`, { hint: 'every value must be a finite number' });
  });
  return Float32Array.from(values);
}

/**
 * Draws SFT batches from a sampler with little padding: 8 batches' worth of examples are drawn,
 * sorted by length, cut into batches and shuffled.
 */
export class BucketedSampler {
  private queue: EncodedRow[][] = [];
  skipped = 0;

  constructor(
    private readonly draw: (rng: Rng) => EncodedRow,
    private readonly batchSize: number,
    private readonly contextLength: number,
    private readonly rng: Rng,
  ) {}

  next(): EncodedRow[] {
    if (this.queue.length === 0) {
      const pool: EncodedRow[] = [];
      while (pool.length < this.batchSize * 8) {
        const r = this.draw(this.rng);
        if (r.ids.length - 1 > this.contextLength) { this.skipped++; continue; }
        pool.push(r);
      }
      pool.sort((a, b) => a.ids.length - b.ids.length);
      for (let i = 0; i < 8; i++) this.queue.push(pool.slice(i * this.batchSize, (i + 1) * this.batchSize));
      for (let i = this.queue.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [this.queue[i], this.queue[j]] = [this.queue[j]!, this.queue[i]!];
      }
    }
    return this.queue.pop()!;
  }
}

export interface MicroBatch {
  /** Rows of the batch in this micro-batch (sorted by length). */
  idx: number[];
  /** Units (see `ObjectivePlan.units`) it computes. */
  unitIds: number[];
}

/**
 * Cuts a batch into micro-batches of similar length (less padding, bounded memory): units (rows,
 * or DPO pairs that must stay together) sorted by length, packed while the micro-batch has at
 * most `maxRows` rows and `maxPositions` padded positions (rows × longest row); a unit always fits
 * somewhere, alone if need be.
 */
export function microBatches(rows: readonly EncodedRow[], units: readonly number[][], maxRows: number, maxPositions: number): MicroBatch[] {
  const len = (u: readonly number[]): number => Math.max(...u.map((i) => rows[i]!.ids.length - 1));
  const order = units.map((_, i) => i).sort((a, b) => len(units[a]!) - len(units[b]!) || a - b);
  const out: MicroBatch[] = [];
  let cur: { rows: Set<number>; unitIds: number[]; T: number } | null = null;
  for (const u of order) {
    const T = len(units[u]!);
    if (cur) {
      const merged = new Set([...cur.rows, ...units[u]!]);
      if (merged.size <= maxRows && merged.size * Math.max(T, cur.T) <= maxPositions) {
        cur.rows = merged;
        cur.unitIds.push(u);
        cur.T = Math.max(T, cur.T);
        continue;
      }
      out.push({ idx: [...cur.rows], unitIds: cur.unitIds });
    }
    cur = { rows: new Set(units[u]!), unitIds: [u], T };
  }
  if (cur) out.push({ idx: [...cur.rows], unitIds: cur.unitIds });
  return out;
}

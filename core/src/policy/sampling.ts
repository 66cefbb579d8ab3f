import type { Rng } from '../util/rng.js';

export interface SamplingOptions {
  /** 0 or less = greedy (argmax). */
  temperature?: number;
  topK?: number;
  topP?: number;
}

export interface Sampled {
  id: number;
  /** log p(id) under the model's untempered distribution (what PPO/DPO ratios need). */
  logprob: number;
}

/** log-softmax of one row of logits at index `id`. */
export function logSoftmaxAt(logits: ArrayLike<number>, id: number, offset = 0, size = logits.length - offset): number {
  let max = -Infinity;
  for (let i = 0; i < size; i++) if (logits[offset + i]! > max) max = logits[offset + i]!;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[offset + i]! - max);
  return logits[offset + id]! - max - Math.log(sum);
}

/**
 * Samples one token from a row of logits (`logits[offset .. offset+size)`) with temperature,
 * top-k and nucleus (top-p) filtering, using a seeded RNG. Shared by every local policy backend.
 */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng, offset = 0, size = logits.length - offset): Sampled {
  const t = opts.temperature ?? 1;
  if (t <= 0) {
    let best = 0;
    for (let i = 1; i < size; i++) if (logits[offset + i]! > logits[offset + best]!) best = i;
    return { id: best, logprob: logSoftmaxAt(logits, best, offset, size) };
  }
  const topK = opts.topK && opts.topK > 0 ? Math.min(opts.topK, size) : size;
  const topP = opts.topP ?? 1;
  if (topK === size && topP >= 1) return sampleFull(logits, t, rng, offset, size);
  let ids = Array.from({ length: size }, (_, i) => i);
  if (topK < size || topP < 1) ids.sort((a, b) => logits[offset + b]! - logits[offset + a]!);
  if (topK < size) ids = ids.slice(0, topK);
  let max = -Infinity;
  for (const i of ids) max = Math.max(max, logits[offset + i]! / t);
  let probs = ids.map((i) => Math.exp(logits[offset + i]! / t - max));
  let total = probs.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    let cum = 0;
    let cut = ids.length;
    for (let j = 0; j < ids.length; j++) {
      cum += probs[j]! / total;
      if (cum >= topP) { cut = j + 1; break; }
    }
    ids = ids.slice(0, cut);
    probs = probs.slice(0, cut);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let r = rng.next() * total;
  let pick = ids[ids.length - 1]!;
  for (let j = 0; j < ids.length; j++) {
    r -= probs[j]!;
    if (r <= 0) { pick = ids[j]!; break; }
  }
  return { id: pick, logprob: logSoftmaxAt(logits, pick, offset, size) };
}

/** Plain temperature sampling over the whole row: two passes, no allocation (the hot path). */
function sampleFull(logits: ArrayLike<number>, t: number, rng: Rng, offset: number, size: number): Sampled {
  let max = -Infinity;
  for (let i = 0; i < size; i++) if (logits[offset + i]! > max) max = logits[offset + i]!;
  let total = 0;
  for (let i = 0; i < size; i++) total += Math.exp((logits[offset + i]! - max) / t);
  let r = rng.next() * total;
  let pick = size - 1;
  for (let i = 0; i < size; i++) {
    r -= Math.exp((logits[offset + i]! - max) / t);
    if (r <= 0) { pick = i; break; }
  }
  return { id: pick, logprob: logSoftmaxAt(logits, pick, offset, size) };
}

/** Index of the earliest stop sequence in `text` at or after `from`, or -1. */
export function findStop(text: string, stops: readonly string[] | undefined, from = 0): { index: number; stop: string } | null {
  let found: { index: number; stop: string } | null = null;
  for (const s of stops ?? []) {
    if (!s) continue;
    const i = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (i >= 0 && (!found || i < found.index)) found = { index: i, stop: s };
  }
  return found;
}

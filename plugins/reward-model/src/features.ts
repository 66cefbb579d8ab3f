import * as tf from '@tensorflow/tfjs';
import { forwardHidden, outputLogits, type TinyModel } from '@reasoner/plugin-policy-tiny';
import { BOS, EOS } from '@reasoner/tiny-format';

/** Confidence features per step appended to the hidden state (see `extractFeatures`). */
export const CONFIDENCE_FEATURES = 5;

/**
 * What the reward model reads: the frozen policy's final hidden state at the last character of
 * each step (the policy has just "read" the step). One forward per solution gives every step's
 * features, so scoring all prefixes of a candidate costs one pass, not one per prefix.
 */
export interface StepFeatures {
  /** [steps, dModel] row-major. */
  data: Float32Array;
  steps: number;
}

/** Token positions (in [BOS, ...prompt+solution]) of each step's last character. */
export function stepEndPositions(prompt: string, steps: string[], delimiter: string): number[] {
  const pos: number[] = [];
  let at = 1 + prompt.length; // BOS, then the prompt's characters
  steps.forEach((s, i) => {
    at += s.length;
    pos.push(at - 1);
    if (i < steps.length - 1) at += delimiter.length;
  });
  return pos;
}

/**
 * Features of many (prompt, steps) items, batched by padding to the longest: per step, the hidden
 * state at its last character, then the policy's confidence in it — min and mean log-probability
 * of its characters, the log-probability of what follows it (delimiter, or end of text for the
 * last step), the running min over the steps so far, and the step's index / 10. A policy that
 * knows arithmetic is unsure of `11+1=11`; a probe on the hidden state alone misses that. Items
 * longer than the context window keep the steps that fit.
 */
export function extractFeatures(model: TinyModel, items: Array<{ prompt: string; steps: string[] }>, delimiter: string, batch = 64): StepFeatures[] {
  const d = model.arch.dModel;
  const F = d + CONFIDENCE_FEATURES;
  const C = model.arch.contextLength;
  const out: StepFeatures[] = [];
  for (let b0 = 0; b0 < items.length; b0 += batch) {
    const chunk = items.slice(b0, b0 + batch);
    const encoded = chunk.map((it) => {
      const text = it.prompt + it.steps.join(delimiter);
      const ids = [BOS, ...model.tokenizer.encode(text), EOS].slice(0, C);
      const pos = stepEndPositions(it.prompt, it.steps, delimiter).map((p) => Math.min(p, ids.length - 2));
      // Row at which the first step's first character is predicted (BOS, then the prompt).
      return { ids, pos, first: it.prompt.length };
    });
    const T = Math.max(...encoded.map((e) => e.ids.length));
    const flat = new Int32Array(chunk.length * T);
    encoded.forEach((e, i) => flat.set(e.ids, i * T)); // right-padded with 0: causal, so padding never reaches a real position
    const [h, lsm] = tf.tidy(() => {
      const hid = forwardHidden(model.arch, model.params, tf.tensor2d(flat, [chunk.length, T], 'int32')).h;
      return [hid, tf.logSoftmax(outputLogits(model.params, hid))];
    });
    const hd = h.dataSync() as Float32Array;
    const lp = lsm.dataSync() as Float32Array;
    const V = lsm.shape[1]!;
    tf.dispose([h, lsm]);
    encoded.forEach((e, i) => {
      const data = new Float32Array(e.pos.length * F);
      // log p(ids[t+1] | ids[..t]) is read at row t.
      const next = (t: number): number => (t + 1 < e.ids.length ? lp[(i * T + t) * V + e.ids[t + 1]!]! : 0);
      let start = e.first;
      let runMin = 0;
      e.pos.forEach((p, j) => {
        data.set(hd.subarray((i * T + p) * d, (i * T + p + 1) * d), j * F);
        let min = 0, sum = 0, n = 0;
        for (let t = start; t < p; t++) { const v = next(t); min = Math.min(min, v); sum += v; n++; }
        runMin = Math.min(runMin, min);
        const f = j * F + d;
        data[f] = min; data[f + 1] = n ? sum / n : 0; data[f + 2] = next(p); data[f + 3] = runMin; data[f + 4] = j / 10;
        start = p + delimiter.length; // the next step's first character is predicted after the delimiter
      });
      out.push({ data, steps: e.pos.length });
    });
  }
  return out;
}

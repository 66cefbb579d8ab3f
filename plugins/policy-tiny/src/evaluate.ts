/**
 * Model-level evaluation of a TinyModel (batched decoding, no kernel): the SFT trainer's periodic
 * validation and scripts/eval-default.ts both use these. The kernel-level evaluator (any Policy,
 * hooks, budget) is core's `reasoner eval`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task, TaskVerdict } from '@reasoner/core';
import { disposeBatch, encodeRecord, makeBatch } from './batch.js';
import type { SftData, SftRecord } from './data.js';
import { forwardTokens } from './forward-tokens.js';
import { generateMany } from './generate.js';
import { nllLoss } from './objectives.js';
import type { TinyModel } from './tiny-model.js';

/** Validation loss (mean NLL per completion token) on reference solutions, no gradient. */
export function validationLoss(model: TinyModel, records: SftRecord[], batchSize = 64): number {
  const enc = records.map((r) => encodeRecord(model.tokenizer, r)).filter((r) => r.ids.length - 1 <= model.arch.contextLength);
  let total = 0;
  let count = 0;
  for (let s = 0; s < enc.length; s += batchSize) {
    const b = makeBatch(enc.slice(s, s + batchSize));
    const n = b.rows.reduce((a, r) => a + r.n, 0);
    const l = tf.tidy(() => {
      const f = forwardTokens(model, b, { training: false });
      return nllLoss(f.lp, f.mask, tf.ones([b.shape[0]])).loss.dataSync()[0]!;
    });
    total += l * n;
    count += n;
    disposeBatch(b);
  }
  return count ? total / count : NaN;
}

/** Greedy accuracy on the data's validation problems with the task's checker (undefined without one). */
export async function greedyAccuracy(model: TinyModel, data: SftData, limit: number): Promise<number | undefined> {
  if (!data.verify || limit <= 0) return undefined;
  return (await evaluatePassAtK(model, data.validation.slice(0, limit), data.verify, { k: 0 })).greedyPass1;
}

export interface PassAtKResult {
  n: number;
  /** Greedy (temperature 0) accuracy. */
  greedyPass1: number;
  /** Mean accuracy of single samples at `temperature`. */
  samplePass1: number;
  /** Share of problems with at least one correct sample among `k` (0 when k = 0: greedy only). */
  passAtK: number;
  k: number;
  temperature: number;
  tokens: number;
  wallMs: number;
  /** Per task: greedy correct, and how many of the k samples were correct. */
  perTask: Array<{ greedy: boolean; correctSamples: number }>;
}

/**
 * Greedy pass@1 and sampled pass@k of a model on tasks with a checker (the shipped checkpoint's
 * numbers come from here: scripts/eval-default.ts). Every sample is one row of a batched decode.
 */
export async function evaluatePassAtK(
  model: TinyModel,
  tasks: Task[],
  verify: (task: Task, text: string) => TaskVerdict | Promise<TaskVerdict>,
  opts: { k?: number; temperature?: number; seed?: number; maxTokens?: number; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<PassAtKResult> {
  const k = opts.k ?? 16;
  const temperature = opts.temperature ?? 1;
  const t0 = performance.now();
  const room = model.arch.contextLength - 1 - Math.max(...tasks.map((t) => t.prompt.length));
  const maxTokens = Math.min(opts.maxTokens ?? room, room);
  let tokens = 0;
  const greedy = await generateMany(model, tasks.map((t) => t.prompt), opts.seed ?? 0, { temperature: 0, maxTokens, batchSize: opts.batchSize ?? 64 });
  let greedyOk = 0;
  const perTask: PassAtKResult['perTask'] = [];
  for (let i = 0; i < tasks.length; i++) {
    tokens += greedy[i]!.tokens;
    const ok = (await verify(tasks[i]!, greedy[i]!.text)).correct;
    if (ok) greedyOk++;
    perTask.push({ greedy: ok, correctSamples: 0 });
  }
  let solved = 0;
  let sampleOk = 0;
  if (k === 0) return { n: tasks.length, greedyPass1: greedyOk / tasks.length, samplePass1: 0, passAtK: 0, k, temperature, tokens, wallMs: performance.now() - t0, perTask };
  const chunk = Math.max(1, Math.floor((opts.batchSize ?? 128) / k) * 4);
  for (let s = 0; s < tasks.length; s += chunk) {
    const part = tasks.slice(s, s + chunk);
    const prompts = part.flatMap((t) => Array.from({ length: k }, () => t.prompt));
    const outs = await generateMany(model, prompts, (opts.seed ?? 0) + 1 + s, { temperature, maxTokens, batchSize: opts.batchSize ?? 128 });
    for (let j = 0; j < part.length; j++) {
      let any = false;
      for (let r = 0; r < k; r++) {
        const c = outs[j * k + r]!;
        tokens += c.tokens;
        if ((await verify(part[j]!, c.text)).correct) {
          sampleOk++;
          perTask[s + j]!.correctSamples++;
          any = true;
        }
      }
      if (any) solved++;
    }
    opts.onProgress?.(Math.min(tasks.length, s + chunk), tasks.length);
  }
  return {
    n: tasks.length,
    greedyPass1: greedyOk / tasks.length,
    samplePass1: sampleOk / (tasks.length * k),
    passAtK: solved / tasks.length,
    k,
    temperature,
    tokens,
    wallMs: performance.now() - t0,
    perTask,
  };
}

/**
 * Training-time checks of a TinyModel (batched tfjs decoding on the live weights, no kernel): the
 * SFT trainer's periodic validation loss and greedy accuracy. pass@k / maj@k of any policy,
 * including this one, is core's `evaluate` (`reasoner eval`, scripts/eval-default.ts).
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

/** Share of `tasks` the model solves greedily (one batched decode per prompt length). */
export async function greedyPass1(model: TinyModel, tasks: readonly Task[], verify: (task: Task, text: string) => TaskVerdict | Promise<TaskVerdict>, batchSize = 64): Promise<number> {
  if (tasks.length === 0) return NaN;
  const maxTokens = model.arch.contextLength - 1 - Math.max(...tasks.map((t) => t.prompt.length));
  const outs = await generateMany(model, tasks.map((t) => t.prompt), 0, { temperature: 0, maxTokens, batchSize });
  let ok = 0;
  for (let i = 0; i < tasks.length; i++) if ((await verify(tasks[i]!, outs[i]!.text)).correct) ok++;
  return ok / tasks.length;
}

/** Greedy accuracy on the data's validation problems with the task's checker (undefined without one). */
export async function greedyAccuracy(model: TinyModel, data: SftData, limit: number): Promise<number | undefined> {
  if (!data.verify || limit <= 0) return undefined;
  return greedyPass1(model, data.validation.slice(0, limit), data.verify);
}

/**
 * trainStep throughput (tokens/s) of every objective against the plain SFT step, on the shipped
 * model size and real Countdown sequences (reference solutions), batch 32, same process.
 *   node --conditions=source --import tsx plugins/policy-tiny/bench/objectives.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createRng, type Objective, type TrainBatch } from '@reasoner/core';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import { CharTokenizer, saveCheckpoint } from '@reasoner/tiny-format';
import { useBackend } from '../src/backend.js';
import { disposeBatch, encodeRecord, makeBatch } from '../src/batch.js';
import { forwardTokens } from '../src/forward-tokens.js';
import { nllLoss } from '../src/objectives.js';
import { TinyModel } from '../src/tiny-model.js';
import { DEFAULT_RECIPE } from '../src/train.js';
import { Trainer } from '../src/trainer.js';
import { TinyTrainablePolicy } from '../src/trainable-policy.js';

const B = 32;

async function countdownBatch(): Promise<TrainBatch> {
  const src = countdownSource();
  const seqs: TrainBatch['sequences'] = [];
  for await (const t of src.tasks({ split: 'train', limit: B / 2 })) {
    seqs.push({ prompt: t.prompt, completion: t.solution! });
    // A second completion of the same prompt (the reference with its last line changed): DPO pairs.
    seqs.push({ prompt: t.prompt, completion: t.solution!.replace(/\n=(\d+)\n$/, (_, n) => `\n=${Number(n) + 1}\n`) });
  }
  return { sequences: seqs };
}

/**
 * Median ms per call of each entry, measured round-robin (A B C … A B C …) so that load from other
 * processes on the shared machine hits every entry alike. One untimed warm-up call each.
 */
async function timeAll(entries: Record<string, () => Promise<unknown>>, reps: number): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (const [k, fn] of Object.entries(entries)) { await fn(); times[k] = []; }
  for (let r = 0; r < reps; r++) {
    for (const [k, fn] of Object.entries(entries)) {
      const t0 = performance.now();
      await fn();
      times[k]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!]));
}

export async function objectivesBench(reps = 5): Promise<Record<string, unknown>> {
  await useBackend('wasm');
  const batch = await countdownBatch();
  const alphabet = batch.sequences.map((s) => s.prompt + s.completion).join('');
  const dir = await mkdtemp(join(tmpdir(), 'tiny-obj-bench-'));
  try {
    const model = TinyModel.random(DEFAULT_RECIPE.size, CharTokenizer.fromAlphabet(alphabet), createRng(1));
    await saveCheckpoint(dir, { arch: model.arch, tokenizer: model.tokenizer, weights: await model.weights() });
    // Baseline: the SFT trainer's own step (what `reasoner train` runs), same sequences, its own model copy.
    const rows = batch.sequences.map((s) => encodeRecord(model.tokenizer, { prompt: s.prompt, solution: s.completion }));
    const trainer = new Trainer(model);
    const probe = makeBatch(rows);
    const tokenCount = probe.tokens;
    disposeBatch(probe);

    const p = await TinyTrainablePolicy.open(dir, { engine: 'tfjs' });
    const onnx = await TinyTrainablePolicy.open(dir, { engine: 'onnx' });
    const ref = await p.reference();
    const scored = await p.sequenceLogprobs(batch);
    const refScored = await ref.sequenceLogprobs(batch);
    const lps = scored.map((s) => s.logprobs);
    const pairs = Array.from({ length: B / 2 }, (_, i) => [2 * i, 2 * i + 1] as [number, number]);
    const objectives: Record<string, Objective> = {
      nll: { kind: 'nll' },
      dpo: { kind: 'dpo', beta: 0.1, pairs, refLogprobs: refScored.map((s) => s.sum) },
      'ppo-clip': { kind: 'ppo-clip', clip: 0.2, klCoef: 0.05, vfCoef: 0.5, advantages: lps.map((l) => l.map(() => 0.1)), oldLogprobs: lps, refLogprobs: refScored.map((s) => s.logprobs), returns: lps.map((l) => l.map(() => 1)) },
      grpo: { kind: 'grpo', clip: 0.2, klCoef: 0.04, advantages: lps.map((_, i) => (i % 2 ? -1 : 1)), oldLogprobs: lps, refLogprobs: refScored.map((s) => s.logprobs) },
    };
    const entries: Record<string, () => Promise<unknown>> = {
      sft: async () => {
        const b = makeBatch(rows);
        try {
          await trainer.update(() => { const f = forwardTokens(model, b, { training: true }); return nllLoss(f.lp, f.mask, tf.ones([B])); }, { lr: 1e-5, weightDecay: 0, clip: 1 });
        } finally { disposeBatch(b); }
      },
      ...Object.fromEntries(Object.entries(objectives).map(([k, o]) => [k, () => p.trainStep(batch, o, { lr: 1e-5 })])),
      // What a learner pays per step beyond trainStep: old/ref logprobs (no gradient) and values.
      sequenceLogprobs: () => p.sequenceLogprobs(batch),
      sequenceLogprobs_onnx: () => onnx.sequenceLogprobs(batch),
      values: () => p.values!(batch),
    };
    const ms = await timeAll(entries, reps);
    const out: Record<string, unknown> = { batch: B, tokensPerBatch: tokenCount, reps };
    for (const [k, v] of Object.entries(ms)) {
      out[`${k}_tokPerSec`] = Math.round((tokenCount / v) * 1000);
      if (k !== 'sft') out[`${k}_vs_sft`] = +(ms.sft! / v).toFixed(2);
    }
    trainer.dispose();
    model.dispose();
    await ref.close?.();
    await p.close();
    await onnx.close();
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await objectivesBench(), null, 1));

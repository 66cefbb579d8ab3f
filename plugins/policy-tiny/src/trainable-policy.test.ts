import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrainable, objectiveLoss, type TrainBatch } from '@reasoner/core';
import { writeRandomTinyCheckpoint } from '@reasoner/tiny-format';
import { useBackend } from './backend.js';
import { TinyTrainablePolicy } from './trainable-policy.js';

const ARCH = { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, contextLength: 24 };
const batch: TrainBatch = { sequences: [{ prompt: '1+1=', completion: '2\n' }, { prompt: '2+2=', completion: '4\n' }, { prompt: '1+1=', completion: '3\n' }] };

describe('TinyTrainablePolicy', () => {
  let dir: string;
  let ck: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'tiny-trainable-'));
    ck = await writeRandomTinyCheckpoint(join(dir, 'ck'), ARCH, 5);
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('is trainable; NLL steps fit a target that the onnx engine then generates (re-exported lazily)', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'onnx', optimizer: { lr: 3e-3 } });
    expect(isTrainable(p)).toBe(true);
    const id0 = p.id;
    const target: TrainBatch = { sequences: [{ prompt: '1+1=', completion: '2\n' }] };
    const before = await p.generate({ prompt: '1+1=', temperature: 0, maxTokens: 4 });
    expect(p.engineExports).toBe(1);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await p.trainStep(target, { kind: 'nll' })).loss);
    expect(p.engineExports).toBe(1); // no export per step
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
    expect(p.id).not.toBe(id0);
    expect(p.optimizer().step).toBe(30);
    const after = await p.generate({ prompt: '1+1=', temperature: 0, maxTokens: 4 });
    expect(p.engineExports).toBe(2);
    expect(after.completions[0]).toMatchObject({ text: '2\n', finishReason: 'eos' });
    expect(before.completions[0]!.text).not.toBe('2\n');
    // sequenceLogprobs runs on the onnx session of the trained weights; it agrees with the tfjs forward.
    const [onnxLp] = await p.sequenceLogprobs(target);
    const tfjsNll = (await p.evaluateObjective(target, { kind: 'nll' })).loss;
    expect(onnxLp!.tokens).toBe(3);
    expect(-onnxLp!.sum / 3).toBeCloseTo(tfjsNll, 4);
    await p.close();
  });

  it('sequenceLogprobs: per completion token incl. eos; equal to the tfjs engine logprobs of sampled text', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs' });
    const g = await p.generate({ prompt: '3*4=', temperature: 1, maxTokens: 6, logprobs: true, seed: 3 });
    const c = g.completions[0]!;
    const [s] = await p.sequenceLogprobs({ sequences: [{ prompt: '3*4=', completion: c.text, eos: c.finishReason === 'eos' }] });
    const lp = c.logprobs!;
    expect(s!.tokens).toBe(c.text.length + (c.finishReason === 'eos' ? 1 : 0));
    for (let i = 0; i < lp.length; i++) expect(s!.logprobs[i]).toBeCloseTo(lp[i]!, 4);
    expect(s!.sum).toBeCloseTo(s!.logprobs.reduce((a, b) => a + b, 0), 5);
    await p.close();
  });

  it('reference() stays frozen while the policy trains; DPO raises the chosen margin', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 1e-3 } });
    const ref = await p.reference();
    const pairBatch: TrainBatch = { sequences: [batch.sequences[0]!, batch.sequences[2]!] };
    const r0 = (await ref.sequenceLogprobs(pairBatch)).map((s) => s.sum);
    const objective = { kind: 'dpo' as const, beta: 0.5, pairs: [[0, 1]] as Array<[number, number]>, refLogprobs: r0 };
    const first = await p.trainStep(pairBatch, objective);
    expect(first.metrics['rewards/margins']).toBeCloseTo(0, 5); // policy = reference at step 0
    expect(first.loss).toBeCloseTo(Math.log(2), 4);
    let last = first;
    for (let i = 0; i < 10; i++) last = await p.trainStep(pairBatch, objective);
    expect(last.metrics['rewards/margins']!).toBeGreaterThan(0.5);
    expect(last.loss).toBeLessThan(first.loss);
    expect((await ref.sequenceLogprobs(pairBatch)).map((s) => s.sum)).toEqual(r0);
    const evalOnly = await p.evaluateObjective(pairBatch, objective);
    expect(p.optimizer().step).toBe(11);
    expect(evalOnly.metrics['rewards/accuracies']).toBe(1);
    // RPO: the backend's loss is the reference formula on the same logprobs.
    const rpo = { ...objective, nllWeight: 0.8 };
    const lps = (await p.sequenceLogprobs(pairBatch)).map((s) => s.logprobs);
    expect((await p.evaluateObjective(pairBatch, rpo)).loss).toBeCloseTo(objectiveLoss(rpo, lps), 4);
    await ref.close?.();
    await p.close();
  });

  it('PPO-clip with a value loss: the backend computes the reference formula under either aggregation', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs' });
    // Unequal lengths: token-mean and sequence-mean differ.
    const uneven: TrainBatch = { sequences: [{ prompt: '1+1=', completion: '2\n' }, { prompt: '2+2=', completion: '44+1=45\n' }] };
    const lps = (await p.sequenceLogprobs(uneven)).map((s) => s.logprobs);
    const values = (await p.values(uneven)).map((v, i) => v.slice(0, lps[i]!.length));
    for (const aggregate of ['token-mean', 'sequence-mean'] as const) {
      const o = {
        kind: 'ppo-clip' as const, clip: 0.2, klCoef: 0, vfCoef: 0.5, valueClip: 0.2, aggregate,
        advantages: lps.map((l) => l.map((_, t) => (t % 2 ? 0.4 : -0.2))), oldLogprobs: lps.map((l) => l.map((x) => x - 0.1)),
        returns: lps.map((l, i) => l.map(() => (i ? 0.5 : 2))), oldValues: values.map((v) => v.map((x) => x + 0.3)),
      };
      expect((await p.evaluateObjective(uneven, o)).loss, aggregate).toBeCloseTo(objectiveLoss(o, lps, values), 4);
    }
    await p.close();
  });

  it('save() keeps Adam state: a reloaded policy continues exactly like the original', async () => {
    const a = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 2e-3, schedule: 'cosine', warmup: 2, totalSteps: 10 } });
    for (let i = 0; i < 3; i++) await a.trainStep(batch, { kind: 'nll' });
    const saved = await a.save(join(dir, 'saved'));
    expect(saved.id).toBe(a.id);
    const contA: number[] = [];
    for (let i = 0; i < 3; i++) contA.push((await a.trainStep(batch, { kind: 'nll', weights: [1, 0.5, 0] })).loss);
    const b = await TinyTrainablePolicy.open(saved.dir, { engine: 'tfjs' });
    expect(b.id).toBe(saved.id);
    expect(b.optimizer()).toMatchObject({ lr: 2e-3, schedule: 'cosine', warmup: 2, totalSteps: 10 });
    const contB: number[] = [];
    for (let i = 0; i < 3; i++) contB.push((await b.trainStep(batch, { kind: 'nll', weights: [1, 0.5, 0] })).loss);
    expect(b.optimizer().step).toBe(6);
    for (let i = 0; i < 3; i++) expect(contB[i]).toBeCloseTo(contA[i]!, 6);
    // A fresh open without optimizer state diverges (the moments matter).
    await rm(join(saved.dir, 'optimizer.json'));
    const c = await TinyTrainablePolicy.open(saved.dir, { engine: 'tfjs', optimizer: { lr: 2e-3 } });
    await c.trainStep(batch, { kind: 'nll', weights: [1, 0.5, 0] });
    expect((await c.trainStep(batch, { kind: 'nll', weights: [1, 0.5, 0] })).loss).not.toBeCloseTo(contA[1]!, 6);
    // load() into a running policy replaces weights and moments.
    await a.load(saved.dir);
    expect(a.id).toBe(saved.id);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('settings configured before the weights load win over the checkpoint\'s, and their schedule starts at its step', async () => {
    const a = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 2e-3, schedule: 'cosine', warmup: 0, totalSteps: 5 } });
    for (let i = 0; i < 3; i++) await a.trainStep(batch, { kind: 'nll' });
    const saved = await a.save(join(dir, 'sched'));
    await a.close();
    // The default onnx engine loads the tfjs weights (and the saved optimizer) only at the first step.
    const lazy = await TinyTrainablePolicy.open(saved.dir);
    lazy.configure({ lr: 1e-3, schedule: 'cosine', warmup: 4, totalSteps: 8 });
    const first = await lazy.trainStep(batch, { kind: 'nll' });
    expect(first.step).toBe(4); // the checkpoint's 3 steps + this one
    expect(first.lr).toBeCloseTo(1e-3 / 4, 10); // warmup counted from the loaded step
    expect(lazy.optimizer()).toMatchObject({ lr: 1e-3, warmup: 4, totalSteps: 8 });
    await lazy.close();
    // Without configure, the saved settings and schedule go on where they were.
    const resumed = await TinyTrainablePolicy.open(saved.dir);
    const r = await resumed.trainStep(batch, { kind: 'nll' });
    expect(r.lr).toBeCloseTo(2e-4 + 1.8e-3 * 0.5 * (1 + Math.cos(Math.PI * 3 / 5)), 8);
    await resumed.close();
  });

  it('the value head\'s Adam moments survive save and reopen', async () => {
    const seqs: TrainBatch = { sequences: [batch.sequences[0]!, batch.sequences[1]!] };
    const ppo = (old: number[][]) => ({ kind: 'ppo-clip' as const, clip: 0.2, vfCoef: 1, advantages: old.map((l) => l.map(() => 0.3)), oldLogprobs: old, returns: old.map((l) => l.map(() => 1)) });
    const a = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 3e-3 } });
    const old = (await a.sequenceLogprobs(seqs)).map((x) => x.logprobs);
    for (let i = 0; i < 3; i++) await a.trainStep(seqs, ppo(old));
    const saved = await a.save(join(dir, 'vhead-adam'));
    const contA: number[] = [];
    for (let i = 0; i < 3; i++) contA.push((await a.trainStep(seqs, ppo(old))).metrics.value_loss!);
    const b = await TinyTrainablePolicy.open(saved.dir, { engine: 'tfjs' });
    const contB: number[] = [];
    for (let i = 0; i < 3; i++) contB.push((await b.trainStep(seqs, ppo(old))).metrics.value_loss!);
    contB.forEach((v, i) => expect(v).toBeCloseTo(contA[i]!, 5));
    await Promise.all([a.close(), b.close()]);
  });

  it('a non-finite loss is RSN_ERR_TRAIN and the update is not applied', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs' });
    const before = await p.sequenceLogprobs(batch);
    const [lp] = await p.sequenceLogprobs({ sequences: [batch.sequences[0]!] });
    const tensorsBefore = tf.memory().numTensors;
    await expect(p.trainStep({ sequences: [batch.sequences[0]!] }, { kind: 'grpo', clip: 0.2, advantages: [1], oldLogprobs: [lp!.logprobs.map(() => -1e38)] }))
      .rejects.toMatchObject({ code: 'RSN_ERR_TRAIN', message: expect.stringMatching(/not applied/) });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(p.optimizer().step).toBe(0);
    expect(await p.sequenceLogprobs(batch)).toEqual(before);
    await expect(p.trainStep({ sequences: [] }, { kind: 'nll' })).rejects.toMatchObject({ code: 'RSN_ERR_TRAIN' });
    await expect(p.trainStep(batch, { kind: 'nll' }, { microBatch: 0 })).rejects.toMatchObject({ code: 'RSN_ERR_TRAIN' });
    await expect(p.trainStep({ sequences: [{ prompt: '1', completion: '~' }] }, { kind: 'nll' })).rejects.toMatchObject({ code: 'RSN_ERR_VOCAB' });
    await expect(p.trainStep({ sequences: [{ prompt: '1'.repeat(30), completion: '2' }] }, { kind: 'nll' })).rejects.toMatchObject({ code: 'RSN_ERR_CONTEXT_LENGTH' });
    await p.close();
    await expect(p.trainStep(batch, { kind: 'nll' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY' });
  });

  it('PPO with a value head: values start at 0 and move toward the returns; the head is saved', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 3e-3 } });
    const seqs: TrainBatch = { sequences: [batch.sequences[0]!] };
    const v0 = await p.values!(seqs);
    expect(v0[0]).toEqual([0, 0, 0]);
    const old = (await p.sequenceLogprobs(seqs))[0]!.logprobs;
    const returns = [[1, 1, 1]];
    let r;
    for (let i = 0; i < 15; i++) r = await p.trainStep(seqs, { kind: 'ppo-clip', clip: 0.2, vfCoef: 1, advantages: [[0.5, 0.5, 0.5]], oldLogprobs: [old], returns, oldValues: v0 });
    expect(r!.metrics).toHaveProperty('value_loss');
    expect(r!.metrics).toHaveProperty('entropy');
    const v1 = (await p.values!(seqs))[0]!;
    for (const v of v1) expect(v).toBeGreaterThan(0.3);
    const saved = await p.save(join(dir, 'ppo'));
    const q = await TinyTrainablePolicy.open(saved.dir, { engine: 'tfjs' });
    const vq = (await q.values!(seqs))[0]!;
    vq.forEach((v, i) => expect(v).toBeCloseTo(v1[i]!, 5));
    await Promise.all([p.close(), q.close()]);
  });

  it('GRPO (on-policy, no oldLogprobs) raises the positive-advantage completion and lowers the other', async () => {
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 2e-3 } });
    const group: TrainBatch = { sequences: [batch.sequences[0]!, batch.sequences[2]!] };
    const ref = await p.reference();
    const before = (await p.sequenceLogprobs(group)).map((s) => s.sum);
    let r;
    for (let i = 0; i < 5; i++) {
      const refLogprobs = (await ref.sequenceLogprobs(group)).map((s) => s.logprobs);
      r = await p.trainStep(group, { kind: 'grpo', clip: 0.2, klCoef: 0.04, advantages: [1, -1], refLogprobs });
    }
    expect(r!.metrics.ratio_mean).toBeCloseTo(1, 5);
    expect(r!.metrics.kl).toBeGreaterThan(0);
    const after = (await p.sequenceLogprobs(group)).map((s) => s.sum);
    expect(after[0]!).toBeGreaterThan(before[0]!);
    expect(after[1]!).toBeLessThan(before[1]!);
    await ref.close?.();
    await p.close();
  });

  it('micro-batches accumulate to the same update as the whole batch (every objective)', async () => {
    const seqs: TrainBatch = { sequences: [...batch.sequences, { prompt: '2+2=', completion: '22\n' }] };
    const probe = await TinyTrainablePolicy.open(ck, { engine: 'tfjs' });
    const lps = (await probe.sequenceLogprobs(seqs)).map((s) => s.logprobs);
    await probe.close();
    const objectives = [
      { kind: 'nll', weights: [1, 2, 0.5, 1], aggregate: 'sequence-mean' },
      { kind: 'dpo', beta: 0.3, labelSmoothing: 0.1, pairs: [[0, 2], [1, 3], [0, 2]], refLogprobs: lps.map((l) => l.reduce((a, b) => a + b, 0) + 0.1) },
      { kind: 'dpo', beta: 0.3, nllWeight: 0.7, pairs: [[0, 2], [1, 3], [0, 2]], refLogprobs: lps.map((l) => l.reduce((a, b) => a + b, 0) - 0.2) },
      { kind: 'ppo-clip', clip: 0.2, klCoef: 0.1, vfCoef: 0.5, advantages: lps.map((l) => l.map((_, i) => (i % 2 ? 0.5 : -0.3))), oldLogprobs: lps.map((l) => l.map((x) => x - 0.05)), refLogprobs: lps, returns: lps.map((l) => l.map(() => 1)) },
      { kind: 'grpo', clip: 0.2, klCoef: 0.05, advantages: [1, -0.5, 0.2, -0.7], refLogprobs: lps.map((l) => l.map((x) => x + 0.02)) },
      // No KL: the loss tensor is also the policy_loss metric (summed across micro-batches once each).
      { kind: 'grpo', clip: 0.2, advantages: [1, -0.5, 0.2, -0.7] },
    ] as const;
    for (const o of objectives) {
      const whole = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 1e-3 } });
      const split = await TinyTrainablePolicy.open(ck, { engine: 'tfjs', optimizer: { lr: 1e-3 } });
      const a = await whole.trainStep(seqs, o as never);
      const tensors = tf.memory().numTensors;
      await whole.trainStep(seqs, o as never);
      expect(tf.memory().numTensors).toBe(tensors); // no tensor leaks per step
      await whole.load(ck);
      const b = await split.trainStep(seqs, o as never, { microBatch: 1 });
      // One row per micro-batch, except that a DPO pair stays together.
      expect(b.metrics.microBatches).toBe(o.kind === 'dpo' ? 2 : 4);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 4);
      for (const k of Object.keys(a.metrics)) if (k !== 'microBatches') expect(b.metrics[k]).toBeCloseTo(a.metrics[k]!, 4);
      await whole.load(ck);
      await whole.trainStep(seqs, o as never);
      const [la, lb] = [await whole.sequenceLogprobs(seqs), await split.sequenceLogprobs(seqs)];
      la.forEach((s, i) => expect(lb[i]!.sum).toBeCloseTo(s.sum, 3));
      await Promise.all([whole.close(), split.close()]);
    }
  });

  it('a checkpoint that does not match is RSN_ERR_CHECKPOINT', async () => {
    const other = await writeRandomTinyCheckpoint(join(dir, 'other'), { ...ARCH, dModel: 16 }, 2);
    const p = await TinyTrainablePolicy.open(ck, { engine: 'tfjs' });
    await expect(p.load(other)).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
    await p.close();
  });
});

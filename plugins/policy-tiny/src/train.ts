import * as tf from '@tensorflow/tfjs';
import { createRng, ReasonerError } from '@reasoner/core';
import type { Hooks, Logger, Rng } from '@reasoner/core';
import { useBackend, type BackendName } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from '@reasoner/tiny-format';
import type { SftData, SftRecord } from './data.js';
import { generateMany } from './generate.js';
import { forwardFlopsPerToken, forwardHidden, head, ownedVariable, parameterCount, type Arch } from './model.js';
import { TinyModel } from './tiny-model.js';
import { BOS, CharTokenizer, EOS, PAD } from '@reasoner/tiny-format';

export type ModelSize = Omit<Arch, 'vocabSize'>;

/** Named sizes (`--size`). */
export const MODEL_SIZES: Record<string, ModelSize> = {
  nano: { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, contextLength: 64 },
  small: { dModel: 96, nLayers: 3, nHeads: 4, dFF: 384, contextLength: 128 },
  base: { dModel: 128, nLayers: 4, nHeads: 4, dFF: 512, contextLength: 128 },
};

/** The shipped countdown policy's recipe (scripts/train-default.ts). */
/** The recipe of the shipped countdown checkpoint (scripts/train-default.ts) and `reasoner train`'s defaults. */
export const DEFAULT_RECIPE = {
  size: { dModel: 96, nLayers: 3, nHeads: 4, dFF: 384, contextLength: 128 } as ModelSize,
  noise: 0.3,
  /** Share of the perturbations that are unrecovered slips (the final line states a wrong result). */
  unrecovered: 0.5,
  steps: 3100,
  batchSize: 32,
  lr: 2e-3,
  warmup: 100,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  clip: 1,
  seed: 1,
  evalEvery: 500,
  evalTasks: 64,
};

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedMs: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface TrainOptions {
  data: SftData;
  /** Model size (ignored when resuming). */
  size?: ModelSize;
  /**
   * Continue from this checkpoint: weights and step count (the LR schedule continues where it
   * was); Adam's moments are not saved, so they restart with a 20-step LR ramp.
   */
  resume?: string;
  /** Where checkpoints go (written every `saveEvery` steps and at the end). */
  out?: string;
  steps?: number;
  /** Stop before `steps` (the LR schedule still spans `steps`): reproduces a run cut short. */
  stopAt?: number;
  batchSize?: number;
  lr?: number;
  minLrRatio?: number;
  warmup?: number;
  weightDecay?: number;
  clip?: number;
  seed?: number;
  evalEvery?: number;
  saveEvery?: number;
  /** Validation problems used for greedy accuracy at each evaluation (0 = skip accuracy). */
  evalTasks?: number;
  backend?: BackendName;
  /**
   * Wall-time budget: the cosine decay follows whichever is further along, steps or time, and
   * training stops when the budget is spent (so a busy machine gives fewer steps, not a late run).
   */
  maxMinutes?: number;
  onProgress?: (p: TrainProgress) => void;
  hooks?: Hooks;
  logger?: Logger;
  signal?: AbortSignal;
  /** Free-form metadata stored in the checkpoint (`training.*`). */
  meta?: Record<string, unknown>;
}

export interface TrainResult {
  id?: string;
  dir?: string;
  steps: number;
  wallMs: number;
  tokens: number;
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
  parameters: number;
  model: TinyModel;
}

interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  mask: tf.Tensor1D;
  tokens: number;
  shape: [number, number];
}

/** Encodes `<bos>` prompt solution `<eos>` and a loss mask over the solution and `<eos>`. */
export function encodeRecord(tok: CharTokenizer, r: SftRecord): { ids: number[]; lossFrom: number } {
  const p = tok.encode(r.prompt);
  const s = tok.encode(r.solution);
  // ids[i] predicts ids[i+1]; the first solution token is ids[1 + p.length].
  return { ids: [BOS, ...p, ...s, EOS], lossFrom: p.length };
}

function makeBatch(rows: Array<{ ids: number[]; lossFrom: number }>): Batch {
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
      if (t >= r.lossFrom) m[b * T + t] = 1;
    }
    tokens += r.ids.length - 1;
  });
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor1d(y, 'int32'), mask: tf.tensor1d(m), tokens, shape: [B, T] };
}

function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y, b.mask]);
}

/** Masked mean cross-entropy of a batch (the solution tokens and `<eos>` only). */
function batchLoss(model: TinyModel, b: Batch): tf.Scalar {
  const { h } = forwardHidden(model.arch, model.params, b.x, { training: true });
  const logp = tf.logSoftmax(head(model.params, h));
  const picked = tf.sum(tf.mul(logp, tf.cast(tf.oneHot(b.y, model.arch.vocabSize), 'float32')), -1);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, b.mask))), tf.maximum(tf.sum(b.mask), 1)) as tf.Scalar;
}

/**
 * Linear warmup, then cosine decay to `minLrRatio`·lr at `steps`. `timeFraction` (elapsed / time
 * budget) moves the decay forward when a wall-time budget would end the run before `steps`.
 */
export function lrAt(step: number, o: { lr: number; warmup: number; steps: number; minLrRatio: number }, timeFraction = 0): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  const t = Math.min(1, Math.max(timeFraction, (step - o.warmup) / Math.max(1, o.steps - o.warmup)));
  return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** AdamW with decoupled weight decay on matrices (not on biases / LayerNorm gains). */
class AdamW {
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  private t = 0;
  constructor(private readonly params: Map<string, tf.Variable>, private readonly beta1 = 0.9, private readonly beta2 = 0.99, private readonly eps = 1e-8) {
    for (const [name, p] of params) {
      this.m.set(name, ownedVariable(tf.zerosLike(p), false));
      this.v.set(name, ownedVariable(tf.zerosLike(p), false));
    }
  }
  apply(grads: Record<string, tf.Tensor>, lr: number, weightDecay: number, gradScale: number): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads[p.name];
        if (!g0) continue;
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        let update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        if (weightDecay > 0 && p.shape.length === 2) update = tf.add(update, tf.mul(p, weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

/** Validation loss on the reference solutions (no gradient). */
export function validationLoss(model: TinyModel, records: SftRecord[], batchSize = 64): number {
  const enc = records.map((r) => encodeRecord(model.tokenizer, r)).filter((r) => r.ids.length - 1 <= model.arch.contextLength);
  let total = 0;
  let count = 0;
  for (let s = 0; s < enc.length; s += batchSize) {
    const b = makeBatch(enc.slice(s, s + batchSize));
    const n = tf.tidy(() => tf.sum(b.mask).dataSync()[0]!);
    const l = tf.tidy(() => batchLoss(model, b).dataSync()[0]!);
    total += l * n;
    count += n;
    disposeBatch(b);
  }
  return count ? total / count : NaN;
}

/** Greedy accuracy on validation problems with the task's checker. */
export async function greedyAccuracy(model: TinyModel, data: SftData, limit: number): Promise<number | undefined> {
  if (!data.verify || limit <= 0) return undefined;
  const tasks = data.validation.slice(0, limit);
  const outs = await generateMany(model, tasks.map((t) => t.prompt), 0, { temperature: 0, maxTokens: model.arch.contextLength - 1 - Math.max(...tasks.map((t) => t.prompt.length)) });
  let ok = 0;
  for (let i = 0; i < tasks.length; i++) if ((await data.verify(tasks[i]!, outs[i]!.text)).correct) ok++;
  return ok / tasks.length;
}

/**
 * Supervised fine-tuning of a policy-tiny model (from scratch or from a checkpoint): AdamW,
 * warmup + cosine LR, global-norm clipping, length-bucketed batches (less padding), periodic
 * validation and checkpoints.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  await useBackend(opts.backend ?? 'wasm');
  const steps = opts.steps ?? 2000;
  const batchSize = opts.batchSize ?? 64;
  const sched = { lr: opts.lr ?? 2e-3, warmup: opts.warmup ?? Math.min(100, Math.ceil(steps / 10)), steps, minLrRatio: opts.minLrRatio ?? 0.1 };
  const clip = opts.clip ?? 1;
  const weightDecay = opts.weightDecay ?? 0.01;
  const evalEvery = opts.evalEvery ?? 200;
  const saveEvery = opts.saveEvery ?? evalEvery;
  const rng: Rng = createRng(opts.seed ?? 1);
  const log = opts.logger;

  let model: TinyModel;
  let startStep = 0;
  let priorMeta: Record<string, unknown> = {};
  if (opts.resume) {
    const ck = await loadCheckpoint(opts.resume);
    model = TinyModel.fromCheckpoint(ck);
    startStep = Number(ck.meta.steps ?? 0) || 0;
    priorMeta = ck.meta;
    log?.info(`resuming from ${opts.resume} (${ck.id}, step ${startStep})`);
  } else {
    const size = opts.size ?? MODEL_SIZES.small!;
    model = TinyModel.random(size, CharTokenizer.fromAlphabet(opts.data.alphabet), rng.fork('init'));
  }
  // Fail early on data the vocab cannot encode.
  encodeRecord(model.tokenizer, opts.data.sample(rng.fork('probe')));
  const valRecords = opts.data.validation.map((t) => ({ prompt: t.prompt, solution: t.solution }));
  const arch = model.arch;
  const params = model.params;
  const vars = [...params.values()];
  const opt = new AdamW(params);
  const dataRng = rng.fork(`data:${startStep}`);
  const t0 = performance.now();
  let tokensSeen = 0;
  let flops = 0;
  let lastLoss = NaN;
  let valLoss: number | undefined;
  let valAccuracy: number | undefined;
  let skipped = 0;
  let queue: Array<ReturnType<typeof encodeRecord>[]> = [];
  const nextRows = (): ReturnType<typeof encodeRecord>[] => {
    if (queue.length === 0) {
      // Draw 8 batches, sort by length, cut into batches, shuffle: padding stays small.
      const pool: ReturnType<typeof encodeRecord>[] = [];
      while (pool.length < batchSize * 8) {
        const r = encodeRecord(model.tokenizer, opts.data.sample(dataRng));
        if (r.ids.length - 1 > arch.contextLength) { skipped++; continue; }
        pool.push(r);
      }
      pool.sort((a, b) => a.ids.length - b.ids.length);
      for (let i = 0; i < 8; i++) queue.push(pool.slice(i * batchSize, (i + 1) * batchSize));
      for (let i = queue.length - 1; i > 0; i--) {
        const j = dataRng.int(i + 1);
        [queue[i], queue[j]] = [queue[j]!, queue[i]!];
      }
    }
    return queue.pop()!;
  };

  const save = async (step: number, final: boolean): Promise<string | undefined> => {
    if (!opts.out) return undefined;
    const meta = {
      ...priorMeta,
      ...opts.meta,
      task: opts.data.name,
      steps: step,
      createdAt: new Date().toISOString(),
      wallMs: Math.round((Number(priorMeta.wallMs) || 0) + performance.now() - t0),
      tokens: (Number(priorMeta.tokens) || 0) + tokensSeen,
      batchSize,
      lr: sched.lr,
      loss: lastLoss,
      valLoss,
      valAccuracy,
      backend: tf.getBackend(),
      final,
    };
    const id = await saveCheckpoint(opts.out, { arch, tokenizer: model.tokenizer, weights: await model.weights(), meta });
    log?.info(`saved ${opts.out} (${id}) at step ${step}`);
    return id;
  };

  const evaluate = async (): Promise<void> => {
    valLoss = validationLoss(model, valRecords);
    valAccuracy = await greedyAccuracy(model, opts.data, opts.evalTasks ?? 100);
  };

  let step = startStep;
  let id: string | undefined;
  try {
    for (; step < steps; step++) {
      if (opts.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', `training aborted at step ${step}`);
      if (opts.stopAt !== undefined && step >= opts.stopAt) break;
      if (opts.maxMinutes && performance.now() - t0 > opts.maxMinutes * 60_000) {
        log?.warn(`stopping at step ${step}: --max-minutes ${opts.maxMinutes} reached`);
        break;
      }
      const batch = makeBatch(nextRows());
      const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), vars);
      const gnormT = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
      const [lossArr, gnArr] = await Promise.all([value.data(), gnormT.data()]);
      const loss = lossArr[0]!;
      const gradNorm = gnArr[0]!;
      const timeFraction = opts.maxMinutes ? (performance.now() - t0) / (opts.maxMinutes * 60_000) : 0;
      // On resume, Adam's moments start from zero: ramp the LR back up over 20 steps.
      const rewarm = startStep > 0 ? Math.min(1, (step - startStep + 1) / 20) : 1;
      const lr = lrAt(step, sched, timeFraction) * rewarm;
      if (Number.isFinite(loss) && Number.isFinite(gradNorm)) opt.apply(grads, lr, weightDecay, Math.min(1, clip / (gradNorm + 1e-6)));
      tf.dispose([value, gnormT, ...Object.values(grads)]);
      tokensSeen += batch.tokens;
      const [B, T] = batch.shape;
      flops += 3 * B * T * forwardFlopsPerToken(arch, T / 2);
      disposeBatch(batch);
      lastLoss = loss;
      const done = step + 1;
      const elapsedMs = performance.now() - t0;
      const isEval = done % evalEvery === 0 || done === steps;
      if (isEval) await evaluate();
      const progress: TrainProgress = { step: done, steps, loss, lr, gradNorm, tokensPerSec: (tokensSeen / elapsedMs) * 1000, elapsedMs, ...(isEval ? { valLoss, valAccuracy } : {}) };
      opts.onProgress?.(progress);
      await opts.hooks?.learnStep.promise({ step: done, loss, lr, metrics: { gradNorm, tokensPerSec: progress.tokensPerSec, ...(isEval && valLoss !== undefined ? { valLoss } : {}), ...(isEval && valAccuracy !== undefined ? { valAccuracy } : {}) } });
      if (isEval) await opts.hooks?.learnEpoch.promise({ epoch: done, metrics: { valLoss: valLoss ?? NaN, ...(valAccuracy !== undefined ? { valAccuracy } : {}) } });
      if (done % saveEvery === 0 && done !== steps) await save(done, false);
    }
    if (valLoss === undefined || step % evalEvery !== 0) await evaluate();
    id = await save(step, true);
  } finally {
    opt.dispose();
  }
  if (skipped) log?.warn(`${skipped} examples longer than the context (${arch.contextLength}) were skipped`);
  const wallMs = performance.now() - t0;
  log?.info(`trained ${step - startStep} steps in ${(wallMs / 1000).toFixed(0)} s, ${(flops / wallMs / 1e6).toFixed(2)} GFLOP/s effective`);
  return { id, dir: opts.out, steps: step, wallMs, tokens: tokensSeen, loss: lastLoss, valLoss, valAccuracy, parameters: parameterCount(arch), model };
}

/**
 * The SFT recipe loop (`reasoner train`, scripts/train-default.ts): data, schedule, periodic
 * evaluation and checkpoints. The step itself (batching, loss, AdamW) is shared with every
 * learning objective: batch.ts, objectives.ts, trainer.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, ReasonerError } from '@reasoner/core';
import type { Hooks, Logger, Rng } from '@reasoner/core';
import { CharTokenizer } from '@reasoner/tiny-format';
import { useBackend, type BackendName } from './backend.js';
import { BucketedSampler, disposeBatch, encodeRecord, makeBatch } from './batch.js';
import type { SftData } from './data.js';
import { greedyAccuracy, validationLoss } from './evaluate.js';
import { forwardTokens } from './forward-tokens.js';
import { lrAt } from './lr-schedule.js';
import { forwardFlopsPerToken, parameterCount, type Arch } from './model.js';
import { nllLoss } from './objectives.js';
import { TinyModel } from './tiny-model.js';
import { loadTrainState, saveTrainState } from './train-state.js';
import { Trainer } from './trainer.js';

export { lrAt } from './lr-schedule.js';
export { encodeRecord } from './batch.js';
export { validationLoss, greedyAccuracy } from './evaluate.js';

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
   * Continue from this checkpoint: weights, step count (the LR schedule continues where it was)
   * and Adam's moments when the checkpoint has them (optimizer.json); without them the moments
   * restart with a 20-step LR ramp.
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
  let resumed: Awaited<ReturnType<typeof loadTrainState>> | undefined;
  if (opts.resume) {
    resumed = await loadTrainState(opts.resume);
    const ck = resumed.ckpt;
    model = TinyModel.fromCheckpoint(ck);
    startStep = Number(ck.meta.steps ?? 0) || 0;
    priorMeta = ck.meta;
    log?.info(`resuming from ${opts.resume} (${ck.id}, step ${startStep}${resumed.optimizer ? ', with optimizer state' : ''})`);
  } else {
    const size = opts.size ?? MODEL_SIZES.small!;
    model = TinyModel.random(size, CharTokenizer.fromAlphabet(opts.data.alphabet), rng.fork('init'));
  }
  // Fail early on data the vocab cannot encode.
  encodeRecord(model.tokenizer, opts.data.sample(rng.fork('probe')));
  const valRecords = opts.data.validation.map((t) => ({ prompt: t.prompt, solution: t.solution }));
  const arch = model.arch;
  const trainer = new Trainer(model);
  if (resumed?.optimizer) trainer.opt.restore(resumed.optimizer);
  const sampler = new BucketedSampler((r) => encodeRecord(model.tokenizer, opts.data.sample(r)), batchSize, arch.contextLength, rng.fork(`data:${startStep}`));
  const t0 = performance.now();
  let tokensSeen = 0;
  let flops = 0;
  let lastLoss = NaN;
  let valLoss: number | undefined;
  let valAccuracy: number | undefined;

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
    const id = await saveTrainState(opts.out, model, meta, trainer.opt);
    log?.info(`saved ${opts.out} (${id}) at step ${step}`);
    return id;
  };

  const evaluate = async (): Promise<void> => {
    valLoss = validationLoss(model, valRecords);
    valAccuracy = await greedyAccuracy(model, opts.data, opts.evalTasks ?? 100);
  };

  let step = startStep;
  let id: string | undefined;
  // Without saved moments Adam restarts from zero: ramp the LR back up over 20 steps.
  const rewarmFrom = startStep > 0 && !resumed?.optimizer ? startStep : -1;
  try {
    for (; step < steps; step++) {
      if (opts.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', `training aborted at step ${step}`);
      if (opts.stopAt !== undefined && step >= opts.stopAt) break;
      if (opts.maxMinutes && performance.now() - t0 > opts.maxMinutes * 60_000) {
        log?.warn(`stopping at step ${step}: --max-minutes ${opts.maxMinutes} reached`);
        break;
      }
      const batch = makeBatch(sampler.next());
      const timeFraction = opts.maxMinutes ? (performance.now() - t0) / (opts.maxMinutes * 60_000) : 0;
      const rewarm = rewarmFrom >= 0 ? Math.min(1, (step - rewarmFrom + 1) / 20) : 1;
      const lr = lrAt(step, sched, timeFraction) * rewarm;
      let loss: number;
      let gradNorm: number;
      try {
        ({ loss, gradNorm } = await trainer.update(() => {
          const f = forwardTokens(model, batch, { training: true });
          return nllLoss(f.lp, f.mask, tf.ones([batch.shape[0]]));
        }, { lr, weightDecay, clip }));
      } finally {
        disposeBatch(batch);
      }
      tokensSeen += batch.tokens;
      const [B, T] = batch.shape;
      flops += 3 * B * T * forwardFlopsPerToken(arch, T / 2);
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
    trainer.dispose();
  }
  if (sampler.skipped) log?.warn(`${sampler.skipped} examples longer than the context (${arch.contextLength}) were skipped`);
  const wallMs = performance.now() - t0;
  log?.info(`trained ${step - startStep} steps in ${(wallMs / 1000).toFixed(0)} s, ${(flops / wallMs / 1e6).toFixed(2)} GFLOP/s effective`);
  return { id, dir: opts.out, steps: step, wallMs, tokens: tokensSeen, loss: lastLoss, valLoss, valAccuracy, parameters: parameterCount(arch), model };
}

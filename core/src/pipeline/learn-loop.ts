/**
 * The optimisation loop every learner shares: shuffled, length-bucketed batches, one
 * `trainStep` per batch, hooks, throughput, abort and the NaN/failed-step rule (stop, keep the
 * last good weights, save them, say so). Learners only build examples and objectives.
 */
import { ReasonerError, isReasonerError } from '../errors.js';
import type { LearnEnv, LrSchedule, Objective, OptimizerSettings, SavedCheckpoint, StepReport, TrainBatch, TrainablePolicy } from '../types/learn.js';
import type { Rng } from '../types/services.js';

export interface LoopItem {
  /** Characters of prompt + completion: batches group items of similar length (less padding). */
  length: number;
}

export interface LoopOptions<T extends LoopItem> {
  items: readonly T[];
  /** Items per optimizer step. */
  batchSize: number;
  epochs: number;
  /** Cap on optimizer steps (default: epochs × batches). */
  maxSteps?: number;
  /** Optimizer settings applied before the first step (lr, schedule, warmup …). */
  optimizer?: Partial<OptimizerSettings>;
  /** Builds the batch and the objective of one step (may call the policy, e.g. for old logprobs). */
  build(items: T[]): Promise<{ batch: TrainBatch; objective: Objective }>;
  rng: Rng;
  microBatch?: number;
}

export interface LoopResult {
  steps: number;
  tokens: number;
  wallMs: number;
  /** Time inside trainStep only (throughput = tokens / trainMs). */
  trainMs: number;
  /** Mean of every step metric (loss included). */
  metrics: Record<string, number>;
  last?: StepReport;
  /** Set when the loop stopped early (abort, budget, failed step). */
  stoppedBy?: 'abort' | 'budget' | 'error';
  error?: ReasonerError;
}

/** Batches of similar length in a shuffled order (deterministic for a seed). */
export function bucketBatches<T extends LoopItem>(items: readonly T[], batchSize: number, rng: Rng): T[][] {
  const idx = items.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  // Sort within windows of 8 batches by length, then cut: padding stays small, order stays random.
  const window = batchSize * 8;
  const batches: T[][] = [];
  for (let s = 0; s < idx.length; s += window) {
    const chunk = idx.slice(s, s + window).map((i) => items[i]!).sort((a, b) => a.length - b.length);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

/**
 * Runs the steps. A step that fails with RSN_ERR_TRAIN (non-finite loss or gradient; the
 * backend does not apply it) ends the loop with `stoppedBy: 'error'`: the weights are still the
 * last good ones, and the caller decides whether to save them and rethrow.
 */
export async function trainLoop<T extends LoopItem>(env: Pick<LearnEnv, 'policy' | 'hooks' | 'signal' | 'budget' | 'logger'>, o: LoopOptions<T>): Promise<LoopResult> {
  const policy = env.policy;
  const perEpoch = Math.ceil(o.items.length / o.batchSize);
  const total = Math.min(o.maxSteps ?? Infinity, perEpoch * o.epochs);
  if (o.optimizer) policy.configure({ ...o.optimizer, ...(o.optimizer.totalSteps === undefined ? { totalSteps: total } : {}) });
  const sums: Record<string, number> = {};
  const t0 = Date.now();
  let trainMs = 0;
  let tokens = 0;
  let steps = 0;
  let last: StepReport | undefined;
  let stoppedBy: LoopResult['stoppedBy'];
  let error: ReasonerError | undefined;
  outer: for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (const items of bucketBatches(o.items, o.batchSize, o.rng.fork(`epoch:${epoch}`))) {
      if (steps >= total) break outer;
      if (env.signal.aborted) { stoppedBy = 'abort'; break outer; }
      if (env.budget.exhausted()) { stoppedBy = 'budget'; break outer; }
      const { batch, objective } = await o.build(items);
      const s0 = Date.now();
      try {
        last = await policy.trainStep(batch, objective, { signal: env.signal, microBatch: o.microBatch });
      } catch (e) {
        if (isReasonerError(e) && e.code === 'RSN_ERR_TRAIN') {
          error = e;
          stoppedBy = 'error';
          env.logger.warn(`training stopped at step ${steps + 1}: ${e.message} (weights are the last good ones)`);
          break outer;
        }
        if (isReasonerError(e) && e.code === 'RSN_ERR_ABORTED') { stoppedBy = 'abort'; break outer; }
        throw e;
      }
      trainMs += Date.now() - s0;
      steps++;
      tokens += last.tokens;
      sums.loss = (sums.loss ?? 0) + last.loss;
      for (const [k, v] of Object.entries(last.metrics)) if (Number.isFinite(v)) sums[k] = (sums[k] ?? 0) + v;
      await env.hooks.learnStep.promise({ step: last.step, loss: last.loss, lr: last.lr, metrics: { ...last.metrics, tokensPerSec: trainMs ? (tokens / trainMs) * 1000 : 0 } });
    }
    await env.hooks.learnEpoch.promise({ epoch: epoch + 1, metrics: { loss: steps ? (sums.loss ?? 0) / steps : NaN } });
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) metrics[k] = steps ? v / steps : NaN;
  metrics.tokensPerSec = trainMs ? (tokens / trainMs) * 1000 : 0;
  return { steps, tokens, wallMs: Date.now() - t0, trainMs, metrics, last, stoppedBy, error };
}

/**
 * Saves the policy to `dir`; when the loop ended on a failed step, saves the (last good) weights
 * and then throws that error with the checkpoint named, so nothing learned is lost.
 */
export async function saveOrFail(policy: TrainablePolicy, dir: string, loop: Pick<LoopResult, 'steps' | 'error'>, learner: string): Promise<SavedCheckpoint> {
  const saved = await policy.save(dir);
  if (loop.error) {
    throw new ReasonerError('RSN_ERR_TRAIN', `${learner}: ${loop.error.message}; stopped after ${loop.steps} good steps`, {
      ...loop.error.context, plugin: learner, checkpoint: saved.dir,
      hint: `the last good weights are saved in ${saved.dir}; lower the learning rate or check the data (${loop.error.context.hint ?? 'non-finite loss'})`,
    }, { cause: loop.error });
  }
  return saved;
}

/** RSN_ERR_DATASET for a learner with nothing to learn from, naming what was looked at. */
export function nothingToLearn(learner: string, what: string, hint: string): ReasonerError {
  return new ReasonerError('RSN_ERR_DATASET', `${learner}: nothing to learn from — ${what}`, { plugin: learner, hint });
}

/** The defaults of the options every `trainLoop` learner shares. */
export interface LoopDefaults {
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: LrSchedule;
  warmup: number;
  /** Online (no records given): training tasks searched per call. */
  tasks: number;
}

/** JSON-schema properties of those shared options, for a learner plugin's `optionsSchema`. */
export function loopOptionsSchema(d: LoopDefaults): Record<string, object> {
  return {
    epochs: { type: 'integer', minimum: 1, default: d.epochs },
    batchSize: { type: 'integer', minimum: 1, default: d.batchSize },
    lr: { type: 'number', exclusiveMinimum: 0, default: d.lr },
    schedule: { enum: ['constant', 'cosine', 'linear'], default: d.schedule },
    warmup: { type: 'integer', minimum: 0, default: d.warmup },
    maxSteps: { type: 'integer', minimum: 1 },
    tasks: { type: 'integer', minimum: 1, default: d.tasks },
  };
}

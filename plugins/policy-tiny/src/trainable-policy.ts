import * as tf from '@tensorflow/tfjs';
import { createRng, ReasonerError } from '@reasoner/core';
import type {
  GenerateRequest, GenerateResult, Objective, OptimizerSettings, PolicyCapabilities, Rng, SavedCheckpoint, ScoringPolicy,
  SequenceLogprobs, StepOptions, StepReport, TrainablePolicy, TrainBatch,
} from '@reasoner/core';
import { loadCheckpoint, type CheckpointMeta } from '@reasoner/tiny-format';
import { useBackend, type BackendName } from './backend.js';
import { disposeBatch, encodeBatch, makeBatch, microBatches, type EncodedRow } from './batch.js';
import { GenerationEngine, type EngineName } from './engine.js';
import { forwardTokens } from './forward-tokens.js';
import { scheduledLr } from './lr-schedule.js';
import { parameterCount } from './model.js';
import { planObjective } from './objective-plan.js';
import { TinyModel } from './tiny-model.js';
import { loadTrainState, saveTrainState, type LoadedTrainState } from './train-state.js';
import { Trainer } from './trainer.js';
import { ValueHead } from './value-head.js';

/** Fine-tuning defaults (the SFT recipe from scratch uses 2e-3 with cosine decay). */
export const DEFAULT_OPTIMIZER: OptimizerSettings = {
  lr: 1e-4, schedule: 'constant', warmup: 0, totalSteps: 1000, minLrRatio: 0.1, weightDecay: 0, gradClip: 1, beta1: 0.9, beta2: 0.99,
};

export interface TinyTrainableOptions {
  engine?: EngineName;
  backend?: BackendName;
  maxTokens?: number;
  /** Source of per-call seeds (tfjs engine) and the onnx engine's base seed. */
  rng?: Rng;
  optimizer?: Partial<OptimizerSettings>;
  /** Sequences per forward when scoring (sequenceLogprobs / values); default 64. */
  scoreBatch?: number;
  /**
   * trainStep splits a batch into micro-batches of similar length with at most this many padded
   * positions (rows × longest) and accumulates their gradients into one update (default 2048;
   * StepOptions.microBatch caps rows instead).
   */
  microPositions?: number;
}

/** Rows of `rows` whose per-token values sit at [lossFrom, lossFrom + n) of each [T] row of `flat`. */
function unpack(rows: readonly EncodedRow[], flat: Float32Array, T: number): number[][] {
  return rows.map((r, b) => Array.from(flat.subarray(b * T + r.lossFrom, b * T + r.lossFrom + r.n)));
}

function checkSettings(s: Partial<OptimizerSettings>): void {
  for (const [k, v] of Object.entries(s)) {
    if (k === 'schedule') {
      if (!['constant', 'cosine', 'linear'].includes(v as string)) throw new ReasonerError('RSN_ERR_TRAIN', `optimizer schedule must be constant, cosine or linear (got ${String(v)})`);
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ReasonerError('RSN_ERR_TRAIN', `optimizer ${k} must be a finite number ≥ 0 (got ${String(v)})`);
    } else if ((k === 'beta1' || k === 'beta2') && v >= 1) {
      throw new ReasonerError('RSN_ERR_TRAIN', `optimizer ${k} must be < 1 (got ${v})`);
    }
  }
}

/** Scoring over a TinyModel: shared by the trainable policy and its frozen references. */
abstract class TinyScoring {
  abstract readonly id: string;
  protected closed = false;
  protected abstract engine: GenerationEngine;
  protected abstract ensureModel(): Promise<TinyModel>;
  protected scoreBatch = 64;

  protected check(): void {
    if (this.closed) throw new ReasonerError('RSN_ERR_POLICY', `policy ${this.id} is closed`, { hint: 'do not use a policy after closing it' });
  }

  generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    try { this.check(); } catch (e) { return Promise.reject(e); }
    return this.engine.generate(request, signal);
  }

  countTokens(text: string): number {
    return text.length + 1;
  }

  async scoreText(prompt: string, text: string, signal?: AbortSignal): Promise<{ logprobs: number[]; tokens: number }> {
    if (text.length === 0) return { logprobs: [], tokens: 0 };
    const [r] = await this.sequenceLogprobs({ sequences: [{ prompt, completion: text, eos: false }] }, signal);
    return { logprobs: r!.logprobs, tokens: r!.tokens };
  }

  /**
   * Teacher-forced completion logprobs (no gradient). Engine onnx: one batched onnxruntime
   * forward per 64 sequences (same numbers as tfjs to ~1e-5, several times faster); engine tfjs:
   * chunks of `scoreBatch` sequences.
   */
  async sequenceLogprobs(batch: TrainBatch, signal?: AbortSignal): Promise<SequenceLogprobs[]> {
    this.check();
    const model = await this.ensureModel();
    const rows = encodeBatch(model.tokenizer, batch?.sequences, model.arch.contextLength);
    if (this.engine.scoresOnOnnx) {
      const lps = await this.engine.score(batch.sequences.map((s) => ({ prompt: s.prompt, text: s.completion, eos: s.eos !== false })), signal);
      return lps.map((lp) => ({ logprobs: lp, sum: lp.reduce((a, x) => a + x, 0), tokens: lp.length }));
    }
    const out: SequenceLogprobs[] = [];
    for (let s = 0; s < rows.length; s += this.scoreBatch) {
      if (signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'scoring aborted');
      const part = rows.slice(s, s + this.scoreBatch);
      const b = makeBatch(part);
      try {
        const flat = tf.tidy(() => forwardTokens(model, b, { training: false }).lp.dataSync() as Float32Array);
        for (const lp of unpack(part, flat, b.shape[1])) out.push({ logprobs: lp, sum: lp.reduce((a, x) => a + x, 0), tokens: lp.length });
      } finally {
        disposeBatch(b);
      }
    }
    return out;
  }
}

/** A frozen copy of a TinyTrainablePolicy's weights (`reference()`). */
class TinyReference extends TinyScoring implements ScoringPolicy {
  readonly capabilities: PolicyCapabilities = { logprobs: true, prefix: true, nativeN: true, trainable: false };
  protected engine: GenerationEngine;

  constructor(private readonly model: TinyModel, readonly id: string, opts: { engine: EngineName; maxTokens: number; seed: number; rng: Rng }) {
    super();
    this.engine = new GenerationEngine(opts, () => this.model, undefined);
  }

  protected async ensureModel(): Promise<TinyModel> {
    return this.model;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.close();
    this.model.dispose();
  }
}

/**
 * policy-tiny as a `TrainablePolicy`: generation through the chosen engine (onnx by default),
 * training in tfjs (wasm). tfjs weights are loaded on first use, so a run that only generates
 * never allocates them.
 */
export class TinyTrainablePolicy extends TinyScoring implements TrainablePolicy {
  readonly capabilities: PolicyCapabilities = { logprobs: true, prefix: true, nativeN: true, trainable: true };
  protected engine: GenerationEngine;
  private model?: TinyModel;
  private trainer?: Trainer;
  private valueHead?: ValueHead;
  private loading?: Promise<TinyModel>;
  private settings: OptimizerSettings;
  /** Optimizer step at which the current schedule started (warmup counts from here). */
  private scheduleFrom = 0;
  /**
   * What configure() set before the tfjs model (and its saved optimizer state) loaded: it wins
   * over the checkpoint's saved settings, and a schedule it set starts at the loaded step.
   */
  private configuredBeforeLoad?: { settings: Partial<OptimizerSettings>; restartSchedule: boolean };
  private savedId: string;
  private sinceSave = 0;
  private meta: CheckpointMeta;
  private readonly backend: BackendName;
  private readonly engineOpts: { engine: EngineName; maxTokens: number; seed: number; rng: Rng };
  private pendingState?: LoadedTrainState;
  private readonly microRows = 256;
  private readonly microPositions: number;

  private constructor(private dir: string, id: string, meta: CheckpointMeta, readonly contextLength: number, opts: TinyTrainableOptions) {
    super();
    this.savedId = id;
    this.meta = meta;
    this.backend = opts.backend ?? 'wasm';
    const rng = opts.rng ?? createRng(0);
    this.engineOpts = { engine: opts.engine ?? 'onnx', maxTokens: opts.maxTokens ?? 96, seed: rng.int(2 ** 31), rng };
    this.engine = new GenerationEngine(this.engineOpts, () => this.model, dir);
    this.settings = { ...DEFAULT_OPTIMIZER };
    if (opts.optimizer) this.configure(opts.optimizer);
    if (opts.scoreBatch) this.scoreBatch = opts.scoreBatch;
    this.microPositions = opts.microPositions ?? 2048;
  }

  /** Opens a checkpoint directory (validated now; tfjs weights load on first training/scoring use, or now for engine tfjs). */
  static async open(dir: string, opts: TinyTrainableOptions = {}): Promise<TinyTrainablePolicy> {
    const ck = await loadCheckpoint(dir);
    const p = new TinyTrainablePolicy(dir, ck.id, ck.meta, ck.arch.contextLength, opts);
    if ((opts.engine ?? 'onnx') === 'tfjs') await p.ensureModel();
    return p;
  }

  /** What a request without `maxTokens` gets at most (the `maxTokens` option); the kernel reserves budgets with it. */
  get defaultMaxTokens(): number {
    return this.engineOpts.maxTokens;
  }

  get id(): string {
    return this.sinceSave === 0 ? this.savedId : `${this.savedId}+${this.sinceSave}`;
  }

  get parameters(): number | undefined {
    return this.model ? parameterCount(this.model.arch) : undefined;
  }

  /** Generations exported to onnxruntime so far (1 at first use, +1 per weight change seen by generate). */
  get engineExports(): number {
    return this.engine.exports;
  }

  protected ensureModel(): Promise<TinyModel> {
    if (this.model) return Promise.resolve(this.model);
    this.loading ??= (async () => {
      await useBackend(this.backend);
      const st = this.pendingState ?? (await loadTrainState(this.dir));
      this.pendingState = undefined;
      const model = TinyModel.fromCheckpoint(st.ckpt);
      this.trainer = new Trainer(model, { beta1: this.settings.beta1, beta2: this.settings.beta2 });
      this.applyState(st);
      this.model = model;
      return model;
    })().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private applyState(st: LoadedTrainState): void {
    if (st.optimizer) {
      this.trainer!.opt.restore(st.optimizer);
      const saved = st.optimizer.meta.settings as Partial<OptimizerSettings> | undefined;
      if (saved) this.settings = { ...this.settings, ...saved };
      this.scheduleFrom = Number(st.optimizer.meta.scheduleFrom) || 0;
    } else {
      this.trainer!.opt.reset();
      this.scheduleFrom = 0;
    }
    // Settings a learner gave before the weights loaded are newer than the checkpoint's.
    const early = this.configuredBeforeLoad;
    this.configuredBeforeLoad = undefined;
    if (early) {
      this.settings = { ...this.settings, ...early.settings };
      if (early.restartSchedule) this.scheduleFrom = this.trainer!.opt.t;
    }
    this.trainer!.opt.beta1 = this.settings.beta1;
    this.trainer!.opt.beta2 = this.settings.beta2;
    if (st.valueHead) {
      this.valueHead ??= new ValueHead(st.ckpt.arch.dModel);
      this.valueHead.restore(st.valueHead);
    } else {
      this.valueHead?.dispose();
      this.valueHead = undefined;
    }
  }

  /** The settings in force and the optimizer's step (0 until the weights load: the checkpoint's step is not read before). */
  optimizer(): OptimizerSettings & { step: number } {
    return { ...this.settings, step: this.trainer?.opt.t ?? 0 };
  }

  configure(settings: Partial<OptimizerSettings>): void {
    checkSettings(settings);
    const scheduleKeys: Array<keyof OptimizerSettings> = ['lr', 'schedule', 'warmup', 'totalSteps', 'minLrRatio'];
    const restart = scheduleKeys.some((k) => k in settings);
    if (restart) this.scheduleFrom = this.trainer?.opt.t ?? 0;
    if (!this.trainer) {
      const prev = this.configuredBeforeLoad;
      this.configuredBeforeLoad = { settings: { ...prev?.settings, ...settings }, restartSchedule: (prev?.restartSchedule ?? false) || restart };
    }
    this.settings = { ...this.settings, ...settings };
    if (this.trainer) {
      this.trainer.opt.beta1 = this.settings.beta1;
      this.trainer.opt.beta2 = this.settings.beta2;
    }
  }

  /** Validated plan, micro-batches and their padded tensors for one batch (dispose the tensors). */
  private prepare(model: TinyModel, batch: TrainBatch, objective: Objective, microBatch: number | undefined) {
    const rows = encodeBatch(model.tokenizer, batch?.sequences, model.arch.contextLength);
    if (microBatch !== undefined && (!Number.isInteger(microBatch) || microBatch < 1)) throw new ReasonerError('RSN_ERR_TRAIN', `microBatch must be a positive integer (got ${microBatch})`);
    const plan = planObjective(objective, batch.sequences, rows);
    if (plan.needsValues) this.valueHead ??= new ValueHead(model.arch.dModel);
    // A DPO pair needs both rows in one micro-batch.
    const maxRows = plan.units.reduce((m, u) => Math.max(m, u.length), microBatch ?? this.microRows);
    const parts = microBatches(rows, plan.units, maxRows, microBatch !== undefined ? Number.MAX_SAFE_INTEGER : this.microPositions);
    const tensors = parts.map((m) => makeBatch(m.idx.map((i) => rows[i]!)));
    return { rows, plan, parts, tensors, tokens: tensors.reduce((a, b) => a + b.tokens, 0) };
  }

  async trainStep(batch: TrainBatch, objective: Objective, opts: StepOptions = {}): Promise<StepReport> {
    this.check();
    const t0 = performance.now();
    if (opts.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'training step aborted');
    const model = await this.ensureModel();
    const { plan, parts, tensors, tokens } = this.prepare(model, batch, objective, opts.microBatch);
    try {
      const vh = plan.needsValues ? this.valueHead : undefined;
      const step = this.trainer!.opt.t;
      const lr = opts.lr ?? scheduledLr(this.settings, step, this.scheduleFrom);
      if (!Number.isFinite(lr) || lr < 0) throw new ReasonerError('RSN_ERR_TRAIN', `learning rate must be a finite number ≥ 0 (got ${lr})`);
      const r = await this.trainer!.update(
        parts.map((m, j) => () => plan.loss(forwardTokens(model, tensors[j]!, { training: true, valueHead: vh, entropy: plan.needsEntropy }), m.idx, m.unitIds)),
        { lr, weightDecay: this.settings.weightDecay, clip: this.settings.gradClip, extra: vh?.params },
      );
      this.sinceSave++;
      return { loss: r.loss, metrics: { ...r.metrics, gradNorm: r.gradNorm, lr, microBatches: parts.length }, tokens, step: this.trainer!.opt.t, lr, gradNorm: r.gradNorm, wallMs: performance.now() - t0 };
    } finally {
      tensors.forEach(disposeBatch);
    }
  }

  async evaluateObjective(batch: TrainBatch, objective: Objective, signal?: AbortSignal): Promise<Omit<StepReport, 'step' | 'lr' | 'gradNorm'>> {
    this.check();
    const t0 = performance.now();
    if (signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'evaluation aborted');
    const model = await this.ensureModel();
    const { plan, parts, tensors, tokens } = this.prepare(model, batch, objective, undefined);
    try {
      let loss = 0;
      const metrics: Record<string, number> = {};
      parts.forEach((m, j) => tf.tidy(() => {
        const out = plan.loss(forwardTokens(model, tensors[j]!, { training: false, valueHead: plan.needsValues ? this.valueHead : undefined, entropy: plan.needsEntropy }), m.idx, m.unitIds);
        loss += out.loss.dataSync()[0]!;
        for (const [k, v] of Object.entries(out.metrics)) metrics[k] = (metrics[k] ?? 0) + v.dataSync()[0]!;
      }));
      return { loss, metrics, tokens, wallMs: performance.now() - t0 };
    } finally {
      tensors.forEach(disposeBatch);
    }
  }

  async values(batch: TrainBatch, signal?: AbortSignal): Promise<number[][]> {
    this.check();
    const model = await this.ensureModel();
    this.valueHead ??= new ValueHead(model.arch.dModel);
    const vh = this.valueHead;
    const rows = encodeBatch(model.tokenizer, batch?.sequences, model.arch.contextLength);
    const out: number[][] = [];
    for (let s = 0; s < rows.length; s += this.scoreBatch) {
      if (signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'scoring aborted');
      const part = rows.slice(s, s + this.scoreBatch);
      const b = makeBatch(part);
      try {
        const flat = tf.tidy(() => forwardTokens(model, b, { training: false, valueHead: vh }).values!.dataSync() as Float32Array);
        out.push(...unpack(part, flat, b.shape[1]));
      } finally {
        disposeBatch(b);
      }
    }
    return out;
  }

  async reference(): Promise<ScoringPolicy> {
    this.check();
    const model = await this.ensureModel();
    return new TinyReference(model.clone(), `${this.id}:ref`, { ...this.engineOpts, seed: this.engineOpts.seed + 1 });
  }

  async save(dir: string): Promise<SavedCheckpoint> {
    this.check();
    const model = await this.ensureModel();
    const meta: CheckpointMeta = {
      ...this.meta,
      parent: this.savedId,
      learnSteps: (Number(this.meta.learnSteps) || 0) + this.sinceSave,
      createdAt: new Date().toISOString(),
      final: true,
    };
    const id = await saveTrainState(dir, model, meta, this.trainer!.opt, this.valueHead, { settings: this.settings, scheduleFrom: this.scheduleFrom });
    this.savedId = id;
    this.sinceSave = 0;
    this.meta = meta;
    this.dir = dir;
    return { dir, id };
  }

  async load(dir: string): Promise<void> {
    this.check();
    const st = await loadTrainState(dir);
    if (!this.model) {
      // Not loaded yet: the next ensureModel() builds from this state.
      this.pendingState = st;
      this.dir = dir;
    } else {
      const m = this.model;
      const a = m.arch;
      const b = st.ckpt.arch;
      if (JSON.stringify(a) !== JSON.stringify(b) || m.tokenizer.vocab.join('\u0000') !== st.ckpt.tokenizer.vocab.join('\u0000')) {
        throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${dir} does not match the loaded model (arch or vocabulary differs)`, { file: dir, hint: 'load a checkpoint trained from this model, or open it as a new policy' });
      }
      tf.tidy(() => {
        for (const [name, v] of m.params) {
          const w = st.ckpt.weights.get(name)!;
          v.assign(tf.tensor(w.data, w.shape, 'float32'));
        }
      });
      this.applyState(st);
      m.version++;
    }
    this.engine.invalidate(dir);
    this.savedId = st.ckpt.id;
    this.sinceSave = 0;
    this.meta = st.ckpt.meta;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loading?.catch(() => undefined);
    await this.engine.close();
    this.trainer?.dispose();
    this.valueHead?.dispose();
    this.model?.dispose();
  }
}

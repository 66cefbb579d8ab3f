/**
 * A tiny, exact TrainablePolicy for learner tests: each prompt has a categorical distribution
 * over a set of whole completions (logits). A completion of L tokens (characters + eos) gets
 * logp/L per token. `trainStep` evaluates the objective with the reference formulas
 * (pipeline/learn-objectives.ts) and takes a gradient step with central differences — slow for
 * big models, exact enough for a handful of logits, and independent of any backend.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReasonerError } from '../errors.js';
import { objectiveLoss, dpoMetrics } from '../pipeline/learn-objectives.js';
import type { Objective, OptimizerSettings, SavedCheckpoint, ScoringPolicy, SequenceLogprobs, StepOptions, StepReport, TrainBatch, TrainablePolicy } from '../types/learn.js';
import type { GenerateRequest, GenerateResult } from '../types/policy.js';
import { createRng } from '../util/rng.js';

export interface FakeTrainableOptions {
  /** The completions a prompt can have (the support of its distribution); more are added when scored. */
  completions(prompt: string): string[];
  /** Initial logit of a completion (default 0: uniform). */
  init?(prompt: string, completion: string): number;
  /** The objective returns NaN from this optimizer step on (tests of the failure path). */
  nanFromStep?: number;
  lr?: number;
}

type Table = Map<string, Map<string, number>>;

const DEFAULT_OPT: OptimizerSettings = { lr: 0.5, schedule: 'constant', warmup: 0, totalSteps: 1, minLrRatio: 1, weightDecay: 0, gradClip: 0, beta1: 0.9, beta2: 0.99 };

class FakeScorer implements ScoringPolicy {
  readonly capabilities = { logprobs: true, prefix: false, nativeN: true, trainable: false };
  constructor(private readonly baseId: string, protected logits: Table, protected vals: Map<string, number>, protected readonly o: FakeTrainableOptions) {}

  get id(): string {
    return this.baseId;
  }

  protected row(prompt: string): Map<string, number> {
    let r = this.logits.get(prompt);
    if (!r) {
      r = new Map(this.o.completions(prompt).map((c) => [c, this.o.init?.(prompt, c) ?? 0]));
      this.logits.set(prompt, r);
    }
    return r;
  }

  /** log p of a whole completion under `table` (unknown completions join the support). */
  protected logp(prompt: string, completion: string, table: Table = this.logits): number {
    const r = table === this.logits ? this.row(prompt) : table.get(prompt)!;
    if (!r.has(completion)) r.set(completion, this.o.init?.(prompt, completion) ?? -1);
    let max = -Infinity;
    for (const v of r.values()) max = Math.max(max, v);
    let z = 0;
    for (const v of r.values()) z += Math.exp(v - max);
    return r.get(completion)! - max - Math.log(z);
  }

  close(): void {}

  static tokens(completion: string, eos = true): number {
    return completion.length + (eos ? 1 : 0);
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const r = this.row(req.prompt);
    const rng = createRng(req.seed ?? 0);
    const entries = [...r.keys()].map((c) => [c, Math.exp(this.logp(req.prompt, c))] as const);
    const completions = Array.from({ length: req.n ?? 1 }, () => {
      let pick = entries[0]![0];
      if ((req.temperature ?? 1) === 0) {
        let best = -1;
        for (const [c, p] of entries) if (p > best + 1e-12) { best = p; pick = c; }
      } else {
        const t = req.temperature ?? 1;
        const w = entries.map(([, p]) => p ** (1 / t));
        let u = rng.next() * w.reduce((a, b) => a + b, 0);
        for (let i = 0; i < entries.length; i++) { u -= w[i]!; if (u <= 0) { pick = entries[i]![0]; break; } }
      }
      const L = FakeScorer.tokens(pick);
      return { text: pick, tokens: L - 1, finishReason: 'eos' as const, ...(req.logprobs ? { logprobs: Array(L - 1).fill(this.logp(req.prompt, pick) / L) } : {}) };
    });
    return { completions, usage: { promptTokens: req.prompt.length, completionTokens: completions.reduce((a, c) => a + c.tokens, 0), calls: 1 } };
  }

  async sequenceLogprobs(batch: TrainBatch): Promise<SequenceLogprobs[]> {
    return batch.sequences.map((s) => {
      const L = FakeScorer.tokens(s.completion, s.eos !== false);
      const lp = this.logp(s.prompt, s.completion);
      return { logprobs: Array(L).fill(lp / L), sum: lp, tokens: L };
    });
  }
}

/** The fake: see the file comment. `probability(prompt, completion)` lets tests read the distribution. */
export class FakeTrainablePolicy extends FakeScorer implements TrainablePolicy {
  override readonly capabilities = { logprobs: true, prefix: false, nativeN: true, trainable: true };
  private steps = 0;
  private settings: OptimizerSettings;
  readonly saves: string[] = [];
  readonly parameters = 0;

  constructor(o: FakeTrainableOptions) {
    super('fake-0', new Map(), new Map(), o);
    this.settings = { ...DEFAULT_OPT, lr: o.lr ?? DEFAULT_OPT.lr };
  }

  override get id(): string {
    return `fake-${this.steps}`;
  }

  probability(prompt: string, completion: string): number {
    return Math.exp(this.logp(prompt, completion));
  }

  private tokenLogprobs(batch: TrainBatch): number[][] {
    return batch.sequences.map((s) => {
      const L = FakeScorer.tokens(s.completion, s.eos !== false);
      return Array(L).fill(this.logp(s.prompt, s.completion) / L);
    });
  }

  async values(batch: TrainBatch): Promise<number[][]> {
    return batch.sequences.map((s) => Array(FakeScorer.tokens(s.completion, s.eos !== false)).fill(this.vals.get(s.prompt) ?? 0));
  }

  private loss(batch: TrainBatch, objective: Objective): number {
    if (this.o.nanFromStep !== undefined && this.steps + 1 >= this.o.nanFromStep) return NaN;
    const values = batch.sequences.map((s) => Array(FakeScorer.tokens(s.completion, s.eos !== false)).fill(this.vals.get(s.prompt) ?? 0));
    return objectiveLoss(objective, this.tokenLogprobs(batch), values);
  }

  private metrics(batch: TrainBatch, objective: Objective): Record<string, number> {
    if (objective.kind !== 'dpo') return {};
    return dpoMetrics(objective, this.tokenLogprobs(batch).map((r) => r.reduce((a, b) => a + b, 0)));
  }

  async evaluateObjective(batch: TrainBatch, objective: Objective) {
    const loss = this.loss(batch, objective);
    return { loss, metrics: this.metrics(batch, objective), tokens: batch.sequences.reduce((a, s) => a + s.prompt.length + FakeScorer.tokens(s.completion, s.eos !== false), 0), wallMs: 0 };
  }

  async trainStep(batch: TrainBatch, objective: Objective, opts: StepOptions = {}): Promise<StepReport> {
    if (opts.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'aborted');
    // Absent old logprobs are the current ones *detached*: fix them before differentiating.
    if ((objective.kind === 'grpo' || objective.kind === 'ppo-clip') && !objective.oldLogprobs) objective = { ...objective, oldLogprobs: this.tokenLogprobs(batch) };
    const loss = this.loss(batch, objective);
    if (!Number.isFinite(loss)) throw new ReasonerError('RSN_ERR_TRAIN', `non-finite loss (${loss}) at step ${this.steps + 1}; update not applied`, { hint: 'lower the learning rate' });
    const metrics = this.metrics(batch, objective);
    // Central differences over every logit of the batch's prompts (and their value scalars).
    const h = 1e-4;
    const grads: Array<[Map<string, number>, string, number]> = [];
    const vgrads: Array<[string, number]> = [];
    for (const p of new Set(batch.sequences.map((s) => s.prompt))) {
      const r = this.row(p);
      for (const c of [...r.keys()]) {
        const v = r.get(c)!;
        r.set(c, v + h); const up = this.loss(batch, objective);
        r.set(c, v - h); const down = this.loss(batch, objective);
        r.set(c, v);
        grads.push([r, c, (up - down) / (2 * h)]);
      }
      if (objective.kind === 'ppo-clip' && objective.vfCoef) {
        const v = this.vals.get(p) ?? 0;
        this.vals.set(p, v + h); const up = this.loss(batch, objective);
        this.vals.set(p, v - h); const down = this.loss(batch, objective);
        this.vals.set(p, v);
        vgrads.push([p, (up - down) / (2 * h)]);
      }
    }
    const gradNorm = Math.sqrt(grads.reduce((a, [, , g]) => a + g * g, 0) + vgrads.reduce((a, [, g]) => a + g * g, 0));
    const lr = opts.lr ?? this.settings.lr;
    for (const [r, c, g] of grads) r.set(c, r.get(c)! - lr * g);
    for (const [p, g] of vgrads) this.vals.set(p, (this.vals.get(p) ?? 0) - lr * g);
    this.steps++;
    const tokens = batch.sequences.reduce((a, s) => a + s.prompt.length + FakeScorer.tokens(s.completion, s.eos !== false), 0);
    return { loss, metrics: { ...metrics, gradNorm, lr }, tokens, step: this.steps, lr, gradNorm, wallMs: 0 };
  }

  async reference(): Promise<ScoringPolicy> {
    const copy: Table = new Map([...this.logits].map(([p, r]) => [p, new Map(r)]));
    return new FakeScorer(`${this.id}-ref`, copy, new Map(this.vals), this.o);
  }

  async save(dir: string): Promise<SavedCheckpoint> {
    await mkdir(dir, { recursive: true });
    const logits = Object.fromEntries([...this.logits].map(([p, r]) => [p, Object.fromEntries(r)]));
    await writeFile(path.join(dir, 'fake.json'), JSON.stringify({ steps: this.steps, logits, values: Object.fromEntries(this.vals) }));
    this.saves.push(dir);
    return { dir, id: this.id };
  }

  async load(dir: string): Promise<void> {
    let raw: { steps: number; logits: Record<string, Record<string, number>>; values: Record<string, number> };
    try {
      raw = JSON.parse(await readFile(path.join(dir, 'fake.json'), 'utf8'));
    } catch (e) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', `${dir} is not a fake checkpoint (${(e as Error).message})`);
    }
    this.steps = raw.steps;
    this.logits = new Map(Object.entries(raw.logits).map(([p, r]) => [p, new Map(Object.entries(r))]));
    this.vals = new Map(Object.entries(raw.values));
  }

  optimizer(): OptimizerSettings & { step: number } {
    return { ...this.settings, step: this.steps };
  }

  configure(settings: Partial<OptimizerSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }
}

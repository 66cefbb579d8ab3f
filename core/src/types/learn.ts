/**
 * Learning contract (issue 12): a learner hands a `TrainablePolicy` text batches and an
 * `Objective`; the backend computes logprobs *with gradients* itself, so tensors never cross a
 * plugin boundary. Only plain numbers (logprobs, advantages, values) travel between them.
 */
import type { PluginContext } from './plugin.js';
import type { Policy } from './policy.js';
import type { TrajectoryRecord } from './records.js';
import type { Reward } from './reward.js';
import type { Search, SearchEnv } from './search.js';
import type { Task, TaskSource, TaskSplit } from './task.js';

/** The uniform dataset record (roadmap phase 0) and what offline learners may consume. */
export interface DatasetRecord {
  id?: string;
  prompt: string;
  solution: string;
  reward: number;
  answer?: string;
  meta?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Batches and objectives

/** One training sequence: a prompt and the completion the loss is taken on. */
export interface TrainSequence {
  prompt: string;
  /** Text after the prompt (a step prefix, if any, belongs here). */
  completion: string;
  /**
   * The completion ends the solution: the end-of-sequence token is appended and scored as the
   * completion's last token (default true). False for a completion cut by a stop string or by
   * length (`finishReason` 'stop' / 'length'), so it is not taught to end there.
   */
  eos?: boolean;
}

/**
 * A batch of sequences. Masks (prompt vs completion, padding) are computed by the backend; every
 * per-token array below is aligned with the completion's tokens as the backend counts them
 * (`SequenceLogprobs.logprobs.length`, which includes the eos token when `eos` is true).
 */
export interface TrainBatch {
  sequences: TrainSequence[];
}

/** Per-token logprobs of one sequence's completion under a policy (teacher forcing, no grads). */
export interface SequenceLogprobs {
  /** log p(token | prefix) of each completion token (eos included when `eos`). */
  logprobs: number[];
  /** Sum of `logprobs` (the sequence logprob DPO uses). */
  sum: number;
  tokens: number;
}

/** How per-token losses become one number (TRL's names in brackets). */
export type LossAggregation =
  /** Mean over every completion token of the batch [`bnpo`/`dapo`]; default. */
  | 'token-mean'
  /** Mean over tokens within a sequence, then over sequences [original GRPO]. */
  | 'sequence-mean';

/**
 * Weighted negative log-likelihood (SFT / STaR / rejection sampling): loss =
 * Σ_i w_i · NLL_i / Σ_i w_i·tokens_i with `token-mean` (default), or the mean of per-sequence
 * token means weighted by w_i with `sequence-mean`. Weights default to 1; a weight of 0 drops
 * a sequence.
 */
export interface NllObjective {
  kind: 'nll';
  /** One per sequence, ≥ 0. */
  weights?: number[];
  aggregate?: LossAggregation;
}

/**
 * DPO (Rafailov et al. 2023) on pairs of sequences of the batch: with
 * h = β·[(π_c − ref_c) − (π_r − ref_r)] (sequence logprob sums),
 * `sigmoid` loss = −(1−ε)·logσ(h) − ε·logσ(−h) (ε = labelSmoothing, cDPO),
 * `ipo` loss = (h/β − 1/(2β))² (Azar et al. 2023). Mean over pairs, plus `nllWeight` · the
 * chosen completions' mean per-token NLL.
 * Metrics as TRL logs them: `rewards/chosen`, `rewards/rejected`, `rewards/margins`,
 * `rewards/accuracies` (reward = β·(π − ref)), `logps/chosen`, `logps/rejected`.
 */
export interface DpoObjective {
  kind: 'dpo';
  beta: number;
  /** [0, 0.5): probability that a preference label is flipped (conservative DPO). */
  labelSmoothing?: number;
  loss?: 'sigmoid' | 'ipo';
  /** Indices into `batch.sequences`: [chosen, rejected]. Every pair shares a prompt. */
  pairs: Array<[chosen: number, rejected: number]>;
  /** Reference sequence logprob sum of every sequence of the batch (from `reference().sequenceLogprobs`). */
  refLogprobs: number[];
  /**
   * α ≥ 0: adds α · mean over pairs of the chosen completion's per-token NLL (RPO, Pang et al.
   * 2024 "Iterative Reasoning Preference Optimization"; TRL's `rpo_alpha`). DPO alone lowers the
   * chosen logprob too; the NLL term anchors it. Default 0 (plain DPO).
   */
  nllWeight?: number;
}

/**
 * PPO-clip (Schulman et al. 2017) over completion tokens, ratio r = exp(π − old):
 * policy loss = −min(r·A, clip(r, 1−ε, 1+ε)·A); KL penalty klCoef·k3(π, ref) per token
 * (k3 = exp(ref−π) − (ref−π) − 1, Schulman's unbiased estimator, as TRL's GRPO) when
 * `refLogprobs` are given and klCoef > 0 (put the KL into the rewards instead and pass klCoef 0,
 * as OpenRLHF does by default, if you prefer); value loss vfCoef · ½·max((V−R)², (Vclip−R)²)
 * with V clipped to oldValues ± valueClip, for a backend with a value head (`values`).
 * Metrics: `policy_loss`, `value_loss`, `kl`, `clipfrac`, `approx_kl`, `ratio_mean`, `entropy`.
 */
export interface PpoClipObjective {
  kind: 'ppo-clip';
  /** ε, e.g. 0.2. */
  clip: number;
  klCoef?: number;
  /** Value-loss weight (requires `values`/`returns`); 0 or absent trains no critic. */
  vfCoef?: number;
  /** Clip range of the value prediction around `oldValues` (default: no clipping). */
  valueClip?: number;
  /** Per sequence, per completion token. */
  advantages: number[][];
  /**
   * Per sequence, per token: the behaviour policy's logprobs (from `sequenceLogprobs` before the
   * first update on these samples). Absent: the current logprobs without gradient (ratio 1), the
   * single-update on-policy case; saves the learner a forward pass.
   */
  oldLogprobs?: number[][];
  /** Per sequence, per token: the reference's logprobs, for the KL term. */
  refLogprobs?: number[][];
  /** Per sequence, per token: value targets (GAE returns). */
  returns?: number[][];
  /** Per sequence, per token: the critic's values at rollout time (for value clipping). */
  oldValues?: number[][];
  aggregate?: LossAggregation;
}

/**
 * GRPO (Shao et al. 2024, DeepSeekMath): PPO-clip with one advantage per sequence (group-relative:
 * (r − mean_group)/std_group, computed by the learner), no critic, KL klCoef·k3 to the reference.
 * Metrics: `policy_loss`, `kl`, `clipfrac`, `ratio_mean`.
 */
export interface GrpoObjective {
  kind: 'grpo';
  clip: number;
  klCoef?: number;
  /** One per sequence. */
  advantages: number[];
  /** Per sequence, per token. Absent: the current logprobs without gradient (one update per batch of samples, TRL's default). */
  oldLogprobs?: number[][];
  /** Per sequence, per token (required when klCoef > 0). */
  refLogprobs?: number[][];
  /** Default `sequence-mean` (the paper's 1/|o_i| normalisation). */
  aggregate?: LossAggregation;
}

export type Objective = NllObjective | DpoObjective | PpoClipObjective | GrpoObjective;
export type ObjectiveKind = Objective['kind'];

// ---------------------------------------------------------------------------------------------
// The trainable policy

export type LrSchedule = 'constant' | 'cosine' | 'linear';

/** Optimizer settings (AdamW for policy-tiny). Changing them keeps the optimizer's moments. */
export interface OptimizerSettings {
  /** Peak learning rate. */
  lr: number;
  /** Shape after warmup, over `totalSteps` (default `constant`). */
  schedule: LrSchedule;
  /** Linear warmup steps from 0 (counted from the policy's current step when configured). */
  warmup: number;
  /** Steps the schedule spans, counted from the step it was configured at (cosine / linear decay end there). */
  totalSteps: number;
  /** LR at the end of the decay, as a share of `lr`. */
  minLrRatio: number;
  /** Decoupled weight decay (matrices only). */
  weightDecay: number;
  /** Global gradient-norm clip (0 = none). */
  gradClip: number;
  beta1: number;
  beta2: number;
}

export interface StepOptions {
  /** Use this LR for this step instead of the schedule's. */
  lr?: number;
  /**
   * Split the batch into micro-batches of at most this many sequences and accumulate gradients
   * (one optimizer update; the loss is the same as on the whole batch). Default: backend's choice.
   */
  microBatch?: number;
  signal?: AbortSignal;
}

export interface StepReport {
  /** The objective's value before the update. */
  loss: number;
  /** Objective-specific metrics (see each objective), plus `gradNorm` and `lr`. */
  metrics: Record<string, number>;
  /** Tokens processed (prompt + completion, padding excluded). */
  tokens: number;
  /** Optimizer steps taken so far by this policy (after this one). */
  step: number;
  lr: number;
  gradNorm: number;
  wallMs: number;
}

/** A frozen policy that can also score text: what `reference()` returns (for KL and DPO). */
export interface ScoringPolicy extends Policy {
  /** Completion logprobs of every sequence (teacher forcing, no gradients). */
  sequenceLogprobs(batch: TrainBatch, signal?: AbortSignal): Promise<SequenceLogprobs[]>;
}

export interface SavedCheckpoint {
  /** Directory written; loadable by the backend's `checkpoint` option (policy-tiny: `tiny({ checkpoint })`). */
  dir: string;
  /** Id of the saved weights (the new `Policy.id`). */
  id: string;
}

/**
 * A policy Reasoner can update (policy-tiny). `capabilities.trainable` is true; use
 * `isTrainable(policy)` from @reasoner/core to check. `generate` always uses the latest weights.
 * Every method that changes weights throws a `ReasonerError` rather than leave them broken:
 * a non-finite loss or gradient throws RSN_ERR_TRAIN and the update is not applied.
 */
export interface TrainablePolicy extends ScoringPolicy {
  /** Current weights' id (changes after every applied step). */
  readonly id: string;
  /** One optimizer update of `objective` on `batch`. */
  trainStep(batch: TrainBatch, objective: Objective, opts?: StepOptions): Promise<StepReport>;
  /** Loss and metrics of `objective` on `batch` without updating (validation). */
  evaluateObjective(batch: TrainBatch, objective: Objective, signal?: AbortSignal): Promise<Omit<StepReport, 'step' | 'lr' | 'gradNorm'>>;
  /**
   * Value-head predictions per completion token (the state before each token), for PPO.
   * Absent on backends without a critic. The head is created on first use and trained by
   * `ppo-clip` with vfCoef > 0.
   */
  values?(batch: TrainBatch, signal?: AbortSignal): Promise<number[][]>;
  /** A frozen copy of the current weights (does not change when this policy trains). Close it when done. */
  reference(): Promise<ScoringPolicy>;
  /** Writes a checkpoint with optimizer state (and value head); reloading it continues identically. */
  save(dir: string): Promise<SavedCheckpoint>;
  /** Replaces weights (and optimizer state, when saved) with the checkpoint in `dir`. */
  load(dir: string): Promise<void>;
  /** Current optimizer settings and step count. */
  optimizer(): OptimizerSettings & { step: number };
  /** Changes optimizer settings (partial); moments are kept. */
  configure(settings: Partial<OptimizerSettings>): void;
  /** Approximate trainable parameter count (for logs). */
  readonly parameters?: number;
  /** Longest training sequence, when bounded: `countTokens(prompt + completion)` may be at most this. */
  readonly contextLength?: number;
}

// ---------------------------------------------------------------------------------------------
// Learners

export interface RolloutOptions {
  /** Search to run (default: `env.search`). */
  search?: Search;
  /** Policy to sample from (default: `env.policy`, current weights). */
  policy?: Policy;
  /** Tasks searched at once (default: the run's concurrency). */
  concurrency?: number;
  /** Candidates kept per record (default: the run's `keep.candidates`). */
  keepCandidates?: number;
  signal?: AbortSignal;
}

/** What a learner gets: services wired by the kernel, budget, and a way to sample. */
export interface LearnEnv {
  /** The configured task source; learners draw training tasks from `trainSplit`. */
  readonly tasks: TaskSource;
  /** Split to learn on (default 'train'); evaluation uses a held-out one. */
  readonly trainSplit: TaskSplit;
  readonly policy: TrainablePolicy;
  /** The reward that guides search and scores rollouts. */
  readonly reward: Reward;
  /** Decides `correct` (the task's checker, or an outcome reward against gold). */
  readonly grader: { grade(task: Task, solution: string, signal?: AbortSignal): Promise<{ correct: boolean; answer?: string }> };
  readonly search: Search;
  readonly hooks: SearchEnv['hooks'];
  /** Run budget (tokens of rollouts + training, calls, ms). */
  readonly budget: SearchEnv['budget'];
  readonly rng: SearchEnv['rng'];
  readonly signal: AbortSignal;
  readonly logger: PluginContext['logger'];
  /** Where the learner writes checkpoints and its data (a folder of the run). */
  readonly outDir: string;
  /** Offline data, when the learner is run on records (a run's trajectories or a JSONL file). */
  readonly records?: readonly TrajectoryRecord[];
  readonly dataset?: readonly DatasetRecord[];
  /** Searches `tasks` with the current policy through the kernel (hooks, budget, grader apply). */
  rollout(tasks: Task[], opts?: RolloutOptions): Promise<TrajectoryRecord[]>;
}

export interface LearnReport {
  /** Directory of the new checkpoint (from `TrainablePolicy.save`), if one was written. */
  checkpoint?: string;
  steps: number;
  /** Final / mean metrics (loss, tokensPerSec, objective metrics …). */
  metrics: Record<string, number>;
  /** Training tokens processed. */
  tokens?: number;
  wallMs?: number;
}

export interface Learner {
  readonly name: string;
  /**
   * The learner samples its own data through `env.rollout` (PPO, GRPO) and ignores records:
   * `iterate` then runs no search of its own for a round.
   */
  readonly online?: boolean;
  learn(env: LearnEnv): Promise<LearnReport>;
}

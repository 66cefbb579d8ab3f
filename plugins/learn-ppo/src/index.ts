/**
 * @reasoner/plugin-learn-ppo — online RL for trainable policies:
 * - `algorithm: 'grpo'` (Shao et al. 2024): a group of samples per prompt, group-relative
 *   advantages, no critic, k3 KL to the frozen start policy;
 * - `algorithm: 'ppo'` (Schulman et al. 2017, as TRL / OpenRLHF): a value head, token-level
 *   rewards (outcome on the last token, process rewards at step ends, −β·KL per token), GAE,
 *   whitened advantages, clipped policy and value losses.
 * Samples come from `env.rollout` with a plain sampler, so hooks, budget and the grader apply.
 */
import path from 'node:path';
import { ReasonerError, definePlugin, drawTasks, isReasonerError, nothingToLearn, requireTrainable, samplerSearch, saveOrFail } from '@reasoner/core';
import type { LearnEnv, LearnReport, Learner, LrSchedule, Objective, ScoringPolicy, StepReport, Task, TrainBatch, TrainSequence, TrainablePolicy } from '@reasoner/core';
import { gae, groupAdvantages, meanKl, processAdvantages, tokenRewards, whiten } from './advantages.js';

export { gae, groupAdvantages, meanKl, processAdvantages, tokenRewards, whiten, klK1, klK3, stepEndsByLine } from './advantages.js';
/** Moved to core (learn-sft samples greedily with it too); re-exported for existing imports. */
export { samplerSearch } from '@reasoner/core';

export interface PpoOptions {
  algorithm: 'grpo' | 'ppo';
  /** Rollout → update rounds per `learn` call. */
  iterations: number;
  promptsPerIteration: number;
  /** Samples per prompt (GRPO's group; PPO samples as many). */
  groupSize: number;
  temperature: number;
  maxTokens?: number;
  clip: number;
  /** GRPO: weight of the k3 KL term in the loss. PPO: weight of the per-token −KL in the rewards. */
  klCoef: number;
  /** Optimisation passes over each rollout batch (μ). */
  updatesPerBatch: number;
  /** Sequences per optimizer step (0 = the whole rollout batch in one step). */
  miniBatch: number;
  lr: number;
  schedule: LrSchedule;
  warmup: number;
  /** GRPO: divide by the group's std (false = Dr. GRPO, mean baseline only). */
  scaleRewards: boolean;
  gamma: number;
  lambda: number;
  vfCoef: number;
  valueClip: number;
  /**
   * Weight of process rewards (reward.scoreSteps); 0 = outcome only. PPO: placed at step ends as
   * token rewards. GRPO: process supervision as DeepSeekMath (group-normalised step scores summed
   * from each token's step on), added to the outcome advantage.
   */
  processCoef: number;
  /**
   * Subtracted from the reward of a completion cut at the token limit (TRL's
   * `missing_eos_penalty`): rambling until the cut costs more than a wrong answer. 0 = off.
   */
  missingEosPenalty: number;
}

export const ppoDefaults: PpoOptions = {
  algorithm: 'grpo', iterations: 40, promptsPerIteration: 16, groupSize: 16, temperature: 0.8, clip: 0.2, klCoef: 0.04,
  updatesPerBatch: 1, miniBatch: 0, lr: 1e-4, schedule: 'constant', warmup: 0, scaleRewards: true,
  gamma: 1, lambda: 0.95, vfCoef: 0.5, valueClip: 0.2, processCoef: 0, missingEosPenalty: 0,
};

interface Sample { seq: TrainSequence; task: Task; reward: number; correct: boolean; group: number }

/** Char index of a completion → token index, for any tokenizer (exact for a char-level one with eos). */
const tokenAt = (charIdx: number, chars: number, tokens: number): number =>
  tokens === chars + 1 || tokens === chars ? Math.min(tokens - 1, charIdx) : Math.min(tokens - 1, Math.floor((charIdx * tokens) / Math.max(1, chars)));

/** Process scores of a completion (reward.scoreSteps over its lines) and the last token of each step. */
async function stepScores(env: LearnEnv, task: Task, text: string, tokens: number): Promise<{ scores: number[]; stepEnds: number[] } | undefined> {
  if (!env.reward.scoreSteps) return undefined;
  const steps: string[] = [], ends: number[] = [];
  let pos = 0;
  for (const l of text.split('\n')) {
    pos += l.length;
    if (l.trim()) { steps.push(l); ends.push(tokenAt(Math.min(pos, text.length - 1), text.length, tokens)); }
    pos += 1;
  }
  if (!steps.length) return undefined;
  return { scores: await env.reward.scoreSteps(task, steps, env.signal), stepEnds: ends };
}

/** Process rewards as PPO token rewards: coef·(s_i − s_{i−1}) at step i's end (s_{−1} = 1): a dead end costs once. */
async function processRewards(env: LearnEnv, s: Sample, tokens: number, coef: number): Promise<{ steps: number[]; stepEnds: number[] } | undefined> {
  if (!coef) return undefined;
  const sc = await stepScores(env, s.task, s.seq.completion, tokens);
  return sc && { steps: sc.scores.map((x, i) => x - (i ? sc.scores[i - 1]! : 1)), stepEnds: sc.stepEnds };
}

/**
 * GRPO token advantages with process supervision: the group's outcome advantage on every token
 * plus coef × the DeepSeekMath process advantage (normalised step scores, summed from each
 * token's step to the end). Completions without steps get the outcome part only.
 */
async function groupProcessAdvantages(env: LearnEnv, task: Task, texts: readonly string[], tokens: readonly number[], outcome: readonly number[], coef: number, scale: boolean): Promise<number[][]> {
  const sc = await Promise.all(texts.map((t, i) => stepScores(env, task, t, tokens[i]!)));
  const proc = processAdvantages(sc.map((x) => x?.scores ?? []), sc.map((x) => x?.stepEnds ?? []), tokens, { scale });
  return proc.map((row, i) => row.map((p) => outcome[i]! + coef * p));
}

export function createPpoLearner(options: Partial<PpoOptions> = {}): Learner {
  const o: PpoOptions = { ...ppoDefaults, ...options };
  const name = `learn-ppo(${o.algorithm})`;
  if (o.algorithm === 'grpo' && o.groupSize < 2) throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', `GRPO needs groupSize ≥ 2 (got ${o.groupSize}): advantages are relative to the group`, { plugin: 'learn-ppo' });
  return {
    name,
    online: true,
    async learn(env: LearnEnv): Promise<LearnReport> {
      const policy: TrainablePolicy = requireTrainable(env.policy, name);
      if (o.algorithm === 'ppo' && typeof policy.values !== 'function') {
        throw new ReasonerError('RSN_ERR_NOT_TRAINABLE', `${name}: policy ${policy.id} has no value head (values()), which PPO's critic needs`, { plugin: 'learn-ppo', hint: 'use algorithm: "grpo" (no critic), or a backend with a value head (policy-tiny)' });
      }
      if (env.records?.length || env.dataset?.length) env.logger.info(`${name} learns online: the given records are not used (use learn-sft or learn-dpo for offline data)`);
      const t0 = Date.now();
      const all = await drawTasks(env.tasks, env.trainSplit, o.iterations * o.promptsPerIteration, env.rng.fork('tasks'), o.iterations * o.promptsPerIteration * 2);
      if (all.length === 0) throw nothingToLearn(name, `task source "${env.tasks.name}" has no ${env.trainSplit} tasks`, 'configure a task source with a training split');
      policy.configure({ lr: o.lr, schedule: o.schedule, warmup: o.warmup, totalSteps: o.iterations * o.updatesPerBatch * Math.max(1, o.miniBatch ? Math.ceil((o.promptsPerIteration * o.groupSize) / o.miniBatch) : 1) });
      const ref: ScoringPolicy = await policy.reference();
      const sums: Record<string, number> = {};
      let steps = 0, tokens = 0, trainMs = 0, failure: ReasonerError | undefined;
      let first: { reward: number; correct: number } | undefined, lastIt: { reward: number; correct: number; kl: number } | undefined;
      let zeroGroups = 0, groupsSeen = 0;
      const groupProcess = o.algorithm === 'grpo' && o.processCoef > 0 && typeof env.reward.scoreSteps === 'function';
      if (o.algorithm === 'grpo' && o.processCoef > 0 && !groupProcess) env.logger.warn(`${name}: processCoef ignored: the reward has no scoreSteps (process scores)`);
      let lastBatch: { batch: TrainBatch; refLp: number[][] } | undefined;
      const step = async (batch: TrainBatch, objective: Objective): Promise<StepReport | undefined> => {
        const s0 = Date.now();
        try {
          const r = await policy.trainStep(batch, objective, { signal: env.signal });
          trainMs += Date.now() - s0;
          steps++; tokens += r.tokens;
          sums.loss = (sums.loss ?? 0) + r.loss;
          for (const [k, v] of Object.entries(r.metrics)) if (Number.isFinite(v)) sums[k] = (sums[k] ?? 0) + v;
          await env.hooks.learnStep.promise({ step: r.step, loss: r.loss, lr: r.lr, metrics: { ...r.metrics, tokensPerSec: (tokens / Math.max(1, trainMs)) * 1000 } });
          return r;
        } catch (e) {
          if (isReasonerError(e) && e.code === 'RSN_ERR_TRAIN') { failure = e; return undefined; }
          throw e;
        }
      };
      try {
        for (let it = 0; it < o.iterations && !failure; it++) {
          if (env.signal.aborted || env.budget.exhausted()) break;
          const tasks = all.slice(it * o.promptsPerIteration, (it + 1) * o.promptsPerIteration);
          if (!tasks.length) break;
          const byId = new Map(tasks.map((t) => [t.id, t]));
          const records = await env.rollout(tasks, { search: samplerSearch(o.groupSize, o.temperature, o.maxTokens), keepCandidates: o.groupSize });
          const samples: Sample[] = [];
          let advs: number[] = [];
          records.forEach((r, gi) => {
            const task = byId.get(r.taskId);
            if (r.error || !task || !r.candidates?.length) return;
            const rewards = r.candidates.map((c) => (c.reward ?? (c.correct ? 1 : 0)) - (c.truncated ? o.missingEosPenalty : 0));
            const a = groupAdvantages(rewards, { scale: o.scaleRewards });
            groupsSeen++;
            // No outcome signal in this group (process scores may still rank its samples).
            if (o.algorithm === 'grpo' && a.every((x) => x === 0)) { zeroGroups++; if (!groupProcess) return; }
            r.candidates.forEach((c, i) => {
              // A completion cut at the token limit is scored without an end token it never sampled.
              samples.push({ seq: { prompt: r.prompt, completion: c.text, eos: c.truncated !== true }, task, reward: rewards[i]!, correct: c.correct, group: gi });
              advs.push(a[i]!);
            });
          });
          const allRewards = records.flatMap((r) => (r.candidates ?? []).map((c) => c.reward ?? (c.correct ? 1 : 0)));
          const allCorrect = records.flatMap((r) => (r.candidates ?? []).map((c) => (c.correct ? 1 : 0)));
          const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
          const itStats = { reward: meanOf(allRewards), correct: meanOf(allCorrect) };
          first ??= itStats;
          if (samples.length === 0) { lastIt = { ...itStats, kl: lastIt?.kl ?? 0 }; continue; }
          const batch: TrainBatch = { sequences: samples.map((s) => s.seq) };
          // One on-policy update per batch (GRPO's default): the backend uses its own detached
          // logprobs as the old ones, which saves a forward pass; PPO needs them for its rewards.
          const onPolicy = o.algorithm === 'grpo' && o.updatesPerBatch === 1 && (o.miniBatch === 0 || o.miniBatch >= samples.length);
          const refLp = (await ref.sequenceLogprobs(batch, env.signal)).map((x) => x.logprobs);
          const old = onPolicy ? undefined : (await policy.sequenceLogprobs(batch, env.signal)).map((x) => x.logprobs);
          const kl = old ? meanOf(old.map((l, i) => meanKl(l, refLp[i]!, 'k3'))) : NaN;
          lastIt = { ...itStats, kl };
          lastBatch = { batch, refLp };
          let objectiveFor: (idx: number[]) => Objective;
          if (groupProcess) {
            const tokAdv: number[][] = new Array(samples.length);
            const byGroup = new Map<number, number[]>();
            samples.forEach((x, i) => { const g = byGroup.get(x.group); if (g) g.push(i); else byGroup.set(x.group, [i]); });
            for (const idx of byGroup.values()) {
              const rows = await groupProcessAdvantages(env, samples[idx[0]!]!.task, idx.map((i) => samples[i]!.seq.completion), idx.map((i) => refLp[i]!.length), idx.map((i) => advs[i]!), o.processCoef, o.scaleRewards);
              idx.forEach((i, k) => { tokAdv[i] = rows[k]!; });
            }
            objectiveFor = (idx) => ({ kind: 'ppo-clip', clip: o.clip, klCoef: o.klCoef, aggregate: 'sequence-mean', advantages: idx.map((i) => tokAdv[i]!), ...(old ? { oldLogprobs: idx.map((i) => old[i]!) } : {}), refLogprobs: idx.map((i) => refLp[i]!) });
          } else if (o.algorithm === 'grpo') {
            objectiveFor = (idx) => ({ kind: 'grpo', clip: o.clip, klCoef: o.klCoef, advantages: idx.map((i) => advs[i]!), ...(old ? { oldLogprobs: idx.map((i) => old[i]!) } : {}), refLogprobs: idx.map((i) => refLp[i]!) });
          } else {
            const oldP = old!;
            const values = await policy.values!(batch, env.signal);
            const perTok: number[][] = [], rets: number[][] = [];
            for (let i = 0; i < samples.length; i++) {
              const T = oldP[i]!.length;
              const pr = await processRewards(env, samples[i]!, T, o.processCoef);
              const r = tokenRewards({ tokens: T, outcome: samples[i]!.reward, klCoef: o.klCoef, logp: oldP[i], refLogp: refLp[i], ...(pr ? { steps: pr.steps, stepEnds: pr.stepEnds, processCoef: o.processCoef } : {}) });
              const g = gae(r, values[i]!.slice(0, T), o.gamma, o.lambda);
              perTok.push(g.advantages);
              rets.push(g.returns);
            }
            // Whiten over every token of the batch (as TRL/OpenRLHF), then cut back into sequences.
            const flat = whiten(perTok.flat());
            let k = 0;
            const white = perTok.map((row) => row.map(() => flat[k++]!));
            advs = [];
            objectiveFor = (idx) => ({ kind: 'ppo-clip', clip: o.clip, klCoef: 0, vfCoef: o.vfCoef, valueClip: o.valueClip,
              advantages: idx.map((i) => white[i]!), oldLogprobs: idx.map((i) => oldP[i]!), returns: idx.map((i) => rets[i]!), oldValues: idx.map((i) => values[i]!.slice(0, oldP[i]!.length)) });
          }
          const order = samples.map((_, i) => i);
          const mb = o.miniBatch > 0 ? o.miniBatch : order.length;
          for (let u = 0; u < o.updatesPerBatch && !failure; u++) {
            const rng = env.rng.fork(`it${it}:u${u}`);
            for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
            for (let s = 0; s < order.length && !failure; s += mb) {
              const idx = order.slice(s, s + mb);
              const r = await step({ sequences: idx.map((i) => samples[i]!.seq) }, objectiveFor(idx));
              if (r && !old && Number.isFinite(r.metrics.kl) && lastIt) lastIt.kl = r.metrics.kl!;
            }
          }
          await env.hooks.learnEpoch.promise({ epoch: it + 1, metrics: { reward: itStats.reward, correct: itStats.correct, kl: lastIt?.kl ?? kl, samples: samples.length } });
          env.logger.debug(`${name} iteration ${it + 1}: reward ${itStats.reward.toFixed(3)}, kl ${kl.toFixed(4)}, ${samples.length} samples`);
        }
        // KL of the final weights to the start, on the last rollout batch (after its updates).
        if (lastBatch && steps > 0) {
          const now = (await policy.sequenceLogprobs(lastBatch.batch, env.signal)).map((x) => x.logprobs);
          const kls = now.map((l, i) => meanKl(l, lastBatch!.refLp[i]!, 'k3'));
          if (lastIt) lastIt.kl = kls.reduce((a, b) => a + b, 0) / Math.max(1, kls.length);
        }
      } finally {
        await ref.close?.();
      }
      if (steps === 0 && !failure) throw nothingToLearn(name, `no group had a reward signal (${zeroGroups} of ${groupsSeen} groups were all right or all wrong)`, 'use tasks the policy sometimes solves, a larger groupSize, or a higher temperature');
      const saved = steps > 0 || failure ? await saveOrFail(policy, path.join(env.outDir, 'checkpoint'), { steps, error: failure }, name) : undefined;
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(sums)) metrics[k] = steps ? v / steps : NaN;
      Object.assign(metrics, {
        tokensPerSec: trainMs ? (tokens / trainMs) * 1000 : 0, trainMs,
        rewardFirst: first?.reward ?? NaN, rewardLast: lastIt?.reward ?? NaN, correctFirst: first?.correct ?? NaN, correctLast: lastIt?.correct ?? NaN,
        klToStart: lastIt?.kl ?? NaN, zeroSignalGroups: zeroGroups, groups: groupsSeen,
      });
      return { checkpoint: saved?.dir, steps, tokens, wallMs: Date.now() - t0, metrics };
    },
  };
}

export default definePlugin<PpoOptions, 'learn'>({
  name: 'learn-ppo',
  kind: 'learn',
  apiVersion: 1,
  description: 'Online PPO (value head, GAE, clipped objective, KL) and GRPO (group-relative advantages, KL to the start)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      algorithm: { enum: ['grpo', 'ppo'], default: ppoDefaults.algorithm },
      iterations: { type: 'integer', minimum: 1, default: ppoDefaults.iterations },
      promptsPerIteration: { type: 'integer', minimum: 1, default: ppoDefaults.promptsPerIteration },
      groupSize: { type: 'integer', minimum: 1, default: ppoDefaults.groupSize },
      temperature: { type: 'number', exclusiveMinimum: 0, default: ppoDefaults.temperature },
      maxTokens: { type: 'integer', minimum: 1 },
      clip: { type: 'number', exclusiveMinimum: 0, default: ppoDefaults.clip },
      klCoef: { type: 'number', minimum: 0, default: ppoDefaults.klCoef },
      updatesPerBatch: { type: 'integer', minimum: 1, default: ppoDefaults.updatesPerBatch },
      miniBatch: { type: 'integer', minimum: 0, default: ppoDefaults.miniBatch },
      lr: { type: 'number', exclusiveMinimum: 0, default: ppoDefaults.lr },
      schedule: { enum: ['constant', 'cosine', 'linear'], default: ppoDefaults.schedule },
      warmup: { type: 'integer', minimum: 0, default: ppoDefaults.warmup },
      scaleRewards: { type: 'boolean', default: ppoDefaults.scaleRewards },
      gamma: { type: 'number', minimum: 0, maximum: 1, default: ppoDefaults.gamma },
      lambda: { type: 'number', minimum: 0, maximum: 1, default: ppoDefaults.lambda },
      vfCoef: { type: 'number', minimum: 0, default: ppoDefaults.vfCoef },
      valueClip: { type: 'number', exclusiveMinimum: 0, default: ppoDefaults.valueClip },
      processCoef: { type: 'number', minimum: 0, default: ppoDefaults.processCoef },
      missingEosPenalty: { type: 'number', minimum: 0, default: ppoDefaults.missingEosPenalty },
    },
  },
  setup: (_ctx, options) => createPpoLearner(options),
});

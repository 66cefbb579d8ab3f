/**
 * @reasoner/plugin-learn-dpo — DPO (Rafailov et al. 2023) on (correct, incorrect) pairs of one
 * prompt from search data, against a frozen reference; β, label smoothing (cDPO) or IPO. Logs
 * what TRL logs: rewards/chosen, rewards/rejected, rewards/margins, rewards/accuracies.
 */
import path from 'node:path';
import { ReasonerError, definePlugin, fitsContext, loopOptionsSchema, groupStats, learnGroups, nothingToLearn, requireTrainable, saveOrFail, trainLoop } from '@reasoner/core';
import type { LearnEnv, LearnReport, Learner, LoopDefaults, TrainBatch } from '@reasoner/core';
import { buildPairs, type PreferencePair } from './pairs.js';

export { buildPairs } from './pairs.js';
export type { PreferencePair, PairOptions, PairStats } from './pairs.js';

/** The shared loop options (`LoopDefaults`: epochs, batchSize in pairs, lr, schedule, warmup, tasks) plus DPO's own. */
export interface DpoOptions extends LoopDefaults {
  beta: number;
  labelSmoothing: number;
  loss: 'sigmoid' | 'ipo';
  /** RPO's α: + α · per-token NLL of the chosen completion (TRL `rpo_alpha`); 0 is plain DPO. */
  nllWeight: number;
  /** Pairs: correct vs incorrect, reward-ranked, or an incorrect attempt vs its Stream-of-Search repair (`stream`: tasks with `stream`). */
  by: 'correct' | 'reward' | 'stream';
  pairsPerPrompt: number;
  minMargin: number;
  maxSteps?: number;
}

export const dpoDefaults: DpoOptions = {
  beta: 0.1, labelSmoothing: 0, loss: 'sigmoid', nllWeight: 1, by: 'correct', pairsPerPrompt: 4, minMargin: 0.1,
  epochs: 2, batchSize: 16, lr: 5e-5, schedule: 'cosine', warmup: 5, tasks: 512,
};

export function createDpoLearner(options: Partial<DpoOptions> = {}): Learner {
  const o: DpoOptions = { ...dpoDefaults, ...options };
  const name = 'learn-dpo';
  if (o.labelSmoothing < 0 || o.labelSmoothing >= 0.5) throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', `labelSmoothing must be in [0, 0.5) (got ${o.labelSmoothing})`, { plugin: name });
  return {
    name,
    async learn(env: LearnEnv): Promise<LearnReport> {
      const policy = requireTrainable(env.policy, name);
      const t0 = Date.now();
      const { groups } = await learnGroups(env, o.tasks, name);
      const gs = groupStats(groups);
      if (o.by === 'stream' && !env.tasks.stream) {
        throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', `${name}: by: "stream" needs a task source that can repair a failed attempt (stream); "${env.tasks.name}" has none`, { plugin: name, hint: 'use by: "correct" or "reward"' });
      }
      const { pairs, stats } = buildPairs(groups, { ...o, stream: env.tasks.stream?.bind(env.tasks), fits: fitsContext(policy) });
      if (pairs.length === 0) {
        const why = stats.identical > 0 && gs.mixed === 0 ? `all ${stats.identical} candidate pairs have identical chosen and rejected text`
          : gs.solved === 0 ? `none of the ${gs.candidates} candidates of ${gs.prompts} prompts is correct`
          : gs.mixed === 0 ? `no prompt has both a correct and an incorrect candidate (${gs.solved} of ${gs.prompts} all correct)`
          : `no pair passed the filters (${stats.identical} identical)`;
        throw nothingToLearn(name, why, 'DPO needs a correct and an incorrect answer to the same prompt: sample more candidates per prompt (search n ≥ 8) at a temperature > 0');
      }
      env.logger.info(`${name}: ${pairs.length} pairs from ${stats.promptsWithPairs} prompts (${stats.identical} identical pairs refused)`);
      const ref = await env.policy.reference();
      const seqs = (ps: PreferencePair[]): TrainBatch => ({
        sequences: ps.flatMap((p) => [{ prompt: p.prompt, completion: p.chosen, eos: true }, { prompt: p.prompt, completion: p.rejected, eos: p.rejectedTruncated !== true }]),
      });
      let loop;
      try {
        loop = await trainLoop({ ...env, policy }, {
          items: pairs, batchSize: o.batchSize, epochs: o.epochs, maxSteps: o.maxSteps, rng: env.rng.fork('batches'),
          optimizer: { lr: o.lr, schedule: o.schedule, warmup: o.warmup },
          build: async (ps) => {
            const batch = seqs(ps);
            // The reference is frozen: its logprobs of a pair never change, so one pass per batch.
            const refLogprobs = (await ref.sequenceLogprobs(batch, env.signal)).map((s) => s.sum);
            return { batch, objective: { kind: 'dpo', beta: o.beta, labelSmoothing: o.labelSmoothing, loss: o.loss, nllWeight: o.nllWeight, pairs: ps.map((_, i) => [2 * i, 2 * i + 1] as [number, number]), refLogprobs } };
          },
        });
      } finally {
        await ref.close?.();
      }
      // A failed first step still ends in RSN_ERR_TRAIN (with the unchanged weights saved), not a silent 0-step success.
      const saved = loop.steps > 0 || loop.error ? await saveOrFail(policy, path.join(env.outDir, 'checkpoint'), loop, name) : undefined;
      return {
        checkpoint: saved?.dir, steps: loop.steps, tokens: loop.tokens, wallMs: Date.now() - t0,
        metrics: { ...loop.metrics, pairs: pairs.length, identicalRefused: stats.identical, promptsWithPairs: stats.promptsWithPairs, prompts: gs.prompts, trainMs: loop.trainMs },
      };
    },
  };
}

export default definePlugin<DpoOptions, 'learn'>({
  name: 'learn-dpo',
  kind: 'learn',
  apiVersion: 1,
  description: 'DPO / cDPO / IPO on correct-vs-incorrect pairs from search data, frozen reference',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      beta: { type: 'number', exclusiveMinimum: 0, default: dpoDefaults.beta },
      labelSmoothing: { type: 'number', minimum: 0, exclusiveMaximum: 0.5, default: dpoDefaults.labelSmoothing },
      loss: { enum: ['sigmoid', 'ipo'], default: dpoDefaults.loss },
      nllWeight: { type: 'number', minimum: 0, default: dpoDefaults.nllWeight },
      by: { enum: ['correct', 'reward', 'stream'], default: dpoDefaults.by },
      pairsPerPrompt: { type: 'integer', minimum: 1, default: dpoDefaults.pairsPerPrompt },
      minMargin: { type: 'number', minimum: 0, default: dpoDefaults.minMargin },
      ...loopOptionsSchema(dpoDefaults),
    },
  },
  setup: (_ctx, options) => createDpoLearner(options),
});

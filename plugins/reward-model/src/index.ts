/**
 * @reasoner/plugin-reward-model — learned rewards for search without a checker: a process reward
 * model (PRM) trained from Monte-Carlo rollouts, an outcome / Bradley–Terry model, and a client
 * for a remote reward service (OpenRLHF protocol). None reads the gold answer (`needsGold: false`).
 */
import { isAbsolute, resolve } from 'node:path';
import { definePlugin, lineSteps, ReasonerError, type Reward, type Task } from '@reasoner/core';
import { DEFAULT_REWARD_CHECKPOINT } from './checkpoint.js';
import { RewardModel } from './model.js';
import { remoteRewards } from './remote.js';
import { trainRewardCommand } from './train-command.js';

export { RewardModel } from './model.js';
export { monteCarloLabels, type StepExample, type LabelOptions } from './label.js';
export { trainRewardHead, evaluateHead, splitByTask } from './train.js';
export { trainRewardModel } from './pipeline.js';
export { remoteRewards, type RemoteOptions } from './remote.js';
export { auc, pearson } from './metrics.js';
export { DEFAULT_REWARD_CHECKPOINT, loadRewardCheckpoint, saveRewardCheckpoint, type RewardCheckpoint, type RewardModelKind } from './checkpoint.js';

export type Aggregate = 'min' | 'last' | 'mean' | 'prod';

export interface RewardModelOptions {
  /** A reward-model folder (relative to the config); default: the shipped countdown PRM. */
  checkpoint?: string;
  /** How step scores make a solution's score. `min`: a solution is as good as its worst step. */
  aggregate: Aggregate;
  /** Score with a remote reward service instead (OpenRLHF protocol). */
  remote?: { url: string; headers?: Record<string, string>; timeoutMs?: number; batch?: number };
}

export function aggregateScores(scores: number[], how: Aggregate): number {
  if (scores.length === 0) return 0;
  switch (how) {
    case 'min': return Math.min(...scores);
    case 'last': return scores[scores.length - 1]!;
    case 'mean': return scores.reduce((a, b) => a + b, 0) / scores.length;
    case 'prod': return scores.reduce((a, b) => a * b, 1);
  }
}

export default definePlugin<RewardModelOptions, 'reward'>({
  name: 'reward-model',
  kind: 'reward',
  apiVersion: 1,
  description: 'Learned process / outcome / preference rewards (no gold answer needed), or a remote reward service',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      checkpoint: { type: 'string', minLength: 1 },
      aggregate: { enum: ['min', 'last', 'mean', 'prod'], default: 'min' },
      remote: {
        type: 'object', additionalProperties: false, required: ['url'],
        properties: {
          url: { type: 'string', pattern: '^https?://' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          timeoutMs: { type: 'integer', minimum: 1 },
          batch: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
  commands: [trainRewardCommand],
  async setup(ctx, o): Promise<Reward> {
    const aggregate = o.aggregate ?? 'min';
    const steps = ctx.service('task')?.stepFormat ?? lineSteps;
    if (o.remote) {
      const remote = o.remote;
      return {
        kind: 'outcome',
        needsGold: false,
        async score(task, solution, signal) {
          const [value] = await remoteRewards(remote, [{ task, text: solution }], signal);
          return { value: value! };
        },
      };
    }
    const dir = o.checkpoint ? (isAbsolute(o.checkpoint) ? o.checkpoint : resolve(ctx.configDir, o.checkpoint)) : DEFAULT_REWARD_CHECKPOINT;
    const model = await RewardModel.load(dir);
    const scoreSteps = async (task: Task, parts: string[]): Promise<number[]> => {
      if (parts.length === 0) return [];
      try {
        return model.scoreSteps([{ prompt: task.prompt, steps: parts }])[0]!;
      } catch (e) {
        if ((e as { code?: string }).code === 'RSN_ERR_VOCAB') {
          throw new ReasonerError('RSN_ERR_VOCAB', `reward model ${dir} cannot read this text: ${(e as Error).message}`, { hint: 'a reward model reads only what its base policy\'s tokenizer knows; train one for this task' });
        }
        throw e;
      }
    };
    return {
      kind: model.ckpt.kind === 'prm' ? 'process' : model.ckpt.kind === 'bt' ? 'preference' : 'outcome',
      needsGold: false,
      async score(task, solution) {
        const per = await scoreSteps(task, steps.split(solution));
        return { value: aggregateScores(per, aggregate), steps: per, detail: { model: model.ckpt.baseId, aggregate } };
      },
      scoreSteps: (task, parts) => scoreSteps(task, parts),
      close: () => model.dispose(),
    };
  },
});

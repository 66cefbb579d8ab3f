/**
 * A remote reward model in OpenRLHF's protocol (`--remote_rm_url http://host:port/get_reward`):
 * POST { query: [prompt+response, …], prompts?: [prompt, …], labels?: [gold, …] } →
 * { rewards: [r, …], scores: [r, …], extra_logs: { correct: [0|1, …] } }. The response is the
 * query minus its prompt when `prompts` is given; `labels` become the tasks' gold answers. Scores
 * come from the served reward (the config's reward plugin, else the task source's checker).
 */
import type { FastifyInstance } from 'fastify';
import { isReasonerError, runReward, type Task } from '@reasoner/core';
import type { ServerContext } from '../context.js';
import { HttpError } from '../openai-errors.js';
import { rewardSchema } from './schemas.js';

interface RewardBody {
  query: string[];
  prompts?: string[];
  labels?: Array<string | null>;
}

export function rewardRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const reward = runReward(ctx.kernel);
  const handler = async (req: { body: RewardBody; workSignal: AbortSignal; id: string }) => {
    const { query, prompts, labels } = req.body;
    if (prompts && prompts.length !== query.length) throw new HttpError(400, `prompts has ${prompts.length} items, query has ${query.length}: give one prompt per query`, 'invalid_request_error', 'invalid_value', 'prompts');
    if (labels && labels.length !== query.length) throw new HttpError(400, `labels has ${labels.length} items, query has ${query.length}: give one label per query`, 'invalid_request_error', 'invalid_value', 'labels');
    const results = await Promise.all(query.map(async (q, i) => {
      const prompt = prompts?.[i] ?? '';
      const response = prompt && q.startsWith(prompt) ? q.slice(prompt.length) : q;
      const task: Task = { id: `${req.id}-r${i}`, prompt, answer: labels?.[i] ?? undefined };
      const hooks = ctx.kernel.hooks;
      const text = await hooks.beforeReward.promise(response, task);
      let r;
      try {
        r = await reward.score(task, text, req.workSignal);
      } catch (e) {
        // The task is built from the request: a reward that cannot read it is the request's fault.
        if (isReasonerError(e) && e.code === 'RSN_ERR_TASK') throw new HttpError(400, `query ${i}: ${e.message}${e.context.hint ? ` (fix: ${e.context.hint})` : ''}`, 'invalid_request_error', 'RSN_ERR_TASK', prompts ? `prompts[${i}]` : 'query');
        throw e;
      }
      return hooks.afterReward.promise(r, text, task);
    }));
    const rewards = results.map((r) => r.value);
    return { rewards, scores: rewards, extra_logs: { correct: results.map((r) => (r.correct ? 1 : 0)) } };
  };
  app.post<{ Body: RewardBody }>('/get_reward', { schema: { body: rewardSchema } }, (req) => handler(req));
  app.post<{ Body: RewardBody }>('/v1/reward', { schema: { body: rewardSchema } }, (req) => handler(req));
}

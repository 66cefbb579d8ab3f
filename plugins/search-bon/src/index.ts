import { defineOptions, definePlugin, isReasonerError, ReasonerError, rewardAnswer, type Candidate, type OptionsOf, type Search, type Usage } from '@reasoner/core';
import { selectBest, type Selection } from './select.js';

export { selectBest, type Selection } from './select.js';

/** Options, written once: the TypeScript type below is derived from this schema (defaults included). */
export const bonOptionsSchema = defineOptions({
  type: 'object',
  additionalProperties: false,
  properties: {
    n: { type: 'integer', minimum: 1, maximum: 4096, default: 8, description: 'samples per task' },
    select: { enum: ['reward', 'majority', 'weighted-majority', 'first'], default: 'majority', description: 'how the best sample is chosen' },
    temperature: { type: 'number', minimum: 0, maximum: 10, default: 1 },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1 },
    maxTokens: { type: 'integer', minimum: 1 },
    batch: { type: 'integer', minimum: 1, default: 64, description: 'samples per policy call (the rest of n comes in further calls)' },
  },
});

export type BonOptions = OptionsOf<typeof bonOptionsSchema>;

/**
 * Best-of-N / self-consistency: draw n samples (in batches, stopping early when the budget runs
 * out), score each with the reward, and select one.
 */
export default definePlugin<BonOptions, 'search'>({
  name: 'search-bon',
  kind: 'search',
  apiVersion: 1,
  description: 'Best-of-N sampling with reward, majority-vote or weighted-vote selection',
  optionsSchema: bonOptionsSchema,
  setup(_ctx, o): Search {
    const { n, select, batch } = o;
    return {
      name: `search-bon(${select})`,
      // Majority vote and `first` never look at reward values to choose.
      usesReward: select === 'reward' || select === 'weighted-majority',
      async search({ task, policy, reward, signal, budget, steps }) {
        const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
        const candidates: Candidate[] = [];
        let stoppedByBudget = 0;
        try {
          while (candidates.length < n && !signal.aborted && !budget.exhausted()) {
            const res = await policy.generate({
              prompt: task.prompt, n: Math.min(batch, n - candidates.length),
              temperature: o.temperature, topP: o.topP, maxTokens: o.maxTokens,
            });
            usage.promptTokens += res.usage.promptTokens;
            usage.completionTokens += res.usage.completionTokens;
            usage.calls += res.usage.calls;
            for (const c of res.completions) {
              const r = await reward.score(task, c.text);
              candidates.push({ text: c.text, steps: steps.split(c.text), reward: r, answer: rewardAnswer(r), tokens: c.tokens, logprobs: c.logprobs, truncated: c.finishReason === 'length' });
            }
          }
        } catch (e) {
          if (!(isReasonerError(e) && e.code === 'RSN_ERR_BUDGET_EXHAUSTED') || candidates.length === 0) throw e;
          stoppedByBudget = 1;
        }
        if (candidates.length < n && budget.exhausted()) stoppedByBudget = 1;
        if (candidates.length === 0) throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', 'the budget was exhausted before the first sample', { hint: 'raise run.budget.perTask' });
        const { index, votes } = selectBest(candidates, select);
        const correct = candidates.filter((c) => c.reward?.correct).length;
        return {
          best: candidates[index]!,
          candidates,
          usage,
          stats: { samples: candidates.length, correctSamples: correct, votes: votes ?? 0, stoppedByBudget },
        };
      },
    };
  },
});

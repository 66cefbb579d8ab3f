/**
 * The rollout search of learners: `n` plain samples of a prompt (temperature 0: the policy's
 * greedy answer), each scored by the reward. Run through `env.rollout`, so hooks, budget and the
 * grader apply as in any search (online RL's groups, learn-sft's greedy streams).
 */
import { isReasonerError } from '../errors.js';
import { rewardAnswer } from '../kernel/instrument.js';
import type { Usage } from '../types/policy.js';
import type { Candidate, Search } from '../types/search.js';

export function samplerSearch(n: number, temperature: number, maxTokens?: number): Search {
  return {
    name: `rl-sampler(n=${n})`,
    async search(env) {
      const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
      const candidates: Candidate[] = [];
      const split = (t: string): string[] => (env.steps ? env.steps.split(t) : t.split('\n').filter((s) => s.trim()));
      try {
        while (candidates.length < n && !env.signal.aborted) {
          const res = await env.policy.generate({ prompt: env.task.prompt, n: n - candidates.length, temperature, maxTokens, logprobs: false });
          usage.promptTokens += res.usage.promptTokens;
          usage.completionTokens += res.usage.completionTokens;
          usage.calls += res.usage.calls;
          if (res.completions.length === 0) break;
          for (const c of res.completions) {
            const r = await env.reward.score(env.task, c.text);
            candidates.push({ text: c.text, steps: split(c.text), reward: r, answer: rewardAnswer(r), tokens: c.tokens, truncated: c.finishReason === 'length' });
          }
        }
      } catch (e) {
        if (!(isReasonerError(e) && e.code === 'RSN_ERR_BUDGET_EXHAUSTED') || candidates.length === 0) throw e;
      }
      let best = 0;
      candidates.forEach((c, i) => { if ((c.reward?.value ?? -Infinity) > (candidates[best]!.reward?.value ?? -Infinity)) best = i; });
      return { best: candidates[best]!, candidates, usage, stats: { samples: candidates.length } };
    },
  };
}

import type { Budget } from '../pipeline/budget.js';
import type { GenerateRequest, GenerateResult, Policy } from '../types/policy.js';
import type { Reward, RewardResult } from '../types/reward.js';
import type { Task, TaskSource } from '../types/task.js';
import type { Rng } from '../util/rng.js';
import { ReasonerError } from '../errors.js';
import type { Hooks } from './hooks.js';

export interface InstrumentContext {
  hooks: Hooks;
  task: Task;
  budget: Budget;
  rng: Rng;
  signal: AbortSignal;
}

/**
 * The policy a search sees: before/afterGenerate hooks, budget checks and accounting, a seed
 * per call from the task's RNG, and `n` emulated for backends without native n.
 */
export function instrumentPolicy(policy: Policy, ctx: InstrumentContext): Policy {
  return {
    id: policy.id,
    capabilities: policy.capabilities,
    scoreText: policy.scoreText?.bind(policy),
    async generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
      ctx.budget.check();
      const sig = signal ?? ctx.signal;
      if (sig.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'aborted', {});
      const req = await ctx.hooks.beforeGenerate.promise({ ...request, seed: request.seed ?? ctx.rng.int(2 ** 31) }, ctx.task);
      const n = req.n ?? 1;
      let result: GenerateResult;
      if (n > 1 && !policy.capabilities.nativeN) {
        result = { completions: [], usage: { promptTokens: 0, completionTokens: 0, calls: 0 } };
        for (let i = 0; i < n; i++) {
          const one = await policy.generate({ ...req, n: 1, seed: (req.seed ?? 0) + i }, sig);
          result.completions.push(...one.completions);
          result.usage.promptTokens += one.usage.promptTokens;
          result.usage.completionTokens += one.usage.completionTokens;
          result.usage.calls += one.usage.calls;
        }
      } else {
        result = await policy.generate(req, sig);
      }
      ctx.budget.spend(result.usage.promptTokens + result.usage.completionTokens, result.usage.calls || 1);
      return ctx.hooks.afterGenerate.promise(result, req, ctx.task);
    },
  };
}

/** The reward a search sees: before/afterReward hooks around every score call. */
export function instrumentReward(reward: Reward, ctx: Pick<InstrumentContext, 'hooks' | 'signal'>): Reward {
  return {
    kind: reward.kind,
    async score(task: Task, solution: string, signal?: AbortSignal): Promise<RewardResult> {
      const text = await ctx.hooks.beforeReward.promise(solution, task);
      const result = await reward.score(task, text, signal ?? ctx.signal);
      return ctx.hooks.afterReward.promise(result, text, task);
    },
  };
}

/** Built-in outcome reward from a task source's own checker (synthetic tasks). */
export function verifierReward(source: TaskSource): Reward {
  const verify = source.verify!.bind(source);
  return {
    kind: 'outcome',
    async score(task, solution) {
      const v = await verify(task, solution);
      return { value: v.correct ? 1 : 0, correct: v.correct, steps: v.steps, answer: v.answer, detail: v.detail };
    },
  };
}

/** The final answer a reward result carries, whichever field the reward used. */
export function rewardAnswer(r: RewardResult | undefined | null): string | undefined {
  if (!r) return undefined;
  const d = r.detail as Record<string, unknown> | undefined;
  const a = r.answer ?? d?.extracted ?? d?.answer;
  return a === undefined || a === null ? undefined : String(a);
}

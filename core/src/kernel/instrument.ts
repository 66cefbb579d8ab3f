import { fitRequest, type Budget } from '../pipeline/budget.js';
import type { GenerateRequest, GenerateResult, Policy } from '../types/policy.js';
import type { Grader, Reward, RewardResult } from '../types/reward.js';
import type { StepFormat, Task, TaskSource } from '../types/task.js';
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
 * The policy a search sees: before/afterGenerate hooks, budget reservation and accounting, a seed
 * per call from the task's RNG, and `n` emulated for backends without native n.
 *
 * Budgets are reserved before the call: `n` and then `maxTokens` shrink so that the request's
 * worst case fits what is left (here and in the run), so a budget is never overspent by more
 * than what a policy reports beyond its `maxTokens`. A request that cannot fit even one token
 * throws RSN_ERR_BUDGET_EXHAUSTED (searches should read `budget.remaining()` first).
 */
export function instrumentPolicy(policy: Policy, ctx: InstrumentContext): Policy {
  const count = (text: string): number => policy.countTokens?.(text) ?? text.length;
  return {
    id: policy.id,
    capabilities: policy.capabilities,
    scoreText: policy.scoreText?.bind(policy),
    countTokens: policy.countTokens?.bind(policy),
    defaultMaxTokens: policy.defaultMaxTokens,
    async generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
      ctx.budget.check();
      const sig = signal ?? ctx.signal;
      if (sig.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'aborted', {});
      let req = await ctx.hooks.beforeGenerate.promise({ ...request, seed: request.seed ?? ctx.rng.int(2 ** 31) }, ctx.task);
      const left = ctx.budget.remaining();
      const asked = req.n ?? 1;
      const promptTokens = count(req.prompt + (req.prefix ?? ''));
      const fit = fitRequest(left.tokens, promptTokens, Math.min(asked, left.calls === Infinity || policy.capabilities.nativeN ? asked : left.calls), req.maxTokens, policy.defaultMaxTokens);
      if (!fit) throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `budget exhausted (tokens): ${left.tokens} left, the prompt alone takes ${promptTokens}`, { limit: 'tokens' });
      if (fit.n !== asked || fit.maxTokens !== req.maxTokens) req = { ...req, n: fit.n, maxTokens: fit.maxTokens };
      const n = req.n ?? 1;
      const release = ctx.budget.hold(left.tokens === Infinity ? 0 : n * (promptTokens + (req.maxTokens ?? 0)), policy.capabilities.nativeN ? 1 : n);
      let result: GenerateResult;
      try {
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
      } finally {
        release();
      }
      ctx.budget.spend(result.usage.promptTokens + result.usage.completionTokens, result.usage.calls || 1);
      return ctx.hooks.afterGenerate.promise(result, req, ctx.task);
    },
  };
}

/** The reward a search sees: before/afterReward hooks around every score call. */
export function instrumentReward(reward: Reward, ctx: Pick<InstrumentContext, 'hooks' | 'signal'>): Reward {
  const scoreSteps = reward.scoreSteps?.bind(reward);
  return {
    kind: reward.kind,
    needsGold: rewardNeedsGold(reward),
    async score(task: Task, solution: string, signal?: AbortSignal): Promise<RewardResult> {
      const text = await ctx.hooks.beforeReward.promise(solution, task);
      const result = await reward.score(task, text, signal ?? ctx.signal);
      return ctx.hooks.afterReward.promise(result, text, task);
    },
    ...(scoreSteps ? { scoreSteps: (task: Task, steps: string[], signal?: AbortSignal) => scoreSteps(task, steps, signal ?? ctx.signal) } : {}),
  };
}

/** Whether a reward reads the gold answer (declared, else assumed for outcome rewards). */
export function rewardNeedsGold(reward: Reward): boolean {
  return reward.needsGold ?? reward.kind === 'outcome';
}

/** The default step format: one step per non-empty line. */
export const lineSteps: StepFormat = {
  delimiter: '\n',
  split: (text) => text.split('\n').map((s) => s.trim()).filter(Boolean),
  join: (steps) => steps.join('\n'),
};

/** The step format of a task source (its own, else one step per line). */
export function stepFormatOf(source: TaskSource | undefined): StepFormat {
  return source?.stepFormat ?? lineSteps;
}

/** A grader from a task source's own checker. */
export function verifierGrader(source: TaskSource): Grader {
  const verify = source.verify!.bind(source);
  return {
    name: `${source.name}.verify`,
    async grade(task, solution) {
      const v = await verify(task, solution);
      return { correct: v.correct, answer: v.answer, detail: v.detail };
    },
  };
}

/** A grader from an outcome reward (compared against the gold answer): `correct` of its result. */
export function rewardGrader(reward: Reward, name: string): Grader {
  return {
    name,
    async grade(task, solution, signal) {
      const r = await reward.score(task, solution, signal);
      return { correct: r.correct === true, answer: rewardAnswer(r), detail: r.detail };
    },
  };
}

/**
 * Built-in reward from a task source's own checker (synthetic tasks). Such checkers read only the
 * prompt (Countdown: the numbers and the target), so the reward is fair at test time
 * (`needsGold: false`). With `verifyPartial` it is also a process reward: a step prefix scores 1
 * while every step so far is valid, 0 from the first invalid step on (a dead end).
 */
export function verifierReward(source: TaskSource): Reward {
  const verify = source.verify!.bind(source);
  const partial = source.verifyPartial?.bind(source);
  const reward: Reward = {
    kind: 'outcome',
    needsGold: false,
    async score(task, solution) {
      const v = await verify(task, solution);
      return { value: v.correct ? 1 : 0, correct: v.correct, steps: v.steps, answer: v.answer, detail: v.detail };
    },
  };
  if (partial) {
    return {
      ...reward,
      async scoreSteps(task, steps) {
        // Validity of every step from one check; then whether each valid prefix can still reach a
        // correct answer (a checker may say so: Countdown's `detail.reachable`, from the numbers
        // left), so that element i scores steps[0..i] as the contract says.
        const whole = await partial(task, steps);
        const per = whole.steps ?? [];
        const out: number[] = [];
        let ok = 1;
        for (let i = 0; i < steps.length; i++) {
          if ((per[i] ?? 1) <= 0) ok = 0;
          if (ok) {
            const v = i === steps.length - 1 ? whole : await partial(task, steps.slice(0, i + 1));
            if ((v.detail as { reachable?: boolean } | undefined)?.reachable === false) ok = 0;
          }
          out.push(ok);
        }
        return out;
      },
    };
  }
  return reward;
}

/** The final answer a reward result carries, whichever field the reward used. */
export function rewardAnswer(r: RewardResult | undefined | null): string | undefined {
  if (!r) return undefined;
  const d = r.detail as Record<string, unknown> | undefined;
  const a = r.answer ?? d?.extracted ?? d?.answer;
  return a === undefined || a === null ? undefined : String(a);
}

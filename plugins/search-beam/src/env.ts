/**
 * What the tree searches need from the search environment, and small helpers around it: the
 * step format, token estimates for budget planning, and reward calls that cannot hang.
 */
import { ReasonerError, isReasonerError, lineSteps, type SearchEnv, type StepFormat } from '@reasoner/core';

/** The task's step format (a hand-made env may lack one: then one step per line). */
export function stepFormat(env: SearchEnv): StepFormat {
  return env.steps ?? lineSteps;
}

/** The prefix that makes the policy generate the step after `steps` (empty at the root). */
export function prefixOf(fmt: StepFormat, steps: readonly string[]): string {
  return steps.length ? fmt.join([...steps]) + fmt.delimiter : '';
}

/**
 * Tokens a request for `text` (prompt + prefix) will be charged for, per row. Uses the policy's
 * own count when it has one; else characters + 1 (a BOS token), which is exact for the
 * character-level tiny policy and an over-estimate for subword tokenizers.
 */
export function promptTokens(env: SearchEnv, text: string): number {
  return (env.policy.countTokens?.(text) ?? text.length) + 1;
}

/** Tokens and calls left for this task (Infinity when unlimited). */
export function left(env: SearchEnv): { tokens: number; calls: number } {
  const r = env.budget.remaining();
  return { tokens: r.tokens, calls: r.calls };
}

export function isBudgetError(e: unknown): boolean {
  return isReasonerError(e) && e.code === 'RSN_ERR_BUDGET_EXHAUSTED';
}

export function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (isReasonerError(e) && e.code === 'RSN_ERR_ABORTED');
}

/**
 * Runs a reward call with a time limit, so a reward that hangs fails the task with
 * RSN_ERR_REWARD instead of stalling the run; other errors are wrapped with the same code.
 */
export async function withRewardTimeout<T>(what: string, ms: number, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'search aborted', {});
  // No abort listener per call: many tasks share the run's signal. The reward gets the signal
  // itself; the timer bounds a reward that ignores it.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ReasonerError('RSN_ERR_REWARD', `${what} did not answer within ${ms} ms`, { hint: 'check the reward service, or raise the search option rewardTimeoutMs' }));
    }, ms);
  });
  try {
    return await Promise.race([fn(signal), timeout]);
  } catch (e) {
    if (isReasonerError(e)) throw e;
    if (signal.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'search aborted', {});
    throw new ReasonerError('RSN_ERR_REWARD', `${what} failed: ${(e as Error)?.message ?? String(e)}`, { hint: 'fix the reward plugin; the search cannot score steps without it' }, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

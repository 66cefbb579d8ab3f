import { ReasonerError } from '../errors.js';
import type { BudgetAmounts, BudgetLimitName, BudgetView } from '../types/budget.js';

export interface BudgetLimits {
  tokens?: number;
  calls?: number;
  ms?: number;
}

/**
 * Counts tokens, policy calls and time against limits. A task budget has the run budget as
 * parent, so spending in a task also spends in the run. Searches see it as a read-only
 * `BudgetView`; the instrumented policy reserves from it before every call (`fit`).
 */
export class Budget implements BudgetView {
  tokens = 0;
  calls = 0;
  /** Tokens and calls held by requests in flight (released when they report what they used). */
  private heldTokens = 0;
  private heldCalls = 0;
  private readonly start = Date.now();

  constructor(readonly limits: BudgetLimits = {}, private readonly parent?: Budget) {}

  get elapsedMs(): number {
    return Date.now() - this.start;
  }

  /** Why the budget is exhausted, or null. */
  exhausted(): BudgetLimitName | null {
    const l = this.limits;
    if (l.tokens !== undefined && this.tokens + this.heldTokens >= l.tokens) return 'tokens';
    if (l.calls !== undefined && this.calls + this.heldCalls >= l.calls) return 'calls';
    if (l.ms !== undefined && this.elapsedMs >= l.ms) return 'ms';
    return this.parent?.exhausted() ?? null;
  }

  remaining(): BudgetAmounts {
    const l = this.limits;
    const own: BudgetAmounts = {
      tokens: l.tokens === undefined ? Infinity : Math.max(0, l.tokens - this.tokens - this.heldTokens),
      calls: l.calls === undefined ? Infinity : Math.max(0, l.calls - this.calls - this.heldCalls),
      ms: l.ms === undefined ? Infinity : Math.max(0, l.ms - this.elapsedMs),
    };
    if (!this.parent) return own;
    const p = this.parent.remaining();
    return { tokens: Math.min(own.tokens, p.tokens), calls: Math.min(own.calls, p.calls), ms: Math.min(own.ms, p.ms) };
  }

  spent(): BudgetAmounts {
    return { tokens: this.tokens, calls: this.calls, ms: this.elapsedMs };
  }

  /** Tokens left before the nearest limit (Infinity when unlimited). */
  remainingTokens(): number {
    return this.remaining().tokens;
  }

  /** Throws RSN_ERR_BUDGET_EXHAUSTED if any limit is reached. */
  check(): void {
    const why = this.exhausted();
    if (why) throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `budget exhausted (${why})`, { limit: why, hint: 'raise run.budget, or read budget.remaining() before asking for more' });
  }

  spend(tokens: number, calls = 1): void {
    this.tokens += tokens;
    this.calls += calls;
    this.parent?.spend(tokens, calls);
  }

  /**
   * Holds tokens/calls for a request in flight, here and in every parent, so that concurrent
   * requests (several tasks of a run) cannot all spend the same remainder. Returns the release
   * function; call it once the request reports its usage (then `spend` the actual amount).
   */
  hold(tokens: number, calls = 1): () => void {
    this.heldTokens += tokens;
    this.heldCalls += calls;
    const releaseParent = this.parent?.hold(tokens, calls);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.heldTokens -= tokens;
      this.heldCalls -= calls;
      releaseParent?.();
    };
  }

  child(limits: BudgetLimits = {}): Budget {
    return new Budget(limits, this);
  }
}

/** A per-sample share at least this large is left to the policy's own completion cap. */
const UNCAPPED_SHARE = 1024;

/** What a request may ask for once its worst case is reserved against the budget. */
export interface Fitted {
  n: number;
  maxTokens: number | undefined;
}

/**
 * Shrinks a request so that its worst case fits the tokens left: n × (prompt + maxTokens) ≤ left.
 * Keeps `n` where it can and shortens completions only when even one full sample does not fit.
 * Returns null when not even one 1-token completion fits. `defaultMaxTokens` is the policy's
 * own cap when the request sets none (unknown → the request is not shortened, only `n`).
 */
export function fitRequest(left: number, promptTokens: number, n: number, maxTokens: number | undefined, defaultMaxTokens?: number): Fitted | null {
  if (left === Infinity) return { n, maxTokens };
  const room = left - promptTokens;
  if (room < 1) return null;
  const cap = maxTokens ?? defaultMaxTokens;
  if (cap === undefined) {
    // Unknown completion cap: give each sample an equal share of what is left — unless the share
    // is so large that the policy's own cap (its context window) binds first.
    const fitN = Math.max(1, Math.min(n, Math.floor(left / (promptTokens + 1))));
    const share = Math.floor(left / fitN) - promptTokens;
    return { n: fitN, maxTokens: share >= UNCAPPED_SHARE ? undefined : share };
  }
  const perSample = promptTokens + cap;
  const fitN = Math.floor(left / perSample);
  if (fitN >= 1) return { n: Math.min(n, fitN), maxTokens };
  return { n: 1, maxTokens: Math.min(cap, room) };
}

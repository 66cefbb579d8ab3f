import { ReasonerError } from '../errors.js';

export interface BudgetLimits {
  tokens?: number;
  calls?: number;
  ms?: number;
}

/**
 * Counts tokens, policy calls and time against limits. A task budget has the run budget as
 * parent, so spending in a task also spends in the run.
 */
export class Budget {
  tokens = 0;
  calls = 0;
  private readonly start = Date.now();

  constructor(readonly limits: BudgetLimits = {}, private readonly parent?: Budget) {}

  get elapsedMs(): number {
    return Date.now() - this.start;
  }

  /** Why the budget is exhausted, or null. */
  exhausted(): 'tokens' | 'calls' | 'ms' | null {
    const l = this.limits;
    if (l.tokens !== undefined && this.tokens >= l.tokens) return 'tokens';
    if (l.calls !== undefined && this.calls >= l.calls) return 'calls';
    if (l.ms !== undefined && this.elapsedMs >= l.ms) return 'ms';
    return this.parent?.exhausted() ?? null;
  }

  /** Tokens left before the nearest limit (Infinity when unlimited). */
  remainingTokens(): number {
    const own = this.limits.tokens === undefined ? Infinity : this.limits.tokens - this.tokens;
    return Math.min(own, this.parent?.remainingTokens() ?? Infinity);
  }

  /** Throws RSN_ERR_BUDGET_EXHAUSTED if any limit is reached; searches catch it and return their best so far. */
  check(): void {
    const why = this.exhausted();
    if (why) throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `budget exhausted (${why})`, { limit: why });
  }

  spend(tokens: number, calls = 1): void {
    this.tokens += tokens;
    this.calls += calls;
    this.parent?.spend(tokens, calls);
  }

  child(limits: BudgetLimits = {}): Budget {
    return new Budget(limits, this);
  }
}

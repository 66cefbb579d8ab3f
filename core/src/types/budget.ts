/** Amounts of the three budgeted resources. `Infinity` means unlimited. */
export interface BudgetAmounts {
  tokens: number;
  calls: number;
  ms: number;
}

export type BudgetLimitName = 'tokens' | 'calls' | 'ms';

/**
 * What a search sees of its budget: it asks what is left instead of catching an error. The
 * instrumented policy also shrinks each request (`n`, `maxTokens`) to what is left.
 */
export interface BudgetView {
  /** What is left before the nearest limit (the task's or the run's). */
  remaining(): BudgetAmounts;
  /** Which limit is reached, or null. */
  exhausted(): BudgetLimitName | null;
  /** What this budget (the task's) has spent so far. */
  spent(): BudgetAmounts;
}

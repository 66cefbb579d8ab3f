import { CALL_BUDGET_MS, withBudget } from './cas.js';
import { isEquivalent, type EquivalenceOptions } from './equivalence.js';
import { extractAnswer, type ExtractOptions } from './extract.js';

export type VerifyOptions = EquivalenceOptions & ExtractOptions;

/**
 * Gold and prediction as they come from data sets and models — a bare answer, `$…$`,
 * `\boxed{}`, or a whole solution (chat debris included) — → are their final answers equivalent?
 * Both sides go through `extractAnswer`; a side with no extractable answer is never correct.
 */
export function verify(gold: string, prediction: string, options: VerifyOptions = {}): boolean {
  return withBudget(CALL_BUDGET_MS, () => verifyUnbudgeted(gold, prediction, options));
}

function verifyUnbudgeted(gold: string, prediction: string, options: VerifyOptions): boolean {
  try {
    const g = extractAnswer(gold, { ...options, fallbackLastNumber: options.fallbackLastNumber ?? true });
    const p = extractAnswer(prediction, options);
    if (g === null || p === null) return false;
    return isEquivalent(g, p, options);
  } catch {
    return false;
  }
}

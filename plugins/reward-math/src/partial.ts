import { CALL_BUDGET_MS, withBudget } from './cas.js';
import { maxMatching, prepare, valuesEqual, type EquivalenceOptions } from './equivalence.js';
import type { Value } from './structure.js';

function items(v: Value): { list: Value[]; ordered: boolean } | null {
  if (v.kind === 'tuple') return { list: v.items, ordered: true };
  if (v.kind === 'set' || v.kind === 'union') return { list: v.items, ordered: false };
  if (v.kind === 'matrix') return { list: v.rows.flat(), ordered: true };
  return null;
}

/**
 * Partial credit for multi-part answers, for reward shaping: the fraction of the gold's parts
 * the prediction gets right — tuples and matrices position by position (same shape required),
 * sets by a maximum matching divided by the larger size (extra answers cost). 1 when the whole
 * answer is equivalent, 0 for single-valued answers that are not. Never throws.
 */
export function partialCredit(gold: string, pred: string, options: EquivalenceOptions = {}): number {
  return withBudget(CALL_BUDGET_MS, () => partialUnbudgeted(gold, pred, options));
}

function partialUnbudgeted(gold: string, pred: string, options: EquivalenceOptions): number {
  try {
    if (typeof gold !== 'string' || typeof pred !== 'string') return 0;
    const maxChars = options.maxChars ?? 10_000;
    if (gold.length > maxChars || pred.length > maxChars) return gold.trim() === pred.trim() ? 1 : 0;
    const prepared = prepare(gold, pred, options);
    if (!prepared) return 0;
    const { g, p, ctx } = prepared;
    if (prepared.same || valuesEqual(g, p, ctx)) return 1;
    const gi = items(g);
    // A single answer against a list of answers is a one-element list.
    const pi = items(p) ?? (gi && !gi.ordered ? { list: [p], ordered: false } : null);
    if (!gi || !pi || gi.ordered !== pi.ordered || gi.list.length === 0 || gi.list.length > 64 || pi.list.length > 64) return 0;
    if (gi.ordered) {
      if (gi.list.length !== pi.list.length) return 0;
      if (g.kind === 'matrix' && (p.kind !== 'matrix' || g.rows.length !== p.rows.length)) return 0;
      return gi.list.filter((x, i) => valuesEqual(x, pi.list[i]!, ctx)).length / gi.list.length;
    }
    return maxMatching(gi.list, pi.list, ctx) / Math.max(gi.list.length, pi.list.length);
  } catch {
    return 0;
  }
}

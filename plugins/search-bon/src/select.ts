import { rewardAnswer, type Candidate } from '@reasoner/core';

export type Selection = 'reward' | 'majority' | 'weighted-majority' | 'first';

/**
 * Picks the best candidate.
 * - `reward`: highest reward value. Fair when the reward needs only what the task states (a
 *   Countdown or proof checker, visible unit tests, a learned reward model); with a reward that
 *   compares against a hidden gold answer it is an oracle and equals pass@n.
 * - `majority` (self-consistency): most frequent extracted answer; never looks at gold.
 * - `weighted-majority`: answers weighted by reward value (use with a reward model).
 * - `first`: the first sample (a baseline).
 * Ties go to the earliest candidate, so selection is deterministic.
 */
export function selectBest(candidates: Candidate[], how: Selection): { index: number; votes?: number } {
  if (candidates.length === 0) return { index: -1 };
  if (how === 'first') return { index: 0 };
  if (how === 'reward') {
    let best = 0;
    candidates.forEach((c, i) => { if ((c.reward?.value ?? -Infinity) > (candidates[best]!.reward?.value ?? -Infinity)) best = i; });
    return { index: best };
  }
  const tally = new Map<string, { weight: number; first: number; votes: number }>();
  candidates.forEach((c, i) => {
    const a = c.answer ?? rewardAnswer(c.reward);
    if (a === undefined) return;
    const w = how === 'weighted-majority' ? Math.max(0, c.reward?.value ?? 0) : 1;
    const e = tally.get(a);
    if (e) { e.weight += w; e.votes++; } else tally.set(a, { weight: w, first: i, votes: 1 });
  });
  let best: { weight: number; first: number; votes: number } | undefined;
  for (const e of tally.values()) if (!best || e.weight > best.weight) best = e;
  return best ? { index: best.first, votes: best.votes } : { index: 0, votes: 0 };
}

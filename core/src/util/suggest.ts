import { distance } from 'fastest-levenshtein';

/** The candidate nearest to `input` if it is close enough to be a typo (≤ 1/3 of its length, at most 3 edits). */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = input.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD > 0 && bestD <= Math.min(3, Math.max(1, Math.ceil(input.length / 3))) ? best : undefined;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const n = nearest(input, candidates);
  return n ? ` (did you mean "${n}"?)` : '';
}

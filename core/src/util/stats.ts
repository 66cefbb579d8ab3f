/**
 * Wilson score interval of a proportion (95 % by default): honest at small n and near 0 or 1,
 * where the normal approximation is not. Lets a report say whether a change of a few points on a
 * 200-problem evaluation is more than noise (at p = 0.3, n = 200 the interval is about ±6 points).
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): [number, number] {
  if (!(n > 0)) return [0, 1];
  const p = Math.min(1, Math.max(0, successes / n));
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** `0.331` → `33.1 %`. */
export const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** A proportion with its Wilson interval, for reports: `33.0 % (95 % CI 26.9–39.8 %)`. */
export function percentWithCi(p: number, n: number): string {
  const [lo, hi] = wilsonInterval(Math.round(p * n), n);
  return `${percent(p)} (95 % CI ${(lo * 100).toFixed(1)}–${percent(hi)})`;
}

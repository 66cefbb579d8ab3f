import { beforeAll, describe, expect, it } from 'vitest';
import { warmUp } from './cas.js';
import { fuzzPublicApi } from './fuzz.js';

beforeAll(() => warmUp());

/** Loose for a loaded 2-core CI machine; `npm run -s bench -- reward-math` reports the real worst time. */
const BOUND_MS = 1000;

describe('property-based fuzzing (fast-check, fixed seed)', () => {
  it('every public function returns the right type, never throws, and stays bounded on hostile strings up to 100 KB', () => {
    const report = fuzzPublicApi({ seed: 20241, runs: 40, maxLen: 100_000, maxRepeat: 10_000 });
    expect(report.runs).toBe(40);
    expect(report.worstMs).toBeLessThan(BOUND_MS);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { CLASS_CASES } from '../test-data/classes.js';
import { scoreClasses } from '../bench/classes.js';
import { warmUp } from './cas.js';

beforeAll(() => warmUp());

// The nine classes of miss of issue 10 (own Math-Verify-style cases, positives and hard negatives).
// Before the fixes: 95/151 agreement, 6 false positives.
describe('issue 10 answer-form classes', () => {
  const scores = scoreClasses();

  it('covers all nine classes with positives and negatives', () => {
    expect(scores.length).toBe(9);
    for (const s of scores) {
      expect(s.positives).toBeGreaterThanOrEqual(5);
      expect(s.negatives).toBeGreaterThanOrEqual(5);
    }
  });

  for (const s of scores) {
    it(`${s.cls}: agrees on every case (${s.cases}), no false positive`, () => {
      const misses = CLASS_CASES.filter((k) => k.cls === s.cls);
      expect({ cls: s.cls, agree: s.agree, falsePositives: s.falsePositives, of: misses.length }).toEqual({ cls: s.cls, agree: s.cases, falsePositives: 0, of: s.cases });
    });
  }
});

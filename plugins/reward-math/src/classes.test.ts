import { beforeAll, describe, expect, it } from 'vitest';
import { CLASS_CASES } from '../test-data/classes.js';
import { scoreClasses } from '../bench/classes.js';
import { warmUp } from './cas.js';
import { verify } from './verify.js';

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

// Variants written after the fixes (not used while fixing them), one or more per class.
const r = String.raw;
const VARIANTS: Array<[string, string, boolean]> = [
  [r`|2x-1|<3`, r`(-1,2)`, true], [r`|2x-1|<3`, r`(-2,1)`, false], [r`|3-x|\le 1`, r`[2,4]`, true], [r`|2x+1|\ge 5`, r`(-\infty,-3]\cup[2,\infty)`, true],
  [r`1\le|2y|\le 4`, r`[-2,-\frac12]\cup[\frac12,2]`, true], [r`x > 3`, r`[3, \infty)`, false],
  [r`\angle A = 30^\circ`, r`30`, true], [r`\overline{AB}=5`, r`5`, true], [r`AD:DC = 2:1`, r`2:1`, true], [r`AD:DC = 2:1`, r`1:2`, false], [r`\frac{a}{b}=\frac{3}{4}`, r`0.75`, true],
  [r`1000000`, r`1,000,000`, true], [r`1234.56`, r`\$1{,}234.56`, true], [r`3456`, r`The answer is 3,456 apples.`, true], [r`12345`, r`12 345`, true],
  [r`36`, 'Therefore, there are 36 ways to arrange them.', true], [r`15`, 'Hence, Jenny needs 15 more minutes.', true], [r`\frac{5}{2}`, 'Thus the ratio is 5/2, as claimed.<|eot_id|>', true],
  [r`\sum_{i=1}^{n} i x_i`, r`\sum_{i=1}^{n} x_i i`, true], [r`g(x)=2x^2+4x+2`, r`g(x)=2(x+1)^2`, true], [r`g(x)=2x^2+4x+2`, r`g(x)=2(x-1)^2`, false],
  [r`\\sqrt{2}`, r`\sqrt{2}`, true], [r`\\frac{\\sqrt{3}}{3}`, r`\frac{1}{\sqrt{3}}`, true],
  [r`(3,4)`, r`\{3,4\}`, true], [r`(3,4)`, r`\{4,3\}`, false], [r`(1,2,3)`, r`1, 2, 3`, true],
  [r`7, 8`, r`We get \boxed{7} for the first and \boxed{8} for the second.`, true], [r`8`, r`We got \boxed{7}. Hmm, but rechecking gives \boxed{8}.`, true],
  [r`(1,2),(2,1)`, r`x=1,y=2;x=2,y=1`, true], [r`(1,2),(2,1)`, r`x=2,y=1;x=2,y=1`, false],
];

describe('issue 10 variants written after the fixes', () => {
  it(`agrees on all ${VARIANTS.length}`, () => {
    const misses = VARIANTS.filter(([g, p, e]) => verify(g, p) !== e).map(([g, p, e]) => `${g} | ${p} → ${!e}`);
    expect(misses).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { partialCredit } from './partial.js';

describe('partialCredit', () => {
  const cases: Array<[string, string, number]> = [
    ['\\{1, 2, 3\\}', '\\{3, 2, 1\\}', 1],
    ['\\{1, 2, 3\\}', '\\{1, 2\\}', 2 / 3],
    ['\\{1, 2\\}', '\\{1, 2, 5, 6\\}', 0.5],
    ['(1, 2, 3)', '(1, 5, 3)', 2 / 3],
    ['(1, 2, 3)', '(3, 2, 1)', 1 / 3],
    ['(1, 2, 3)', '(1, 2)', 0],
    ['\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}', '\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}', 0.75],
    ['-2, 1', '1', 0.5],
    ['5', '6', 0],
    ['\\frac{1}{2}', '0.5', 1],
    ['', '1', 0],
  ];
  for (const [gold, pred, want] of cases) {
    it(`${gold} vs ${pred} → ${want.toFixed(3)}`, () => expect(partialCredit(gold, pred)).toBeCloseTo(want, 10));
  }
});

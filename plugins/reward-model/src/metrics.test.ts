import { describe, expect, it } from 'vitest';
import { auc, pearson } from './metrics.js';

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
  });
  it('matches the pairwise definition on a hand-computed case', () => {
    // positives 0.4, 0.7; negatives 0.3, 0.4, 0.8 → pairs won: (0.4>0.3)=1, (0.4=0.4)=.5, (0.7>0.3)=1, (0.7>0.4)=1 → 3.5/6
    expect(auc([0.4, 0.7, 0.3, 0.4, 0.8], [true, true, false, false, false])).toBeCloseTo(3.5 / 6, 12);
  });
  it('is NaN with one class', () => expect(auc([1, 2], [true, true])).toBeNaN());
});

describe('pearson', () => {
  it('is ±1 on lines, NaN on constants', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import type { Candidate } from '@reasoner/core';
import { selectBest } from './select.js';

const c = (answer: string | undefined, value: number): Candidate => ({ text: `ans ${answer}`, steps: [], answer, reward: { value, correct: value > 0.5 }, tokens: 1 });

describe('selectBest', () => {
  const cands = [c('3', 0), c('5', 1), c('3', 0), c(undefined, 0), c('5', 0.2), c('3', 0)];

  it('majority: most frequent answer, earliest representative', () => {
    expect(selectBest(cands, 'majority')).toEqual({ index: 0, votes: 3 });
  });

  it('weighted-majority: answers weighted by reward', () => {
    expect(selectBest(cands, 'weighted-majority')).toEqual({ index: 1, votes: 2 });
  });

  it('reward: the highest value; first: the first sample', () => {
    expect(selectBest(cands, 'reward').index).toBe(1);
    expect(selectBest(cands, 'first').index).toBe(0);
  });

  it('ties go to the earliest; no answers at all falls back to the first; empty → -1', () => {
    expect(selectBest([c('1', 0), c('2', 0)], 'majority').index).toBe(0);
    expect(selectBest([c(undefined, 0), c(undefined, 0)], 'majority').index).toBe(0);
    expect(selectBest([], 'majority').index).toBe(-1);
  });
});

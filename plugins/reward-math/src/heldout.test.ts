import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { warmUp } from './cas.js';
import { verify } from './verify.js';

interface Case { category: string; gold: string; pred: string; expected: boolean }

function load(name: string): Case[] {
  return JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8')) as Case[];
}

function agreement(cases: Case[]): { rate: number; misses: Case[] } {
  const misses = cases.filter((c) => verify(c.gold, c.pred) !== c.expected);
  return { rate: 1 - misses.length / cases.length, misses };
}

beforeAll(() => warmUp());

// Cases written in the style of huggingface/Math-Verify's test-suite (gold, prediction, expected).
describe('Math-Verify-style held-out sets', () => {
  it('dev set (237 cases, written first, then used while fixing): ≥ 99.5 % agreement', () => {
    const cases = load('heldout.json');
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(cases.some((c) => !c.expected)).toBe(true);
    const { rate, misses } = agreement(cases);
    // Known miss: 3.14159 vs \pi is accepted (within the 1e-6 relative tolerance).
    expect(misses.map((m) => `${m.gold} | ${m.pred}`)).toEqual(['3.14159 | \\pi']);
    expect(rate).toBeGreaterThanOrEqual(0.995);
  });

  it('fresh set (81 cases; 97.5 % at first measurement, 2 extraction fixes since): ≥ 97.5 %', () => {
    const { rate } = agreement(load('heldout-fresh.json'));
    expect(rate).toBeGreaterThanOrEqual(0.975);
  });

  it('long-form model outputs (60 cases: <think>, chat debris, prose; 98.3 % at first measurement): ≥ 98 %', () => {
    const { rate } = agreement(load('heldout-longform.json'));
    expect(rate).toBeGreaterThanOrEqual(0.98);
  });
});

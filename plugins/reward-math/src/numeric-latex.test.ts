import { describe, expect, it } from 'vitest';
import { evaluateConstantLatex } from './numeric-latex.js';

describe('evaluateConstantLatex', () => {
  const cases: Array<[string, number | null]> = [
    ['3\\sqrt{13}', 3 * Math.sqrt(13)], ['\\frac{14}{3}', 14 / 3], ['\\frac94\\pi', (9 / 4) * Math.PI], ['2^{10}', 1024], ['2^10', null],
    ['-\\frac{1}{2}', -0.5], ['\\sqrt[3]{-8}', -2], ['(1+2)\\cdot 3', 9], ['1 - 2 - 3', -4], ['\\frac{1+\\sqrt{5}}{2}', (1 + Math.sqrt(5)) / 2],
    ['2\\times 10^{3}', 2000], ['{1}/{4}', 0.25], ['x+1', null], ['\\sin 2', null], ['(1,2)', null], ['\\frac{1}{2', null], ['1)', null],
  ];
  for (const [src, want] of cases) {
    it(src, () => {
      const v = evaluateConstantLatex(src);
      if (want === null) expect(v).toBeNull();
      else expect(v).toBeCloseTo(want, 12);
    });
  }

  it('gives up on deep nesting instead of overflowing the stack', () => {
    expect(evaluateConstantLatex(`${'{'.repeat(80)}1${'}'.repeat(80)}`)).toBeNull();
  });
});

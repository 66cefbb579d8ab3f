import { describe, expect, it } from 'vitest';
import { normalizeAnswer, normalizeThousands } from './normalize.js';

describe('normalizeAnswer', () => {
  const cases: Array<[string, string, boolean?]> = [
    ['$\\dfrac{1}{2}$', '\\frac{1}{2}'],
    ['\\left( 3, \\frac{\\pi}{2} \\right)', '( 3, \\frac{\\pi}{2} )'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90'],
    ['\\$1,000', '1000'],
    ['14{,}916', '14916'],
    ['10,\\!000', '10000'],
    ['15\\mbox{ cm}^2', '15'],
    ['\\frac{1}{3} \\textbf{meters}', '\\frac{1}{3}'],
    ['28\\%', '28', true],
    ['28 percent', '28', true],
    ['\\frac13', '\\frac{1}{3}'],
    ['\\sqrt3', '\\sqrt{3}'],
    ['x \\geq 5', 'x \\ge 5'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['12 \\text{ and } 13', '12 , 13'],
    ['5!', '5!'],
    ['7.', '7'],
  ];
  for (const [input, text, percent = false] of cases) {
    it(input, () => expect(normalizeAnswer(input)).toEqual({ text, percent }));
  }

  it('reads separators only when the whole string is one number', () => {
    expect(normalizeThousands('12,000,023')).toBe('12000023');
    expect(normalizeThousands('1 000')).toBe('1000');
    expect(normalizeThousands('1000,99')).toBe('1000.99');
    expect(normalizeThousands('0,111')).toBe('0.111');
    expect(normalizeThousands('-2,1')).toBe('-2,1');
    expect(normalizeThousands('(1,000)')).toBe('(1,000)');
  });
});

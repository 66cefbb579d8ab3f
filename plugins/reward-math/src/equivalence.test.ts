import { describe, expect, it } from 'vitest';
import { isEquivalent } from './equivalence.js';
import { verify } from './verify.js';

/** [gold, prediction, expected] — bare answers, compared with isEquivalent. */
const TABLE: Record<string, Array<[string, string, boolean]>> = {
  numbers: [
    ['42', '42.0', true], ['42', '41', false], ['-5', '5', false], ['7425000', '7,425,000', true], ['1000', '1 000', true],
    ['0.4', '.4', true], ['1.5e3', '1500', true], ['2.5 \\times 10^{3}', '2500', true], ['1.2 \\cdot 10^{-4}', '0.00012', true],
    ['\\frac{1}{4}', '0.25', true], ['1/4', '0.25', true], ['\\frac{1}{4}', '0.2', false], ['3\\frac{1}{2}', '3.5', true],
    ['3\\frac{1}{2}', '\\frac{7}{2}', true], ['3 1/2', '3.5', true], ['-\\frac{2}{3}', '\\frac{2}{-3}', true], ['7', '7.0000001', true],
    ['7', '7.001', false], ['0', '-0', true], ['\\frac{1}{12}', '0.0833333333333333', true],
  ],
  percentages: [
    ['28\\%', '28', true], ['28\\%', '0.28', true], ['28\\%', '28 percent', true], ['28\\%', '29\\%', false], ['50\\%', '\\frac{1}{2}', true],
  ],
  latex: [
    ['\\frac{1}{3}', '\\dfrac{1}{3}', true], ['\\frac{1}{3}', '\\tfrac13', true], ['\\frac{1}{3}', '\\frac{2}{6}', true],
    ['\\frac{1}{3}', '\\left( \\frac{1}{3} \\right)', true], ['2\\sqrt{3}', '\\sqrt{12}', true], ['2\\sqrt{3}', '3\\sqrt{2}', false],
    ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true], ['3\\pi', '3 \\cdot \\pi', true], ['\\frac{9}{4}\\pi', '\\frac94\\pi', true],
    ['90^\\circ', '90', true], ['\\$1,000.99', '1000.99', true], ['15\\text{ cm}^2', '15', true], ['5\\text{ hours}', '5', true],
    ['\\text{Evelyn}', 'Evelyn', true], ['\\text{Evelyn}', 'Carla', false], ['\\sqrt[3]{8}', '2', true], ['\\binom{5}{2}', '10', true],
    ['5!', '120', true], ['\\log_2 8', '3', true], ['e^{2}', '\\exp(2)', true], ['\\infty', '-\\infty', false], ['6-5i', '6-5i', true], ['6-5i', '6+5i', false], ['i^2', '-1', true], ['(1+i)^2', '2i', true], ['(1+i)^2', '2', false], ['e^{i\\pi}', '-1', true], ['\\frac{1}{i}', '-i', true],
  ],
  symbolic: [
    ['x^2+2x+1', '(x+1)^2', true], ['x^2-1', '(x-1)(x+1)', true], ['x^2-1', '(x-1)^2', false], ['\\tan^2(y)+1', '\\sec^2(y)', true],
    ['\\sin^2 x + \\cos^2 x', '1', true], ['2\\sin x \\cos x', '\\sin 2x', true], ['\\frac{x+2}{7}', '\\frac{x}{7}+\\frac{2}{7}', true],
    ['x+2n+1', 'x+1', false], ['(a+5)(b+2)', 'ab+2a+5b+10', true], ['\\frac{1}{x}+\\frac{1}{y}', '\\frac{x+y}{xy}', true],
    ['x^{1000000}', 'x^{1000001}', false], ['3^{2n}', '9^n', true], ['a^2+b^2', '(a+b)^2', false],
  ],
  intervals: [
    ['[0,1)', '[0,1)', true], ['[0,1)', '[0,1]', false], ['(0,9)', '[0,9)', false], ['(-\\infty, 3]', '(-\\infty,3]', true],
    ['(\\frac{3}{5},\\frac{8}{3}]', '(0.6,\\frac{8}{3}]', true], ['(-\\infty,-3] \\cup [2,\\infty)', '[2,\\infty) \\cup (-\\infty,-3]', true],
    ['(-\\infty,-3] \\cup [2,\\infty)', '[-3,2]', false], ['x \\in [-2,7]', '[-2,7]', true], ['-1 < x \\le 2', '(-1,2]', true], ['(0,1)', '0<x<1', true],
  ],
  'sets and tuples': [
    ['\\{1,2,3\\}', '\\{3,2,1\\}', true], ['\\{1,2,3\\}', '\\{1,2\\}', false], ['(1,2)', '(2,1)', false], ['(1,2)', '(1,2)', true],
    ['-2, 1', '1, -2', true], ['-2, 1', '-2', false], ['1 \\pm \\sqrt{19}', '1+\\sqrt{19}, 1-\\sqrt{19}', true], ['\\pm 2', '2', false],
    ['\\emptyset', '\\varnothing', true], ['(5,2),(7,2)', '(7,2),(5,2)', true], ['(5,2),(7,2)', '(2,5),(2,7)', false],
    ['19, 46, and 82', '19, 46, 82', true], ['(1,\\frac{9}{2})', '(1,4.5)', true],
    ['(1,2),(2,1)', '(2,1),(1,2),(2,1)', true], ['\\{1,2\\}', '\\{1,1,2\\}', true], ['\\{1,2\\}', '\\{1,1,3\\}', false], ['(1,2,3),(3,2,1)', '(1,2,3),(1,2,3)', false],
  ],
  equations: [
    ['x=2', '2', true], ['2', 'x=2', true], ['x = 2', 'x = 3', false], ['y = 2x+3', '2x+3', true], ['2x+4y-3=0', 'y=-\\frac{1}{2}x+\\frac{3}{4}', true],
    ['x+y=1', '2x+2y=2', true], ['x+y=1', 'x-y=1', false], ['7 = 11a+c', '11a+c', false], ['a+3z=0', '0', false], ['x = 5+5+1 = 11', '11', true],
    ['(p,q)=(3,2)', '(3,2)', true],
  ],
  inequalities: [
    ['x \\geq 5', 'x >= 5', true], ['x \\ge 5', '5 \\le x', true], ['x > 5', 'x < 5', false], ['x < 1', '-x > -1', true], ['x < 1', 'x > -1', false],
    ['x \\ne 3', 'x != 3', true], ['x \\le 2', 'x < 2', false],
  ],
  matrices: [
    ['\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}', true],
    ['\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}', '\\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right]', true],
    ['\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}', '\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}', false],
    ['\\begin{pmatrix}\\frac12 \\\\ 3\\end{pmatrix}', '\\begin{pmatrix}0.5 \\\\ 3\\end{pmatrix}', true],
    ['\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}', '(1, 2)', true], ['\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}', '\\begin{pmatrix}1 & 0\\end{pmatrix}', false],
  ],
  text: [
    ['\\text{odd}', 'odd', true], ['\\text{odd}', 'even', false], ['\\text{yes}', 'Yes', true], ['\\text{no}', '\\text{No}', true],
    ['\\text{(C)}', 'C', true], ['\\text{(C)}', 'D', false], ['204_5', '204_5', true], ['204_5', '204_6', false], ['12:00', '1:00', false],
  ],
};

describe('isEquivalent', () => {
  for (const [group, rows] of Object.entries(TABLE)) {
    describe(group, () => {
      for (const [gold, pred, want] of rows) {
        it(`${gold} ${want ? '≡' : '≢'} ${pred}`, () => expect(isEquivalent(gold, pred)).toBe(want));
      }
    });
  }

  it('has both positive and negative cases in every group', () => {
    for (const rows of Object.values(TABLE)) {
      expect(rows.some((r) => r[2])).toBe(true);
      expect(rows.some((r) => !r[2])).toBe(true);
    }
  });

  it('equates one-variable inequalities with intervals unless allowSetRelation is false', () => {
    expect(isEquivalent('(-\\infty, 2)', 'x < 2')).toBe(true);
    expect(isEquivalent('[3, \\infty)', '3 \\le x')).toBe(true);
    expect(isEquivalent('(-\\infty, 2]', 'x < 2')).toBe(false);
    expect(isEquivalent('(1, 3]', '1 < x \\le 3')).toBe(true);
    expect(isEquivalent('(-\\infty, 2)', 'x < 2', { allowSetRelation: false })).toBe(false);
    expect(isEquivalent('(1, 3]', '1 < x \\le 3', { allowSetRelation: false })).toBe(false);
    expect(isEquivalent('x < 2', 'x < 2', { allowSetRelation: false })).toBe(true);
  });

  it('honours the relative tolerance option', () => {
    expect(isEquivalent('100', '100.5')).toBe(false);
    expect(isEquivalent('100', '100.5', { tolerance: 0.01 })).toBe(true);
    expect(isEquivalent('x^2', 'x^2 + 0.001', { tolerance: 0.01 })).toBe(true);
  });

  it('is deterministic for a seed and does not depend on call order', () => {
    const pairs: Array<[string, string]> = [['(x+1)^2', 'x^2+2x+1'], ['\\sin(2x)', '2\\sin x'], ['\\frac{a}{b}', 'a/b']];
    const first = pairs.map(([a, b]) => isEquivalent(a, b, { seed: 7 }));
    const again = [...pairs].reverse().map(([a, b]) => isEquivalent(a, b, { seed: 7 })).reverse();
    expect(again).toEqual(first);
  });

  it('never calls two unparseable inputs equal', () => {
    expect(isEquivalent('\\frac{1}{', '\\sqrt{')).toBe(false);
    expect(isEquivalent('))((', '}{')).toBe(false);
  });

  it('rejects non-string input without throwing', () => {
    expect(isEquivalent(undefined as unknown as string, '1')).toBe(false);
  });
});

describe('verify', () => {
  const rows: Array<[string, string, boolean]> = [
    ['$\\frac{14}{3}$', 'Thus $f(-2)+f(-1)+f(0)=2+\\frac{5}{3}+1=\\boxed{\\frac{14}{3}}$', true],
    ['$3\\sqrt{13}$', '$\\sqrt{117} = \\boxed{3\\sqrt{13}}$.', true],
    ['$(3, \\frac{\\pi}{2})$', 'the polar coordinates are $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$', true],
    ['$[0,1)$', 'Final Answer: The final answer is $(0, 1)$. I hope it is correct. <|im_start|>user', false],
    ['$28\\%$', 'a total loss of $\\boxed{28\\%}$.', true],
    ['18', 'She makes 9 * 2 = $18 every day.\n#### 18', true],
    ['\\boxed{12}', 'The answer is 12.', true],
    ['1000.99', 'the number is not 10 which is 1,000.99€', true],
    ['2', 'AZYUK2A', false],
    ['5', '', false],
  ];
  for (const [gold, pred, want] of rows) {
    it(`${gold.slice(0, 30)} vs ${pred.slice(0, 40)}`, () => expect(verify(gold, pred)).toBe(want));
  }
});

import { beforeAll, describe, expect, it } from 'vitest';
import { warmUp } from './cas.js';
import { isEquivalent } from './equivalence.js';
import { extractAnswer } from './extract.js';
import plugin from './index.js';
import { partialCredit } from './partial.js';
import { verify } from './verify.js';

/** Loose enough for a loaded 2-core machine; the bench reports the real p99. */
const BOUND_MS = 1000;

const big = 'a'.repeat(100_000);
const HOSTILE: Array<[string, string, string]> = [
  ['tower of powers', '9^{9^{9^9}}', '9^{9^{9^9}}+1'],
  ['tower vs number', '2', '9^{9^{9^9}}'],
  ['factorial of a tower', '(9^{9^{9^9}})!', '1'],
  ['huge exponent', 'x^{1000000}', 'x^{1000001}'],
  ['huge power of ten', '10^{10^{10}}', '10^{10^{10}}-1'],
  ['high-degree polynomial', '(x+y+z)^{20}', '(z+y+x)^{20}'],
  ['100 KB plain', big, `${big}1`],
  ['100 KB unclosed box', `\\boxed{${big}`, '5'],
  ['100 KB of open braces', '5', `\\boxed{${'{'.repeat(100_000)}`],
  ['deep parentheses', '5', `${'('.repeat(20_000)}5${')'.repeat(20_000)}`],
  ['deep fractions', '5', `${'\\frac{'.repeat(3000)}1${'}{2}'.repeat(3000)}`],
  ['unbalanced braces', '\\frac{1}{2', '\\frac{1}{2}'],
  ['100 KB of dollars', '$'.repeat(100_000), '5'],
  ['100 KB of answers', '5', `The answer is ${'$1$ and '.repeat(12_000)}`],
  ['5000-element sets', `\\{${'1,'.repeat(5000)}1\\}`, `\\{${'1,'.repeat(5000)}2\\}`],
  ['12-element permutation', `\\{${Array.from({ length: 12 }, (_, i) => `x+${i}`).join(',')}\\}`, `\\{${Array.from({ length: 12 }, (_, i) => `x+${11 - i}`).join(',')}\\}`],
  ['duplicate-heavy sets', `\\{${'1,'.repeat(20)}2\\}`, `\\{${'1,'.repeat(20)}3\\}`],
  ['duplicate-heavy tuples of sets', `${'\\{1,1\\},'.repeat(15)}\\{1,2\\}`, `${'\\{1,1\\},'.repeat(15)}\\{1,3\\}`],
  ['nested exponentials', 'e^{e^{e^{e^{x}}}}', 'e^{e^{e^{e^{x+0}}}}'],
  ['overflowing literal', '1e308*10', '\\infty'],
  ['regex bait: numbers', '1', `${'1,'.repeat(30_000)}x`],
  ['regex bait: unclosed \\[', '5', '\\[a'.repeat(7000)],
  ['regex bait: unclosed \\(', '5', '\\(a'.repeat(7000)],
  ['regex bait: $$', '5', '$$a'.repeat(7000)],
  ['scan bait: backslashes before a far dollar', '5', `${'\\a'.repeat(30_000)}$5$`],
  ['regex bait: anchors', '5', 'the final answer is '.repeat(1000)],
  ['regex bait: boxes', '5', '\\boxed{'.repeat(5000)],
  // Issue 10: each of these hung or took seconds.
  ['dollar run between boxes', '5', `\\boxed{1}${'$'.repeat(40)}x\\boxed{2}`],
  ['power of a sum times the sum, and Gamma', '5', '(a+b+c+d+e+f+g+h)^{63}(a+b+c+d+e+f+g+h)+\\Gamma(a)'],
  ['1 MB of dollars after an anchor', '5', `The final answer is ${'$'.repeat(1 << 20)}`],
  ['product over 10^7 terms', '5', '\\prod_{k=1}^{10^7} k'],
  ['10k spaces before a letter', '5', `5${' '.repeat(9990)}x`],
  ['unclosed box then 20k spaces', '5', `\\boxed{5${' '.repeat(20_000)}`],
  ['1 MB of end-of-turn markers', '5', '<|im_end|>'.repeat(100_000)],
  ['doubled backslashes, 100 KB', '5', '\\\\frac{'.repeat(20_000)],
];

beforeAll(() => warmUp());

describe('hostile input', () => {
  for (const [name, gold, pred] of HOSTILE) {
    it(`${name}: returns a boolean within ${BOUND_MS} ms`, () => {
      const t = performance.now();
      const a = verify(gold, pred);
      const b = isEquivalent(gold, pred);
      const c = extractAnswer(pred);
      const d = partialCredit(gold, pred);
      expect(typeof d).toBe('number');
      const ms = performance.now() - t;
      expect(typeof a).toBe('boolean');
      expect(typeof b).toBe('boolean');
      expect(c === null || typeof c === 'string').toBe(true);
      expect(ms).toBeLessThan(BOUND_MS);
    });
  }

  it('a tower of powers is not equal to itself plus one, nor x^1e6 to x^(1e6+1)', () => {
    expect(isEquivalent('9^{9^{9^9}}', '9^{9^{9^9}}+1')).toBe(false);
    expect(isEquivalent('x^{1000000}', 'x^{1000001}')).toBe(false);
  });

  it('the plugin scores hostile solutions 0 without throwing', async () => {
    const reward = await plugin.definition.setup({} as never, { tolerance: 1e-6, fallbackLastNumber: true, seed: 1, allowSetRelation: true, partialCredit: false });
    for (const [, , pred] of HOSTILE) {
      const r = await reward.score({ id: 't', prompt: 'p', answer: '42' }, pred);
      expect(r.value).toBe(0);
    }
    const weird = await reward.score({ id: 't', prompt: 'p', answer: '42' }, null as unknown as string);
    expect(weird.correct).toBe(false);
  });
});

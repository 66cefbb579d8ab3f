import fc from 'fast-check';
import type { Task } from '@reasoner/core';
import { isEquivalent } from './equivalence.js';
import { extractAnswer } from './extract.js';
import { scoreMath } from './index.js';
import { partialCredit } from './partial.js';
import { verify } from './verify.js';

/**
 * Property-based fuzzing of every public function over hostile strings: fragments that have
 * made checkers backtrack, recurse or loop (dollar runs, unclosed boxes and environments, deep
 * nesting, towers of powers, huge ranges, anchor and debris spam, doubled backslashes), mixed
 * and repeated up to a length cap. Used by the test suite (small budget) and the bench (large).
 */
const FRAGMENTS = [
  '\\boxed{', '}', '{', '$', '$$', '\\[', '\\]', '\\(', '\\)', '\\frac{', '^{', '_{', '9', '0', ' ', '  ', ',', '\\!', ',\\!', 'x', 'a_j', '(', ')',
  '[', ']', '|', '\\left(', '\\right)', 'The final answer is ', 'answer: ', 'Therefore, the value is ', '<|im_start|>', '<|im_end|>', '\\\\',
  '=', '<', '>', '\\le', 'and ', 'or ', ';', ':', '\\sum_{k=1}^{10^7}', '\\prod_{k=1}^{10^7} k', '(a+b+c+d)^{63}', '\\Gamma(a)', '!', '.', '\n', '\t',
  '\\text{', 'cm', '%', '\\pm', '\\cup', '\\in', '\\infty', '\\sqrt', '9^{9^{9^9}}', '\\begin{pmatrix}', '&', '\\end{pmatrix}', '1,000', 'i', 'e',
];

/** A hostile string: a few fragments, each repeated up to `maxRepeat` times, capped at `maxLen` characters. */
export function hostileString(maxLen: number, maxRepeat: number): fc.Arbitrary<string> {
  const piece = fc.tuple(fc.constantFrom(...FRAGMENTS), fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: maxRepeat })));
  return fc
    .array(fc.oneof(piece.map(([f, n]) => f.repeat(n)), fc.string({ maxLength: 40 })), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join('').slice(0, maxLen));
}

export interface FuzzReport { runs: number; calls: number; worstMs: number; worstCall: string; worstInputLength: number; worstInput: string }

const GOLDS = ['5', '\\frac{7}{4}', '(2,5)', 'x^2+1', '[-2,\\infty)', '\\{1,2\\}', 'V_a:V_b=5:9'];

/**
 * Runs every public function on `runs` generated inputs (seeded) and returns the worst time.
 * Throws (via fast-check) when a function throws or returns the wrong type.
 */
export function fuzzPublicApi(opts: { seed: number; runs: number; maxLen: number; maxRepeat: number }): FuzzReport {
  const report: FuzzReport = { runs: 0, calls: 0, worstMs: 0, worstCall: '', worstInputLength: 0, worstInput: '' };
  const time = (name: string, input: string, f: () => unknown, check: (r: unknown) => boolean): void => {
    const t = performance.now();
    const r = f();
    const ms = performance.now() - t;
    report.calls++;
    if (ms > report.worstMs) Object.assign(report, { worstMs: ms, worstCall: name, worstInputLength: input.length, worstInput: input.slice(0, 200) });
    if (!check(r)) throw new Error(`${name} returned ${String(r)}`);
  };
  const isBool = (r: unknown): boolean => typeof r === 'boolean';
  fc.assert(
    fc.property(hostileString(opts.maxLen, opts.maxRepeat), fc.constantFrom(...GOLDS), (s, gold) => {
      report.runs++;
      time('extractAnswer', s, () => extractAnswer(s), (r) => r === null || typeof r === 'string');
      time('verify', s, () => verify(gold, s), isBool);
      time('verify(gold=s)', s, () => verify(s, gold), isBool);
      time('isEquivalent', s, () => isEquivalent(gold, s), isBool);
      time('partialCredit', s, () => partialCredit(gold, s), (r) => typeof r === 'number' && r >= 0 && r <= 1);
      const task: Task = { id: 'fuzz', prompt: 'p', answer: gold } as Task;
      time('scoreMath', s, () => scoreMath(task, s), (r) => typeof (r as { value?: unknown }).value === 'number');
    }),
    { seed: opts.seed, numRuns: opts.runs },
  );
  report.worstMs = Number(report.worstMs.toFixed(1));
  return report;
}

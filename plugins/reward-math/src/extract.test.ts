import { describe, expect, it } from 'vitest';
import { extractAnswer, stripChatDebris } from './extract.js';

describe('extractAnswer', () => {
  const cases: Array<[string, string, string | null]> = [
    ['last boxed wins', 'first \\boxed{4}, after fixing an error we get \\boxed{5}.', '5'],
    ['nested braces in boxed', 'so $\\boxed{\\frac{1}{\\sqrt{2}}}$.', '\\frac{1}{\\sqrt{2}}'],
    ['fbox', 'result: \\fbox{12}', '12'],
    ['boxed without braces', 'the count is \\boxed 7.', '7'],
    ['unclosed boxed takes the rest', 'thus \\boxed{12 $', '12'],
    ['boxed list joined', 'The roots are \\boxed{1}, \\boxed{2} and \\boxed{3}.', '1, 2, 3'],
    ['GSM8K hashes', 'She has 3 + 4 = 7 apples.\n#### 7', '7'],
    ['GSM8K hashes with commas', 'Total 1,200 + 300.\n#### 1,500', '1,500'],
    ['final answer is $…$', 'Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.', '\\frac{3}{4}'],
    ['the answer is plain', 'So 8 * 9 = 72. The answer is 72.', '72'],
    ['answer: with units', 'The answer is: 12 apples.', '12 apples'],
    ['answer after "is" in a sentence', 'Final Answer: The largest $n$ is 34.', '34'],
    ['answer to part', 'So the answer to part (b) is 9, as claimed.', '9'],
    ['bold label', '**Answer:** $12$', '12'],
    ['"to answer this" is not a label', 'To answer this, note that 3 + 4 = 7. Then doubling gives 14.', '14'],
    ['percent after math env', 'The loss is $28$ %', '28\\%'],
    ['bare LaTeX used whole', '\\frac{10}{9}', '\\frac{10}{9}'],
    ['bare with unit word', '125 miles', '125 miles'],
    ['bare text', 'Evelyn', 'Evelyn'],
    ['last math env', 'We find $x = 2$ and then $y = 3$ is the value', 'y = 3'],
    ['number after env wins', 'With $a = 2$ we get 5 apples', '5'],
    ['last number fallback', 'Adding gives 3 + 4 = 7 in total', '7'],
    ['no number inside words', 'AZYUK2A is the code', null],
    ['empty', '', null],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => expect(extractAnswer(text)).toBe(want));
  }

  it('last-number fallback can be turned off', () => {
    expect(extractAnswer('Adding gives 3 + 4 = 7 in total', { fallbackLastNumber: false })).toBeNull();
    expect(extractAnswer('#### 7', { fallbackLastNumber: false })).toBe('7');
  });

  it('cuts chat-template debris after the answer', () => {
    expect(extractAnswer('The answer is $\\boxed{7}$<|im_end|>\n<|im_start|>user\nNow \\boxed{8}?')).toBe('7');
    expect(extractAnswer('The answer is 7.<|eot_id|><|start_header_id|>user<|end_header_id|>\nWhat is 9?')).toBe('7');
    expect(stripChatDebris('<|im_start|>assistant\nWe get 11.<|im_end|>')).toBe('We get 11.');
  });

  it('searches only the tail of very long text', () => {
    const text = `\\boxed{1}${'x'.repeat(30_000)} so the answer is 2`;
    expect(extractAnswer(text)).toBe('2');
  });
});

import { describe, expect, it } from 'vitest';
import { CharTokenizer, EOS } from './tokenizer.js';

describe('CharTokenizer', () => {
  const tok = CharTokenizer.fromAlphabet('\n *+-/0123456789<=>');

  it('reserves <pad> <bos> <eos> and round-trips text', () => {
    expect(tok.vocab.slice(0, 3)).toEqual(['<pad>', '<bos>', '<eos>']);
    const text = '3 7 25 4>89\n25+4=29\n=89\n';
    const ids = tok.encode(text);
    expect(ids).toHaveLength(text.length);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode([...ids, EOS])).toBe(text);
    expect(CharTokenizer.fromSpec(tok.toSpec()).vocab).toEqual(tok.vocab);
  });

  it('rejects unknown characters with RSN_ERR_VOCAB naming the char and position', () => {
    expect(() => tok.encode('12+x')).toThrowError(expect.objectContaining({ code: 'RSN_ERR_VOCAB', message: expect.stringMatching(/"x".*position 3/) }));
  });

  it('rejects a vocab without the special tokens', () => {
    expect(() => new CharTokenizer(['a', 'b', 'c'])).toThrowError(expect.objectContaining({ code: 'RSN_ERR_CHECKPOINT' }));
  });
});

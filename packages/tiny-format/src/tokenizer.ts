import { ReasonerError } from '@reasoner/core';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>'] as const;

export interface TokenizerSpec {
  type: 'char';
  vocab: string[];
}

/** Character-level tokenizer (CHECKPOINT.md): ids 0..2 are `<pad>`, `<bos>`, `<eos>`, the rest single UTF-16 code units. */
export class CharTokenizer {
  readonly vocab: readonly string[];
  private readonly index = new Map<string, number>();

  constructor(vocab: readonly string[]) {
    if (vocab.length < 3 || SPECIAL_TOKENS.some((t, i) => vocab[i] !== t)) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', 'tokenizer vocab must start with <pad>, <bos>, <eos>', { hint: 'rebuild the vocab with CharTokenizer.fromAlphabet()' });
    }
    for (let i = 3; i < vocab.length; i++) {
      const ch = vocab[i]!;
      if (ch.length !== 1 || this.index.has(ch)) {
        throw new ReasonerError('RSN_ERR_CHECKPOINT', `tokenizer vocab entry ${i} (${JSON.stringify(ch)}) is not a unique single character`, { hint: 'rebuild the vocab with CharTokenizer.fromAlphabet()' });
      }
      this.index.set(ch, i);
    }
    this.vocab = [...vocab];
  }

  /** Builds a vocab from every character of `alphabet` (deduplicated, sorted for a stable order). */
  static fromAlphabet(alphabet: string | Iterable<string>): CharTokenizer {
    const chars = new Set<string>();
    for (const s of typeof alphabet === 'string' ? [alphabet] : alphabet) for (const c of s) for (let i = 0; i < c.length; i++) chars.add(c[i]!);
    return new CharTokenizer([...SPECIAL_TOKENS, ...[...chars].sort()]);
  }

  static fromSpec(spec: TokenizerSpec): CharTokenizer {
    if (!spec || spec.type !== 'char' || !Array.isArray(spec.vocab)) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', `unsupported tokenizer ${JSON.stringify(spec?.type)}`, { hint: 'policy-tiny checkpoints use { "type": "char", "vocab": [...] }' });
    }
    return new CharTokenizer(spec.vocab);
  }

  get size(): number {
    return this.vocab.length;
  }

  toSpec(): TokenizerSpec {
    return { type: 'char', vocab: [...this.vocab] };
  }

  /** Ids of `text` (no `<bos>`/`<eos>`); an unknown character throws RSN_ERR_VOCAB naming it and its position. */
  encode(text: string): number[] {
    const ids = new Array<number>(text.length);
    for (let i = 0; i < text.length; i++) {
      const id = this.index.get(text[i]!);
      if (id === undefined) {
        throw new ReasonerError('RSN_ERR_VOCAB', `character ${JSON.stringify(text[i])} (U+${text.charCodeAt(i).toString(16).padStart(4, '0')}) at position ${i} is not in the tokenizer vocabulary`, {
          position: i,
          char: text[i],
          hint: `use only these characters: ${JSON.stringify(this.vocab.slice(3).join(''))} (or retrain with a vocab that includes it)`,
        });
      }
      ids[i] = id;
    }
    return ids;
  }

  /** Text of `ids`; special tokens decode to the empty string. */
  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) if (id >= 3 && id < this.vocab.length) s += this.vocab[id];
    return s;
  }

  /** One token's text ('' for special tokens). */
  token(id: number): string {
    return id >= 3 ? (this.vocab[id] ?? '') : '';
  }
}

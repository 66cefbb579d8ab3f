import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ReasonerError } from '@reasoner/core';
import { BOS, CharTokenizer, EOS, PAD } from '@reasoner/tiny-format';

/** What generation needs from a tokenizer, whichever kind it is. */
export interface TextTokenizer {
  /** Ids of a prompt, with the model's leading special tokens (e.g. `<bos>`). */
  encodePrompt(text: string): number[];
  /** Ids of continuation text (no special tokens). */
  encodeText(text: string): number[];
  /** Text of generated ids (special tokens dropped). */
  decode(ids: readonly number[]): string;
  /** Text of one token, for tokenizers whose tokens decode independently (lets generation append instead of re-decoding). */
  tokenText?(id: number): string;
  readonly eosId: number | null;
  /** Whether sampling this id ends the completion (`finishReason: 'eos'`). */
  isEnd(id: number): boolean;
  /** Id fed at padded slots (masked out, so any valid id works). */
  readonly padId: number;
}

/** policy-tiny's character tokenizer (CHECKPOINT.md) seen through `TextTokenizer`. */
export class CharTextTokenizer implements TextTokenizer {
  readonly eosId: number | null = EOS;
  readonly padId: number = PAD;

  constructor(readonly chars: CharTokenizer) {}

  /** Like policy-tiny: any special token (`<pad>`, `<bos>`, `<eos>`) ends the completion. */
  isEnd(id: number): boolean {
    return id < 3;
  }

  static fromVocab(vocab: readonly string[]): CharTextTokenizer {
    return new CharTextTokenizer(new CharTokenizer(vocab));
  }

  encodePrompt(text: string): number[] {
    return [BOS, ...this.chars.encode(text)];
  }

  encodeText(text: string): number[] {
    return this.chars.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.chars.decode(ids);
  }

  tokenText(id: number): string {
    return this.chars.token(id);
  }
}

type TokenField = string | { content?: string } | null | undefined;

/** A Hugging Face `tokenizer.json` (BPE / ByteLevel, WordPiece, Unigram…) via @huggingface/tokenizers. */
export class HfTokenizer implements TextTokenizer {
  readonly eosId: number | null;
  readonly padId: number;

  constructor(private readonly tok: Tokenizer, ids: { eos: number | null; pad: number | null }) {
    this.eosId = ids.eos;
    this.padId = ids.pad ?? ids.eos ?? 0;
  }

  isEnd(id: number): boolean {
    return id === this.eosId;
  }

  encodePrompt(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: true }).ids;
  }

  encodeText(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tok.decode([...ids], { skip_special_tokens: true });
  }
}

async function readJsonIfExists(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Loads `tokenizer.json` plus, from the same folder when present, `tokenizer_config.json`
 * (bos/eos/pad tokens), `generation_config.json` and `config.json` (eos_token_id).
 */
export async function loadHfTokenizer(path: string): Promise<HfTokenizer> {
  const hint = 'pass `tokenizer` as the path of the model\'s tokenizer.json (Hugging Face tokenizers format)';
  let json: any;
  let config: any;
  let genConfig: any;
  let modelConfig: any;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
    const dir = dirname(path);
    config = (await readJsonIfExists(join(dir, 'tokenizer_config.json'))) ?? {};
    genConfig = (await readJsonIfExists(join(dir, 'generation_config.json'))) ?? {};
    modelConfig = (await readJsonIfExists(join(dir, 'config.json'))) ?? {};
  } catch (e) {
    throw new ReasonerError('RSN_ERR_ONNX_MODEL', `cannot read tokenizer ${path}: ${(e as Error).message}`, { hint }, { cause: e });
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new ReasonerError('RSN_ERR_ONNX_MODEL', `${path} is not a tokenizer.json this library understands: ${(e as Error).message}`, { hint }, { cause: e });
  }
  const vocab = tok.get_vocab(true);
  const idOf = (t: TokenField): number | null => {
    const s = typeof t === 'string' ? t : t?.content;
    return s !== undefined && vocab.has(s) ? vocab.get(s)! : null;
  };
  const firstId = (v: unknown): number | null => (Array.isArray(v) ? (typeof v[0] === 'number' ? v[0] : null) : typeof v === 'number' ? v : null);
  const eos = idOf(config.eos_token) ?? firstId(genConfig.eos_token_id) ?? firstId(modelConfig.eos_token_id)
    ?? idOf(['<|endoftext|>', '</s>', '<eos>', '<|end_of_text|>', '<|im_end|>'].find((s) => vocab.has(s)));
  const pad = idOf(config.pad_token) ?? firstId(genConfig.pad_token_id) ?? firstId(modelConfig.pad_token_id);
  return new HfTokenizer(tok, { eos, pad });
}

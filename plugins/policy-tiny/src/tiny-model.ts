import type { Rng } from '@reasoner/core';
import { disposeParams, initWeights, readParams, toParams, type Arch, type Params } from './model.js';
import type { CharTokenizer } from '@reasoner/tiny-format';
import type { LoadedCheckpoint } from '@reasoner/tiny-format';

/** A model in memory: architecture, tokenizer and its weights as tf.Variables. */
export class TinyModel {
  constructor(
    readonly arch: Arch,
    readonly tokenizer: CharTokenizer,
    readonly params: Params,
  ) {}

  /** Fresh GPT-2-style initialisation (vocabSize is taken from the tokenizer). */
  static random(arch: Omit<Arch, 'vocabSize'> & { vocabSize?: number }, tokenizer: CharTokenizer, rng: Rng): TinyModel {
    const full: Arch = { ...arch, vocabSize: tokenizer.size };
    return new TinyModel(full, tokenizer, toParams(full, initWeights(full, rng)));
  }

  static fromCheckpoint(ckpt: Pick<LoadedCheckpoint, 'arch' | 'tokenizer' | 'weights'>): TinyModel {
    const raw = new Map([...ckpt.weights].map(([k, w]) => [k, w.data]));
    return new TinyModel(ckpt.arch, ckpt.tokenizer, toParams(ckpt.arch, raw));
  }

  /** Copies of the current weights (for saving a checkpoint). */
  weights(): Promise<Map<string, Float32Array>> {
    return readParams(this.params);
  }

  dispose(): void {
    disposeParams(this.params);
  }
}

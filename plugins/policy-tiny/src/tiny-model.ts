import type { Rng } from '@reasoner/core';
import * as tf from '@tensorflow/tfjs';
import { disposeParams, initWeights, ownedVariable, readParams, toParams, type Arch, type Params } from './model.js';

import type { CharTokenizer, LoadedCheckpoint } from '@reasoner/tiny-format';

let cloneSeq = 0;

/** A model in memory: architecture, tokenizer and its weights as tf.Variables. */
export class TinyModel {
  /** Bumped by every applied optimizer step (engines that copy the weights re-export on change). */
  version = 0;

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

  /** An independent copy of the current weights (a frozen reference). */
  clone(): TinyModel {
    const params: Params = new Map();
    let i = 0;
    for (const [name, v] of this.params) params.set(name, ownedVariable(tf.clone(v), true, `${v.name}~c${++cloneSeq}.${i++}`));
    return new TinyModel(this.arch, this.tokenizer, params);
  }

  dispose(): void {
    disposeParams(this.params);
  }
}

import { createRng } from '@reasoner/core';
import type { Arch } from './model.js';
import { TinyModel } from './tiny-model.js';
import { CharTokenizer } from '@reasoner/tiny-format';

/** A random tiny model over a small alphabet (tests only). */
export function randomModel(overrides: Partial<Arch> = {}, seed = 1, alphabet = '\n +-=>0123456789abc'): TinyModel {
  const tok = CharTokenizer.fromAlphabet(alphabet);
  return TinyModel.random({ dModel: 32, nLayers: 2, nHeads: 4, dFF: 64, contextLength: 48, ...overrides }, tok, createRng(seed));
}

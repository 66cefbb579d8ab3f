import { createRng } from '@reasoner/core';
import { weightSpecs, type Arch } from './arch.js';
import { saveCheckpoint } from './checkpoint.js';
import { CharTokenizer } from './tokenizer.js';

/** Default character vocabulary for random test checkpoints. */
export const TEST_VOCAB = ['<pad>', '<bos>', '<eos>', '\n', ' ', ...'0123456789+-*/=()<>abcdefghijklmnopqrstuvwxyz:'];

/**
 * Writes a random-weight checkpoint with policy-tiny's `saveCheckpoint` (tests and the benchmark
 * use it; no training needed). Weights are larger than a training init so that logits are far
 * from uniform, which keeps greedy comparisons between implementations free of near-ties.
 */
export async function writeRandomTinyCheckpoint(dir: string, arch: Partial<Omit<Arch, 'vocabSize'>> = {}, seed = 1, vocab = TEST_VOCAB): Promise<string> {
  const a: Arch = { vocabSize: vocab.length, dModel: 32, nLayers: 2, nHeads: 4, dFF: 64, contextLength: 64, ...arch };
  const rng = createRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of weightSpecs(a)) {
    const data = new Float32Array(shape.reduce((x, y) => x * y, 1));
    const std = shape.length === 2 ? (name === 'wte' ? 3 : 1) / Math.sqrt(shape[0]!) : 0.1;
    for (let i = 0; i < data.length; i++) data[i] = name.endsWith('.g') ? 1 + 0.1 * gauss() : std * gauss();
    weights.set(name, data);
  }
  await saveCheckpoint(dir, { arch: a, tokenizer: new CharTokenizer(vocab), weights, meta: { steps: 0, note: 'random weights for tests' } });
  return dir;
}

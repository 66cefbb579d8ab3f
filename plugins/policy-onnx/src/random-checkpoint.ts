import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '@reasoner/core';
import type { TinyArch } from './tiny-checkpoint.js';

/** Contract tensor names and shapes (CHECKPOINT.md) for an architecture. */
export function tinyWeightShapes(a: TinyArch): Array<[string, number[]]> {
  const { vocabSize: V, dModel: D, dFF: F } = a;
  const out: Array<[string, number[]]> = [['wte', [V, D]], ['wpe', [a.contextLength, D]]];
  for (let l = 0; l < a.nLayers; l++) {
    const p = `h.${l}`;
    out.push([`${p}.ln1.g`, [D]], [`${p}.ln1.b`, [D]], [`${p}.attn.wqkv`, [D, 3 * D]], [`${p}.attn.bqkv`, [3 * D]], [`${p}.attn.wo`, [D, D]], [`${p}.attn.bo`, [D]]);
    out.push([`${p}.ln2.g`, [D]], [`${p}.ln2.b`, [D]], [`${p}.mlp.w1`, [D, F]], [`${p}.mlp.b1`, [F]], [`${p}.mlp.w2`, [F, D]], [`${p}.mlp.b2`, [D]]);
  }
  out.push(['lnf.g', [D]], ['lnf.b', [D]]);
  return out;
}

/** Default character vocabulary for random test checkpoints. */
export const TEST_VOCAB = ['<pad>', '<bos>', '<eos>', '\n', ' ', ...'0123456789+-*/=()abcdefghijklmnopqrstuvwxyz:'];

/**
 * Writes a random-weight checkpoint that follows the contract (tests and the benchmark use it;
 * no training needed). Weights are drawn so that logits are far from uniform, which makes
 * greedy decoding a meaningful comparison.
 */
export async function writeRandomTinyCheckpoint(dir: string, arch: Partial<TinyArch> = {}, seed = 1, vocab = TEST_VOCAB): Promise<string> {
  const a: TinyArch = { vocabSize: vocab.length, dModel: 32, nLayers: 2, nHeads: 4, dFF: 64, contextLength: 64, ...arch };
  const rng = createRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const entries: Array<{ name: string; shape: number[]; offset: number }> = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, shape] of tinyWeightShapes(a)) {
    const size = shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(size);
    const isGain = name.endsWith('.g');
    const std = shape.length === 2 ? 1 / Math.sqrt(shape[0]!) : 0.1;
    for (let i = 0; i < size; i++) data[i] = isGain ? 1 + 0.1 * gauss() : std * gauss() * (name === 'wte' ? 3 : 1);
    entries.push({ name, shape, offset });
    chunks.push(data);
    offset += size;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(all.buffer));
  await writeFile(join(dir, 'checkpoint.json'), JSON.stringify({
    format: 'reasoner-tiny',
    formatVersion: 1,
    arch: a,
    tokenizer: { type: 'char', vocab },
    weights: entries,
    training: { steps: 0, note: 'random weights for tests' },
    id: `tiny-random-${seed}-${a.dModel}x${a.nLayers}`,
  }, null, 1));
  return dir;
}

import type { Rng } from '@reasoner/core';

/** Architecture hyper-parameters (CHECKPOINT.md `arch`). */
export interface Arch {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dFF: number;
  contextLength: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
}

/** Weight names and shapes in checkpoint order (CHECKPOINT.md table). */
export function weightSpecs(arch: Arch): WeightSpec[] {
  const { vocabSize: V, dModel: d, dFF: f, contextLength: C } = arch;
  const specs: WeightSpec[] = [
    { name: 'wte', shape: [V, d] },
    { name: 'wpe', shape: [C, d] },
  ];
  for (let l = 0; l < arch.nLayers; l++) {
    const p = `h.${l}.`;
    specs.push(
      { name: p + 'ln1.g', shape: [d] }, { name: p + 'ln1.b', shape: [d] },
      { name: p + 'attn.wqkv', shape: [d, 3 * d] }, { name: p + 'attn.bqkv', shape: [3 * d] },
      { name: p + 'attn.wo', shape: [d, d] }, { name: p + 'attn.bo', shape: [d] },
      { name: p + 'ln2.g', shape: [d] }, { name: p + 'ln2.b', shape: [d] },
      { name: p + 'mlp.w1', shape: [d, f] }, { name: p + 'mlp.b1', shape: [f] },
      { name: p + 'mlp.w2', shape: [f, d] }, { name: p + 'mlp.b2', shape: [d] },
    );
  }
  specs.push({ name: 'lnf.g', shape: [d] }, { name: 'lnf.b', shape: [d] });
  return specs;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function parameterCount(arch: Arch): number {
  return weightSpecs(arch).reduce((n, s) => n + sizeOf(s.shape), 0);
}

/** Multiply-adds ×2 of one forward token at context position `t` (matmuls only; what GFLOP/s figures use). */
export function forwardFlopsPerToken(arch: Arch, t: number): number {
  const { dModel: d, dFF: f, nLayers: L, vocabSize: V } = arch;
  return 2 * (L * (3 * d * d + d * d + 2 * d * f + 2 * t * d) + V * d);
}

function gaussian(rng: Rng): number {
  // Box–Muller; 1 - u keeps log away from 0.
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** GPT-2 style init: N(0, 0.02), residual output projections scaled by 1/sqrt(2·nLayers), LN gain 1. */
export function initWeights(arch: Arch, rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const residualStd = 0.02 / Math.sqrt(2 * arch.nLayers);
  for (const { name, shape } of weightSpecs(arch)) {
    const size = sizeOf(shape);
    const data = new Float32Array(size);
    if (name.endsWith('.g')) data.fill(1);
    else if (shape.length === 2) {
      const std = name.endsWith('attn.wo') || name.endsWith('mlp.w2') ? residualStd : 0.02;
      for (let i = 0; i < size; i++) data[i] = gaussian(rng) * std;
    }
    out.set(name, data);
  }
  return out;
}

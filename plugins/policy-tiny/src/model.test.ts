import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';
import { forwardLogits } from './generate.js';
import { forwardHidden, parameterCount, weightSpecs } from './model.js';
import { randomModel } from './test-helpers.js';

describe('model', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('follows the CHECKPOINT.md weight table', () => {
    const m = randomModel();
    const specs = weightSpecs(m.arch);
    expect(specs[0]).toEqual({ name: 'wte', shape: [m.arch.vocabSize, 32] });
    expect(specs.map((s) => s.name)).toContain('h.1.attn.wqkv');
    expect(specs.find((s) => s.name === 'h.0.attn.wqkv')!.shape).toEqual([32, 96]);
    expect(parameterCount(m.arch)).toBe(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
    m.dispose();
  });

  it('forward gives [B, T, V] logits; a row does not depend on its batch mates or on later tokens', () => {
    const m = randomModel();
    const V = m.arch.vocabSize;
    const a = [1, 5, 6, 7, 8];
    const b = [1, 9, 10, 11, 12];
    const both = forwardLogits(m, [a, b]);
    expect(both).toHaveLength(2 * 5 * V);
    const alone = forwardLogits(m, [a]);
    for (let i = 0; i < alone.length; i++) expect(both[i]).toBeCloseTo(alone[i]!, 4);
    // Causality: changing the last token leaves earlier positions unchanged.
    const changed = forwardLogits(m, [[1, 5, 6, 7, 3]]);
    for (let i = 0; i < 4 * V; i++) expect(changed[i]).toBeCloseTo(alone[i]!, 4);
    m.dispose();
  });

  it('one-hot (training) and gather (inference) embeddings agree', () => {
    const m = randomModel();
    const [x, y] = tf.tidy(() => {
      const ids = tf.tensor2d([[1, 4, 5, 6]], [1, 4], 'int32');
      return [forwardHidden(m.arch, m.params, ids, { training: true }).h.arraySync(), forwardHidden(m.arch, m.params, ids).h.arraySync()];
    });
    expect(x).toEqual(y);
    m.dispose();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHooks } from '@reasoner/core';
import type { Task } from '@reasoner/core';
import { useBackend } from './backend.js';
import { loadCheckpoint } from '@reasoner/tiny-format';
import type { SftData } from './data.js';
import { encodeRecord, lrAt, train } from './train.js';
import { CharTokenizer } from '@reasoner/tiny-format';

/** Trivial task: reverse three letters. */
function reverseData(): SftData {
  const letters = 'abcd';
  const make = (s: string): Task & { solution: string } => ({ id: s, prompt: `${s}>`, solution: `${[...s].reverse().join('')}\n`, answer: [...s].reverse().join('') });
  const all: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of letters) all.push(a + b + c);
  return {
    name: 'reverse',
    alphabet: letters + '>\n',
    validation: all.slice(0, 16).map(make),
    verify: (task, text) => ({ correct: text.trim() === task.answer }),
    sample: (rng) => {
      const t = make(all[rng.int(all.length)]!);
      return { prompt: t.prompt, solution: t.solution };
    },
  };
}

describe('train', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'tiny-train-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('masks the prompt out of the loss', () => {
    const tok = CharTokenizer.fromAlphabet('ab>\n');
    const r = encodeRecord(tok, { prompt: 'ab>', solution: 'ba\n' });
    expect(r.ids).toHaveLength(1 + 3 + 3 + 1);
    // Position 3 (the '>') predicts the first solution char.
    expect(r.lossFrom).toBe(3);
  });

  it('warmup then cosine decay', () => {
    const s = { lr: 1, warmup: 10, steps: 110, minLrRatio: 0.1 };
    expect(lrAt(0, s)).toBeCloseTo(0.1);
    expect(lrAt(10, s)).toBeCloseTo(1);
    expect(lrAt(60, s)).toBeCloseTo(0.55);
    expect(lrAt(110, s)).toBeCloseTo(0.1);
    expect(lrAt(10, s, 1)).toBeCloseTo(0.1);
  });

  it('drives the loss down on a trivial task, calls learnStep, saves and resumes', async () => {
    const hooks = createHooks();
    const seen: number[] = [];
    hooks.learnStep.tapPromise('test', async (info) => void seen.push(info.loss));
    const before = tf.memory().numTensors;
    const out = join(dir, 'rev');
    const r = await train({
      data: reverseData(),
      size: { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, contextLength: 16 },
      steps: 150, batchSize: 32, lr: 1e-2, warmup: 10, evalEvery: 150, evalTasks: 16, out, hooks, seed: 3,
    });
    expect(seen).toHaveLength(150);
    const first = seen.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = seen.slice(-5).reduce((a, b) => a + b) / 5;
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(first / 3);
    expect(r.valLoss!).toBeLessThan(first / 3);
    expect(r.valAccuracy!).toBeGreaterThan(0.5);
    const ck = await loadCheckpoint(out);
    expect(ck.id).toBe(r.id);
    expect(ck.meta).toMatchObject({ steps: 150, task: 'reverse' });
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const r2 = await train({ data: reverseData(), resume: out, steps: 160, batchSize: 32, lr: 1e-3, evalEvery: 1000, evalTasks: 0, out: join(dir, 'rev2') });
    expect(r2.steps).toBe(160);
    expect(r2.loss).toBeLessThan(first / 3);
    expect((await loadCheckpoint(join(dir, 'rev2'))).meta).toMatchObject({ steps: 160 });
    r2.model.dispose();
  }, 60_000);
});

/**
 * policy-tiny benchmark: generation tokens/s (batch 1/16/64, with and without the KV cache) and
 * training tokens/s on tfjs-cpu and tfjs-wasm, each also as effective GFLOP/s (matmul FLOPs of
 * the work done) beside the backend's own 512³ matmul GFLOP/s measured in the same run.
 * Model: the shipped recipe's size with random weights (speed does not depend on the values).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@reasoner/core';
import { useBackend, type BackendName } from '../src/backend.js';
import type { SftData } from '../src/data.js';
import { decode } from '../src/generate.js';
import { forwardFlopsPerToken, parameterCount } from '../src/model.js';
import { TinyModel } from '../src/tiny-model.js';
import { CharTokenizer } from '@reasoner/tiny-format';
import { DEFAULT_RECIPE, train } from '../src/train.js';
import { objectivesBench } from './objectives.js';

const ALPHABET = '\n *+-/0123456789<=>';
const PROMPT_LEN = 12;

function matmulGflops(): number {
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dispose();
  const reps = 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.matMul(a, b).dataSync();
  const ms = (performance.now() - t0) / reps;
  tf.dispose([a, b]);
  return (2 * n ** 3) / ms / 1e6;
}

async function genBench(model: TinyModel, batch: number, newTokens: number, kvCache: boolean): Promise<{ tokensPerSec: number; gflops: number }> {
  const ids = [1, ...model.tokenizer.encode('3 7 25 4>89\n'.slice(0, PROMPT_LEN - 1))];
  const rows = () => Array.from({ length: batch }, (_, i) => ({ ids, rng: createRng(i) }));
  // Exactly newTokens per row (ignoreEos); one untimed run first, since tfjs-wasm is slow on the first call of each shape.
  await decode(model, rows(), { temperature: 1, maxTokens: newTokens, kvCache, ignoreEos: true });
  const t0 = performance.now();
  const out = await decode(model, rows(), { temperature: 1, maxTokens: newTokens, kvCache, ignoreEos: true });
  const ms = performance.now() - t0;
  const produced = out.reduce((a, c) => a + c.tokens, 0);
  // FLOPs: prefill + one token per step (cache) or the whole prefix every step (no cache).
  let flops = 0;
  const steps = Math.max(...out.map((c) => c.tokens));
  for (let p = 0; p < ids.length; p++) flops += batch * forwardFlopsPerToken(model.arch, p);
  for (let s = 1; s < steps; s++) {
    const len = ids.length + s;
    if (kvCache) flops += batch * forwardFlopsPerToken(model.arch, len);
    else for (let p = 0; p < len; p++) flops += batch * forwardFlopsPerToken(model.arch, p);
  }
  return { tokensPerSec: (produced / ms) * 1000, gflops: flops / ms / 1e6 };
}

function countdownLikeData(): SftData {
  const tasks = [{ id: 'x', prompt: '3 7 25 4>89\n', solution: '25+4=29\n29*3=87\n87+7=94\n<\n87-7=80\n<\n=89\n' }];
  return { name: 'bench', alphabet: ALPHABET, validation: tasks, sample: () => tasks[0]! };
}

async function backendBench(backend: BackendName, fast: boolean): Promise<Record<string, unknown>> {
  await useBackend(backend);
  const tok = CharTokenizer.fromAlphabet(ALPHABET);
  const model = TinyModel.random(DEFAULT_RECIPE.size, tok, createRng(1));
  const res: Record<string, unknown> = { matmul512Gflops: matmulGflops() };
  const newTokens = fast ? 32 : 8;
  for (const batch of [1, 16, 64]) {
    for (const kv of [true, false]) {
      const r = await genBench(model, batch, newTokens, kv);
      res[`gen_b${batch}_${kv ? 'kv' : 'nokv'}_tokPerSec`] = Math.round(r.tokensPerSec);
      res[`gen_b${batch}_${kv ? 'kv' : 'nokv'}_gflops`] = +r.gflops.toFixed(3);
    }
  }
  model.dispose();
  const steps = fast ? 6 : 2;
  const tr = await train({ data: countdownLikeData(), size: DEFAULT_RECIPE.size, steps, batchSize: 32, warmup: 1, evalEvery: 1000, evalTasks: 0, backend });
  // Drop the first step (kernel warm-up) by timing a second short run on the same backend.
  const tr2 = await train({ data: countdownLikeData(), size: DEFAULT_RECIPE.size, steps, batchSize: 32, warmup: 1, evalEvery: 1000, evalTasks: 0, backend });
  const T = tok.encode(countdownLikeData().validation[0]!.prompt + countdownLikeData().validation[0]!.solution).length + 1;
  const trainFlops = 3 * tr2.tokens * forwardFlopsPerToken(tr2.model.arch, T / 2);
  res.train_tokPerSec = Math.round((tr2.tokens / tr2.wallMs) * 1000);
  res.train_gflops = +(trainFlops / tr2.wallMs / 1e6).toFixed(3);
  res.train_msPerStep = Math.round(tr2.wallMs / steps);
  tr.model.dispose();
  tr2.model.dispose();
  res.gen_b64_kv_vs_matmul = +((res.gen_b64_kv_gflops as number) / (res.matmul512Gflops as number)).toFixed(3);
  res.train_vs_matmul = +((res.train_gflops as number) / (res.matmul512Gflops as number)).toFixed(3);
  return res;
}

export default {
  name: 'policy-tiny',
  async run(): Promise<Record<string, unknown>> {
    const wasm = await backendBench('wasm', true);
    const objectives = await objectivesBench();
    const cpu = await backendBench('cpu', false);
    await useBackend('wasm');
    return {
      model: { ...DEFAULT_RECIPE.size, parameters: parameterCount({ ...DEFAULT_RECIPE.size, vocabSize: ALPHABET.length + 3 }) },
      wasm,
      objectives,
      cpu,
      wasm_vs_cpu_train: +((wasm.train_tokPerSec as number) / (cpu.train_tokPerSec as number)).toFixed(2),
      kv_speedup_wasm_b16: +((wasm.gen_b16_kv_tokPerSec as number) / (wasm.gen_b16_nokv_tokPerSec as number)).toFixed(2),
    };
  },
};

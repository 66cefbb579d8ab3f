import type { Task, TaskVerdict } from '@reasoner/core';
import { generateMany } from './generate.js';
import type { TinyModel } from './tiny-model.js';

export interface PassAtKResult {
  n: number;
  /** Greedy (temperature 0) accuracy. */
  greedyPass1: number;
  /** Mean accuracy of single samples at `temperature`. */
  samplePass1: number;
  /** Share of problems with at least one correct sample among `k`. */
  passAtK: number;
  k: number;
  temperature: number;
  tokens: number;
  wallMs: number;
  /** Per task: greedy correct, and how many of the k samples were correct. */
  perTask: Array<{ greedy: boolean; correctSamples: number }>;
}

/**
 * Greedy pass@1 and sampled pass@k of a model on tasks with a checker (the shipped checkpoint's
 * numbers come from here: scripts/eval-default.ts). Every sample is one row of a batched decode.
 */
export async function evaluatePassAtK(
  model: TinyModel,
  tasks: Task[],
  verify: (task: Task, text: string) => TaskVerdict | Promise<TaskVerdict>,
  opts: { k?: number; temperature?: number; seed?: number; maxTokens?: number; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<PassAtKResult> {
  const k = opts.k ?? 16;
  const temperature = opts.temperature ?? 1;
  const t0 = performance.now();
  const room = model.arch.contextLength - 1 - Math.max(...tasks.map((t) => t.prompt.length));
  const maxTokens = Math.min(opts.maxTokens ?? room, room);
  let tokens = 0;
  const greedy = await generateMany(model, tasks.map((t) => t.prompt), opts.seed ?? 0, { temperature: 0, maxTokens, batchSize: opts.batchSize ?? 64 });
  let greedyOk = 0;
  const perTask: PassAtKResult['perTask'] = [];
  for (let i = 0; i < tasks.length; i++) {
    tokens += greedy[i]!.tokens;
    const ok = (await verify(tasks[i]!, greedy[i]!.text)).correct;
    if (ok) greedyOk++;
    perTask.push({ greedy: ok, correctSamples: 0 });
  }
  let solved = 0;
  let sampleOk = 0;
  const chunk = Math.max(1, Math.floor((opts.batchSize ?? 128) / k) * 4);
  for (let s = 0; s < tasks.length; s += chunk) {
    const part = tasks.slice(s, s + chunk);
    const prompts = part.flatMap((t) => Array.from({ length: k }, () => t.prompt));
    const outs = await generateMany(model, prompts, (opts.seed ?? 0) + 1 + s, { temperature, maxTokens, batchSize: opts.batchSize ?? 128 });
    for (let j = 0; j < part.length; j++) {
      let any = false;
      for (let r = 0; r < k; r++) {
        const c = outs[j * k + r]!;
        tokens += c.tokens;
        if ((await verify(part[j]!, c.text)).correct) {
          sampleOk++;
          perTask[s + j]!.correctSamples++;
          any = true;
        }
      }
      if (any) solved++;
    }
    opts.onProgress?.(Math.min(tasks.length, s + chunk), tasks.length);
  }
  return {
    n: tasks.length,
    greedyPass1: greedyOk / tasks.length,
    samplePass1: sampleOk / (tasks.length * k),
    passAtK: solved / tasks.length,
    k,
    temperature,
    tokens,
    wallMs: performance.now() - t0,
    perTask,
  };
}

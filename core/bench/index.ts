/**
 * Kernel overhead: 10k tasks through the full pipeline (every hook, instrumented policy/reward,
 * durable JSONL append, summary) on zero-latency in-memory plugins, against calling the same
 * plugin functions directly in a loop, in the same process.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHooks, createRng, kernelFromConfig, runPipeline, verifierReward, createLogger, Budget, lineSteps } from '@reasoner/core';
import type { PluginContext, Policy, Search, TaskSource } from '@reasoner/core';
import { memoryPolicy, memorySearch, memoryTasks } from '@reasoner/core/testing';

const TASKS = 10_000;
const CONCURRENCY = 8;

function ctx(): PluginContext {
  return { hooks: createHooks(), logger: createLogger('silent'), configDir: process.cwd(), rng: createRng(0), onClose() {}, service: () => undefined };
}

async function direct(): Promise<number> {
  const tasks = (await memoryTasks.definition.setup(ctx(), { count: TASKS, delayMs: 0 })) as TaskSource;
  const policy = (await memoryPolicy.definition.setup(ctx(), { accuracy: 0.5, delayMs: 0 })) as Policy;
  const search = (await memorySearch.definition.setup(ctx(), {})) as Search;
  const reward = verifierReward(tasks);
  const hooks = createHooks();
  const t0 = process.hrtime.bigint();
  let correct = 0;
  for await (const task of tasks.tasks({})) {
    const r = await search.search({ task, policy, reward, hooks, budget: new Budget(), rng: createRng(1), signal: new AbortController().signal, steps: lineSteps });
    if (r.best.reward?.correct) correct++;
  }
  if (correct < 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function pipeline(out: string): Promise<{ ms: number; rssDeltaMb: number; heapDeltaMb: number }> {
  const k = await kernelFromConfig({
    policy: memoryPolicy({ accuracy: 0.5 }), tasks: memoryTasks({ count: TASKS }), search: memorySearch,
    // Every hook tapped once, so the measurement includes hook dispatch.
    plugins: [],
    hooks: {
      runStart: async () => {}, runEnd: async () => {}, taskStart: async (t) => t, taskEnd: async () => {},
      beforeGenerate: async (r) => r, afterGenerate: async (r) => r, beforeReward: async (s) => s, afterReward: async (r) => r,
      beforeSearch: async (t) => t, afterSearch: async (r) => r, trajectory: async (r) => r,
    },
    run: { out, concurrency: CONCURRENCY, seed: 0 },
    log: { level: 'silent' },
  });
  global.gc?.();
  const rss0 = process.memoryUsage().rss, heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  await runPipeline(k);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  global.gc?.();
  const m = process.memoryUsage();
  await k.close();
  return { ms, rssDeltaMb: (m.rss - rss0) / 2 ** 20, heapDeltaMb: (m.heapUsed - heap0) / 2 ** 20 };
}

export default {
  name: 'kernel',
  async run(): Promise<Record<string, unknown>> {
    const out = path.join(os.tmpdir(), `reasoner-bench-${process.pid}`);
    await direct(); // warm-up
    const directMs = await direct();
    const p = await pipeline(out);
    rmSync(out, { recursive: true, force: true });
    const overheadUs = ((p.ms - directMs) / TASKS) * 1000;
    return {
      tasks: TASKS,
      concurrency: CONCURRENCY,
      directMs: +directMs.toFixed(1),
      pipelineMs: +p.ms.toFixed(1),
      overheadPerTaskUs: +overheadUs.toFixed(2),
      ratioToDirect: +(p.ms / directMs).toFixed(2),
      overheadVs1msPolicyPct: +((overheadUs / 1000) * 100).toFixed(2),
      goalUs: 50,
      rssDeltaMb: +p.rssDeltaMb.toFixed(1),
      heapDeltaMb: +p.heapDeltaMb.toFixed(1),
    };
  },
};

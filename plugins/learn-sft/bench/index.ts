/**
 * `npm run bench -- learners`: training throughput of every learner on the shipped policy-tiny
 * checkpoint against the plain SFT trainer (policy-tiny `train`, resumed from the same
 * checkpoint), all on the same searched Countdown data in one process. tokens/s counts prompt +
 * completion tokens of the optimizer steps; `trainOnly` times trainStep alone, `endToEnd` also
 * the learner's reference passes (DPO) or rollouts (GRPO/PPO).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLearnEnv, kernelFromConfig, createLogger, groupsFromRecords, type Learner, type TrainablePolicy } from '@reasoner/core';
import tiny, { DEFAULT_CHECKPOINT, loadCheckpoint, train } from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';
import { createSftLearner } from '../src/index.js';
import { createDpoLearner } from '@reasoner/plugin-learn-dpo';
import { createPpoLearner } from '@reasoner/plugin-learn-ppo';

const STEPS = Number(process.env.LEARN_BENCH_STEPS ?? 8);

export default {
  name: 'learners',
  async run(): Promise<Record<string, unknown>> {
    const dir = mkdtempSync(path.join(tmpdir(), 'learn-bench-'));
    try {
      const kernel = await kernelFromConfig({ policy: tiny(), tasks: countdown(), search: bon({ n: 8, select: 'reward', temperature: 1 }), run: { out: dir, seed: 1, concurrency: 16 } }, dir, createLogger('warn'));
      const policy = kernel.require('policy') as TrainablePolicy;
      const signal = new AbortController().signal;
      // One searched data set for everyone: 128 training tasks × 8 samples.
      const env0 = createLearnEnv(kernel, policy, { outDir: dir, signal });
      const tasks = [];
      for await (const t of kernel.require('task').tasks({ split: 'train', limit: 128 })) tasks.push(t);
      const records = await env0.rollout(tasks);
      const correct = groupsFromRecords(records).flatMap((g) => g.candidates.filter((c) => c.correct).map((c) => ({ prompt: g.prompt, solution: c.text })));

      // Plain SFT trainer: policy-tiny's train() resumed from the same checkpoint, batch 32, same steps.
      // The checkpoint is at step N of its schedule: run steps N … N+STEPS of a schedule that goes on.
      const at = Number((await loadCheckpoint(DEFAULT_CHECKPOINT)).meta.steps ?? 0) || 0;
      const sft = await train({
        resume: DEFAULT_CHECKPOINT, steps: at + STEPS * 10, stopAt: at + STEPS, batchSize: 32, evalEvery: 1_000_000, evalTasks: 0, lr: 1e-4,
        data: { name: 'searched', alphabet: '', validation: correct.slice(0, 8).map((r, i) => ({ id: `v${i}`, ...r })), sample: (r) => correct[r.int(correct.length)]! },
      });
      sft.model.dispose();
      const out: Record<string, unknown> = { correctExamples: correct.length, steps: STEPS };

      const runLearner = async (name: string, learner: Learner): Promise<void> => {
        const p = await kernelFromConfig({ policy: tiny(), tasks: countdown(), search: bon({ n: 8, select: 'reward', temperature: 1 }), run: { out: dir, seed: 1, concurrency: 16 } }, dir, createLogger('warn'));
        const pol = p.require('policy') as TrainablePolicy;
        const env = createLearnEnv(p, pol, { outDir: path.join(dir, name), records, signal });
        const t0 = Date.now();
        const r = await learner.learn(env);
        const wall = Date.now() - t0;
        out[name] = { steps: r.steps, tokens: r.tokens, trainOnlyTokPerSec: Math.round(r.metrics.tokensPerSec ?? 0), endToEndTokPerSec: Math.round(((r.tokens ?? 0) / wall) * 1000), wallMs: wall };
        await p.close();
      };
      await runLearner('learn-sft', createSftLearner({ maxSteps: STEPS, replay: 0 }));
      await runLearner('learn-dpo', createDpoLearner({ maxSteps: STEPS, batchSize: 16 }));
      await runLearner('learn-ppo-grpo', createPpoLearner({ algorithm: 'grpo', iterations: STEPS, promptsPerIteration: 4, groupSize: 8 }));
      await runLearner('learn-ppo-ppo', createPpoLearner({ algorithm: 'ppo', iterations: STEPS, promptsPerIteration: 4, groupSize: 8 }));
      await kernel.close();
      const base = (sft.tokens / sft.wallMs) * 1000;
      out.plainSftTokPerSec = Math.round(base);
      for (const k of ['learn-sft', 'learn-dpo', 'learn-ppo-grpo', 'learn-ppo-ppo']) {
        const v = out[k] as { trainOnlyTokPerSec: number; endToEndTokPerSec: number };
        Object.assign(v, { trainOnlyVsPlainSft: +(v.trainOnlyTokPerSec / base).toFixed(2), endToEndVsPlainSft: +(v.endToEndTokPerSec / base).toFixed(2) });
      }
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

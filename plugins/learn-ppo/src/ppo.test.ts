import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeTrainablePolicy, fakeLearnEnv, sumCompletions, sumSource } from '@reasoner/core/testing';
import { createPpoLearner } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'learn-ppo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function meanCorrectProbability(policy: FakeTrainablePolicy, n = 16): Promise<number> {
  let s = 0;
  for await (const t of sumSource(n).tasks({ split: 'train' })) s += policy.probability(t.prompt, t.answer!);
  return s / n;
}

describe('learn-ppo (GRPO) on the fake trainable policy', () => {
  it('online: raises the probability of correct answers, reports KL to the start and reward', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    const before = await meanCorrectProbability(policy);
    const env = fakeLearnEnv({ policy, tasks: sumSource(16), outDir: path.join(dir, 'grpo') });
    const report = await createPpoLearner({ algorithm: 'grpo', iterations: 4, promptsPerIteration: 4, groupSize: 8, lr: 30, klCoef: 0.01 }).learn(env);
    expect(await meanCorrectProbability(policy)).toBeGreaterThan(before + 0.1);
    expect(report.steps).toBeGreaterThan(0);
    expect(report.metrics.klToStart).toBeGreaterThan(0);
    expect(Number.isFinite(report.metrics.rewardFirst)).toBe(true);
    expect(report.checkpoint).toBe(path.join(dir, 'grpo', 'checkpoint'));
  });

  it('with processCoef and a process reward: per-token advantages (ppo-clip objective, sequence mean) that still improve', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    const before = await meanCorrectProbability(policy);
    const env = fakeLearnEnv({ policy, tasks: sumSource(16), outDir: path.join(dir, 'grpo-ps') });
    const scoreSteps = async (task: { answer?: string }, steps: string[]) => steps.map((s) => (s.trim() === task.answer ? 1 : 0));
    const kinds: string[] = [];
    const step = policy.trainStep.bind(policy);
    policy.trainStep = (batch, objective, opts) => { kinds.push(`${objective.kind}:${'aggregate' in objective ? objective.aggregate : ''}`); return step(batch, objective, opts); };
    const report = await createPpoLearner({ algorithm: 'grpo', iterations: 4, promptsPerIteration: 4, groupSize: 8, lr: 30, klCoef: 0.01, processCoef: 1 })
      .learn({ ...env, reward: { ...env.reward, scoreSteps } as typeof env.reward });
    expect(new Set(kinds)).toEqual(new Set(['ppo-clip:sequence-mean']));
    expect(await meanCorrectProbability(policy)).toBeGreaterThan(before + 0.1);
    expect(report.steps).toBeGreaterThan(0);
  });

  it('refuses a group size of 1 (no group to be relative to)', () => {
    expect(() => createPpoLearner({ algorithm: 'grpo', groupSize: 1 })).toThrow(/groupSize/);
  });
});

describe('learn-ppo (PPO) on the fake trainable policy', () => {
  it('trains policy and critic with GAE advantages and improves the correct answers', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    const before = await meanCorrectProbability(policy);
    const env = fakeLearnEnv({ policy, tasks: sumSource(16), outDir: path.join(dir, 'ppo') });
    const report = await createPpoLearner({ algorithm: 'ppo', iterations: 4, promptsPerIteration: 4, groupSize: 4, lr: 30, klCoef: 0.01, vfCoef: 0.5 }).learn(env);
    expect(await meanCorrectProbability(policy)).toBeGreaterThan(before + 0.1);
    expect(report.steps).toBe(4);
  });

  it('a policy without a value head: RSN_ERR_NOT_TRAINABLE suggesting GRPO', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    (policy as { values?: unknown }).values = undefined;
    const env = fakeLearnEnv({ policy, outDir: path.join(dir, 'x') });
    await expect(createPpoLearner({ algorithm: 'ppo' }).learn(env)).rejects.toMatchObject({ code: 'RSN_ERR_NOT_TRAINABLE', message: expect.stringContaining('value head') });
  });
});

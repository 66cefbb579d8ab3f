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
    // Online: iterate runs no search of its own for it.
    expect(createPpoLearner().online).toBe(true);
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

  it('a completion cut at the token limit is scored without an end token, and missingEosPenalty ranks it below a finished wrong one', async () => {
    const run = async (missingEosPenalty: number) => {
      const policy = new FakeTrainablePolicy({ completions: sumCompletions });
      const env = fakeLearnEnv({ policy, tasks: sumSource(16), outDir: path.join(dir, `eos-${missingEosPenalty}`) });
      // Every second wrong candidate is marked as cut at the token limit.
      const correct = new Set<string>();
      const rollout: typeof env.rollout = async (t, ro) => (await env.rollout(t, ro)).map((r) => ({
        ...r, candidates: r.candidates?.map((c, i) => { if (c.correct) correct.add(`${r.prompt}\0${c.text}`); return !c.correct && i % 2 ? { ...c, truncated: true as const } : c; }),
      }));
      const seen: Array<{ adv: number; truncated: boolean; correct: boolean; group: string }> = [];
      const step = policy.trainStep.bind(policy);
      policy.trainStep = (batch, objective, opts) => {
        if (objective.kind === 'grpo') batch.sequences.forEach((q, i) => seen.push({ adv: objective.advantages[i]!, truncated: q.eos === false, correct: correct.has(`${q.prompt}\0${q.completion}`), group: q.prompt }));
        return step(batch, objective, opts);
      };
      await createPpoLearner({ algorithm: 'grpo', iterations: 2, promptsPerIteration: 4, groupSize: 8, lr: 1, missingEosPenalty }).learn({ ...env, rollout });
      return seen;
    };
    for (const [penalty, below] of [[0, false], [0.5, true]] as const) {
      const seen = await run(penalty);
      expect(seen.some((x) => x.truncated)).toBe(true);
      // Within a group, a cut wrong answer against a finished wrong one: equal without the penalty, lower with it.
      const pairsChecked = [...new Set(seen.map((x) => x.group))].flatMap((g) => {
        const grp = seen.filter((x) => x.group === g);
        const wrongDone = grp.filter((x) => !x.truncated && !x.correct).map((x) => x.adv);
        return grp.filter((x) => x.truncated).map((x) => ({ cut: x.adv, min: Math.min(...wrongDone) }));
      }).filter((p) => Number.isFinite(p.min));
      expect(pairsChecked.length).toBeGreaterThan(0);
      for (const p of pairsChecked) below ? expect(p.cut).toBeLessThan(p.min) : expect(p.cut).toBeCloseTo(p.min, 9);
    }
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

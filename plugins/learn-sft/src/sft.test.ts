import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeTrainablePolicy, fakeLearnEnv, sumCompletions, sumSource, sumTask } from '@reasoner/core/testing';
import type { TrajectoryRecord } from '@reasoner/core';
import { createSftLearner, starExamples, streamExamples } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'learn-sft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rec = (i: number, cands: Array<[string, boolean]>): TrajectoryRecord => {
  const t = sumTask(i);
  return {
    taskId: t.id, prompt: t.prompt, steps: [], solution: cands[0]![0], answer: null, gold: t.answer!, reward: null, correct: cands[0]![1],
    search: { name: 'x', stats: {}, candidates: cands.length }, usage: { promptTokens: 0, completionTokens: 0, calls: 1 }, policyId: 'p', ms: 0, time: '',
    candidates: cands.map(([text, correct]) => ({ text, correct, reward: correct ? 1 : 0, answer: text, tokens: text.length })),
  };
};

describe('STaR set', () => {
  it('keeps distinct grader-correct candidates, shortest first, capped per prompt', () => {
    const groups = [{ taskId: 'a', prompt: 'p', gold: '1', candidates: [
      { text: 'long right', correct: true, reward: 1, answer: null, tokens: 1 },
      { text: 'right', correct: true, reward: 1, answer: null, tokens: 1 },
      { text: 'wrong', correct: false, reward: 0, answer: null, tokens: 1 },
    ] }];
    expect(starExamples(groups, { filter: 'correct', perPrompt: 1, weightByReward: false }).map((e) => e.completion)).toEqual(['right']);
    expect(starExamples(groups, { filter: 'all', perPrompt: 3, weightByReward: true }).map((e) => [e.completion, e.weight])).toEqual([['right', 1], ['long right', 1]]);
  });
});

describe('Stream-of-Search set', () => {
  const c = (text: string, correct: boolean) => ({ text, correct, reward: correct ? 1 : 0, answer: null, tokens: 1 });
  const join = (_t: unknown, failed: string, correct: string) => (failed === 'dead' ? undefined : `${failed}<${correct}`);

  it('joins failed candidates of mixed prompts with correct ones, capped per prompt, and drops what does not fit', () => {
    const groups = [
      { taskId: 'a', prompt: 'p', gold: '1', candidates: [c('x1', false), c('dead', false), c('x2', false), c('x3', false), c('ok', true), c('okay', true)] },
      { taskId: 'b', prompt: 'q', gold: '1', candidates: [c('y', false)] },
      { taskId: 'c', prompt: 'r', gold: '1', candidates: [c('ok', true)] },
    ];
    expect(streamExamples(groups, 2, join, () => true).map((e) => e.completion)).toEqual(['x1<ok', 'x2<okay']);
    expect(streamExamples(groups, 2, join, (_p, text) => text.length <= 5).map((e) => [e.completion, e.source])).toEqual([['x1<ok', 'stream']]);
  });

  it('a `lead` answer is tried before the group\'s own failures', () => {
    const groups = [{ taskId: 'a', prompt: 'p', gold: '1', candidates: [c('x1', false), c('ok', true)] }, { taskId: 'b', prompt: 'q', gold: '1', candidates: [c('y1', false), c('ok', true)] }];
    expect(streamExamples(groups, 1, join, () => true, new Map([['a', 'g']])).map((e) => e.completion)).toEqual(['g<ok', 'y1<ok']);
    expect(streamExamples(groups, 2, join, () => true, new Map([['a', 'g']])).map((e) => e.completion)).toEqual(['g<ok', 'x1<ok', 'y1<ok']);
    // A lead that the search also sampled is not joined twice.
    expect(streamExamples(groups, 2, join, () => true, new Map([['a', 'x1']])).map((e) => e.completion)).toEqual(['x1<ok', 'y1<ok']);
  });

  it('greedyStreams: decodes each solved prompt greedily and leads its stream with the failed greedy answer', async () => {
    // The fake policy's mode is the wrong "sum + 10"; the searched failure is "sum + 1".
    const tasks = { ...sumSource(), stream: (_t: unknown, failed: string, correct: string) => `${failed}<${correct}` };
    const records = [0, 1].map((i) => rec(i, [[String(Number(sumTask(i).answer) + 1), false], [sumTask(i).answer!, true]]));
    const trained = async (greedyStreams: boolean) => {
      const policy = new FakeTrainablePolicy({ completions: sumCompletions, init: (prompt, c) => (c === sumCompletions(prompt)[3] ? 3 : 0) });
      const env = fakeLearnEnv({ records, tasks, policy, outDir: path.join(dir, `greedy-${greedyStreams}`) });
      const report = await createSftLearner({ lr: 1, epochs: 2, batchSize: 8, replay: 0, streams: 1, greedyStreams }).learn(env);
      const [p, s] = [records[0]!.prompt, Number(records[0]!.gold)];
      return { report, greedyLed: policy.probability(p, `${s + 10}<${s}`), sampleLed: policy.probability(p, `${s + 1}<${s}`) };
    };
    const on = await trained(true), off = await trained(false);
    expect(on.report.metrics.greedyFailures).toBe(2);
    expect(on.report.metrics.streams).toBe(2);
    expect(on.greedyLed).toBeGreaterThan(off.greedyLed);
    expect(off.sampleLed).toBeGreaterThan(on.sampleLed);
    expect(off.report.metrics.greedyFailures).toBe(0);
  });

  it('a task source without `stream`: streams are skipped with a warning, the rest trains', async () => {
    const records = [0, 1].map((i) => rec(i, [['wrong', false], [sumTask(i).answer!, true]]));
    const env = fakeLearnEnv({ records, outDir: path.join(dir, 's') });
    const report = await createSftLearner({ lr: 1, epochs: 1, batchSize: 2, replay: 0, streams: 2 }).learn(env);
    expect(report.metrics.streams).toBe(0);
    expect(report.metrics.searched).toBe(2);
  });
});

describe('learn-sft on the fake trainable policy', () => {
  it('raises the probability of the correct answers of searched prompts, with replay, and saves a checkpoint', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    const records = [0, 1, 2, 3].map((i) => rec(i, [[String(Number(sumTask(i).answer) + 1), false], [sumTask(i).answer!, true]]));
    const before = policy.probability(sumTask(0).prompt, sumTask(0).answer!);
    const env = fakeLearnEnv({ policy, records, outDir: path.join(dir, 'a') });
    const report = await createSftLearner({ lr: 2, epochs: 5, batchSize: 4, replay: 0.5 }).learn(env);
    expect(policy.probability(sumTask(0).prompt, sumTask(0).answer!)).toBeGreaterThan(before + 0.2);
    expect(report.metrics.searched).toBe(4);
    expect(report.metrics.replayed).toBe(2);
    expect(report.steps).toBeGreaterThan(0);
    expect(existsSync(path.join(report.checkpoint!, 'fake.json'))).toBe(true);
  });

  it('online: searches training tasks through the rollout helper when given no records', async () => {
    const env = fakeLearnEnv({ outDir: path.join(dir, 'b'), tasks: sumSource(16) });
    const report = await createSftLearner({ lr: 1, epochs: 2, batchSize: 8, tasks: 16, replay: 0 }).learn(env);
    expect(report.metrics.prompts).toBe(16);
    expect(report.metrics.solvedPrompts).toBeGreaterThan(8);
  });

  it('all-wrong data: RSN_ERR_DATASET saying nothing is correct; no checkpoint', async () => {
    const env = fakeLearnEnv({ records: [rec(0, [['9', false], ['8', false]])], outDir: path.join(dir, 'c') });
    await expect(createSftLearner().learn(env)).rejects.toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringContaining('none of the 2 candidates') });
    expect(existsSync(path.join(dir, 'c', 'checkpoint'))).toBe(false);
  });

  it('a NaN loss stops training with RSN_ERR_TRAIN and keeps the last good weights in a checkpoint', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions, nanFromStep: 3 });
    const records = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => rec(i, [[sumTask(i).answer!, true]]));
    const env = fakeLearnEnv({ policy, records, outDir: path.join(dir, 'd') });
    const err = await createSftLearner({ lr: 1, epochs: 2, batchSize: 2, replay: 0 }).learn(env).catch((e) => e);
    expect(err.code).toBe('RSN_ERR_TRAIN');
    expect(err.context.checkpoint).toBe(path.join(dir, 'd', 'checkpoint'));
    expect(policy.optimizer().step).toBe(2);
    const saved = new FakeTrainablePolicy({ completions: sumCompletions });
    await saved.load(err.context.checkpoint);
    expect(saved.optimizer().step).toBe(2);
  });

  it('a NaN loss on the very first step is RSN_ERR_TRAIN too, not a 0-step success', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions, nanFromStep: 1 });
    const env = fakeLearnEnv({ policy, records: [rec(0, [[sumTask(0).answer!, true]])], outDir: path.join(dir, 'nan1') });
    const err = await createSftLearner({ replay: 0 }).learn(env).catch((e) => e);
    expect(err.code).toBe('RSN_ERR_TRAIN');
    expect(err.message).toContain('stopped after 0 good steps');
  });

  it('examples longer than the policy\'s context are dropped with a warning, not a failed run', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    Object.defineProperty(policy, 'contextLength', { value: 12 });
    const long = sumTask(1).answer! + ' '.repeat(40);
    const records = [rec(0, [[sumTask(0).answer!, true]]), rec(1, [[long, true]])];
    const warnings: string[] = [];
    const env = fakeLearnEnv({ policy, records, outDir: path.join(dir, 'ctx') });
    const report = await createSftLearner({ replay: 0, perPrompt: 1 }).learn({ ...env, logger: { ...env.logger, warn: (m: string) => { warnings.push(m); } } });
    expect(report.steps).toBeGreaterThan(0);
    expect(report.metrics.examples).toBe(1);
    expect(warnings.join('\n')).toContain('1 of 2 examples do not fit');
  });

  it('a policy that is not trainable: RSN_ERR_NOT_TRAINABLE pointing to data export', async () => {
    const env = fakeLearnEnv({ outDir: path.join(dir, 'e') });
    const remote = { id: 'remote', capabilities: { logprobs: false, prefix: false, nativeN: false, trainable: false }, generate: env.policy.generate.bind(env.policy) };
    await expect(createSftLearner().learn({ ...env, policy: remote as never })).rejects.toMatchObject({ code: 'RSN_ERR_NOT_TRAINABLE', context: { hint: expect.stringContaining('data export') } });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeTrainablePolicy, fakeLearnEnv, sumCompletions, sumTask } from '@reasoner/core/testing';
import { groupsFromRecords, type TrajectoryRecord } from '@reasoner/core';
import { buildPairs, createDpoLearner } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'learn-dpo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rec = (i: number, cands: Array<[string, boolean]>): TrajectoryRecord => {
  const t = sumTask(i);
  return {
    taskId: t.id, prompt: t.prompt, steps: [], solution: '', answer: null, gold: t.answer!, reward: null, correct: false,
    search: { name: 'x', stats: {}, candidates: cands.length }, usage: { promptTokens: 0, completionTokens: 0, calls: 1 }, policyId: 'p', ms: 0, time: '',
    candidates: cands.map(([text, correct]) => ({ text, correct, reward: correct ? 1 : 0, answer: text, tokens: text.length })),
  };
};

describe('preference pairs', () => {
  it('pairs correct with incorrect candidates of the same prompt, spread over the mistakes', () => {
    const { pairs, stats } = buildPairs(groupsFromRecords([rec(0, [['1', true], ['2', false], ['3', false]]), rec(1, [['4', true]])]), { by: 'correct', pairsPerPrompt: 4, minMargin: 0 });
    expect(pairs.map((p) => [p.chosen, p.rejected])).toEqual([['1', '2'], ['1', '3']]);
    expect(stats.promptsWithPairs).toBe(1);
    // More correct than pairs: still one pair per distinct mistake.
    const many = buildPairs(groupsFromRecords([rec(0, [['1', true], ['11', true], ['111', true], ['5', false], ['6', false], ['7', false]])]), { by: 'correct', pairsPerPrompt: 3, minMargin: 0 });
    expect(many.pairs.map((p) => p.rejected)).toEqual(['5', '6', '7']);
  });
  it('refuses identical chosen and rejected texts (e.g. two graders disagreeing on one text)', () => {
    const groups = [{ taskId: 'a', prompt: 'p', gold: null, candidates: [
      { text: 'x ', correct: true, reward: 1, answer: null, tokens: 1 }, { text: ' x', correct: false, reward: 0, answer: null, tokens: 1 },
    ] }];
    const { pairs, stats } = buildPairs(groups, { by: 'correct', pairsPerPrompt: 4, minMargin: 0 });
    expect(pairs).toEqual([]);
    expect(stats.identical).toBe(1);
  });
  it('by stream: the incorrect attempt is rejected, its repair (from the task) chosen; unrepairable and over-long pairs are dropped', () => {
    const groups = groupsFromRecords([rec(0, [['ok', true], ['bad', false], ['lost', false], ['worse', false]])]);
    const stream = (_t: unknown, failed: string, correct: string) => (failed === 'lost' ? undefined : `${failed}<${correct}`);
    const { pairs } = buildPairs(groups, { by: 'stream', pairsPerPrompt: 4, minMargin: 0, stream, fits: (_p, c) => c.length <= 6 });
    expect(pairs.map((p) => [p.chosen, p.rejected, p.margin])).toEqual([['bad<ok', 'bad', 1]]);
  });
  it('a completion cut at the token limit is never chosen; rejected, it is marked so it is scored without an end token', () => {
    const g = (by: 'correct' | 'reward') => buildPairs([{ taskId: 'a', prompt: 'p', gold: null, candidates: [
      { text: 'cut', correct: true, reward: 1, answer: null, tokens: 3, truncated: true },
      { text: 'ok', correct: true, reward: 0.9, answer: null, tokens: 2 },
      { text: 'long wrong', correct: false, reward: 0, answer: null, tokens: 10, truncated: true },
      { text: 'no', correct: false, reward: 0.1, answer: null, tokens: 2 },
    ] }], { by, pairsPerPrompt: 4, minMargin: 0 }).pairs;
    for (const by of ['correct', 'reward'] as const) {
      expect(g(by).map((p) => p.chosen), by).not.toContain('cut');
      expect(g(by).map((p) => [p.rejected, p.rejectedTruncated ?? false]), by).toEqual(expect.arrayContaining([['long wrong', true], ['no', false]]));
    }
  });
});

describe('learn-dpo on the fake trainable policy', () => {
  it('widens the chosen-vs-rejected margin against the frozen reference and logs TRL metrics', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions });
    const records = [0, 1, 2, 3].map((i) => rec(i, [[sumTask(i).answer!, true], [String(Number(sumTask(i).answer) + 1), false]]));
    const p = sumTask(0).prompt, right = sumTask(0).answer!, wrong = String(Number(right) + 1);
    const before = policy.probability(p, right) / policy.probability(p, wrong);
    const report = await createDpoLearner({ beta: 0.5, lr: 2, epochs: 4, batchSize: 2 }).learn(fakeLearnEnv({ policy, records, outDir: path.join(dir, 'a') }));
    expect(policy.probability(p, right) / policy.probability(p, wrong)).toBeGreaterThan(before * 2);
    expect(report.metrics.pairs).toBe(4);
    expect(report.metrics['rewards/accuracies']).toBeGreaterThan(0.5);
    expect(report.metrics['rewards/margins']).toBeGreaterThan(0);
    expect(report.checkpoint).toBe(path.join(dir, 'a', 'checkpoint'));
  });

  it('nothing to pair (all correct, all wrong, or identical): RSN_ERR_DATASET saying why', async () => {
    const allRight = [rec(0, [['3', true], ['3 ', true]])];
    await expect(createDpoLearner().learn(fakeLearnEnv({ records: allRight, outDir: path.join(dir, 'b') }))).rejects.toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringContaining('both a correct and an incorrect') });
    const allWrong = [rec(0, [['9', false], ['8', false]])];
    await expect(createDpoLearner().learn(fakeLearnEnv({ records: allWrong, outDir: path.join(dir, 'c') }))).rejects.toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringContaining('none of the 2 candidates') });
  });

  it('a NaN loss on the very first step is RSN_ERR_TRAIN (the unchanged weights saved), not a 0-step success', async () => {
    const policy = new FakeTrainablePolicy({ completions: sumCompletions, nanFromStep: 1 });
    const records = [rec(0, [[sumTask(0).answer!, true], ['9', false]])];
    const err = await createDpoLearner().learn(fakeLearnEnv({ policy, records, outDir: path.join(dir, 'nan') })).catch((e) => e);
    expect(err.code).toBe('RSN_ERR_TRAIN');
    expect(err.message).toContain('stopped after 0 good steps');
    expect(err.context.checkpoint).toBe(path.join(dir, 'nan', 'checkpoint'));
  });
});

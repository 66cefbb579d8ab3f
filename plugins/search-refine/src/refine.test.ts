import { describe, expect, it } from 'vitest';
import { isReasonerError, verifierReward, type GenerateRequest, type Policy, type Reward, type Task } from '@reasoner/core';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import { fakeEnv, randomCountdownPolicy } from '@reasoner/plugin-search-beam/testing';
import { refineDefaults, type RefineOptions } from './options.js';
import { feedbackOf, fill, refineSearch } from './refine.js';

const source = countdownSource({ seed: 3 });
const checker = verifierReward(source);
async function tasks(n: number): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of source.tasks({ split: 'test', limit: n })) out.push(t);
  return out;
}
const opts = (o: Partial<RefineOptions> = {}): RefineOptions => ({ ...refineDefaults, ...o });

describe('search-refine (checker critique: resample from the first rejected step)', () => {
  it('solves more than its first attempt, and stops when the checker accepts', async () => {
    const ts = await tasks(30);
    let first = 0, solved = 0;
    for (const task of ts) {
      const env = fakeEnv({ task, policy: randomCountdownPolicy({ pCorrect: 0.8 }), reward: checker, budget: { tokens: 1500 } });
      const r = await refineSearch(env, opts({ firstTemperature: 0.8 }));
      first += r.stats.firstCorrect!;
      if (r.best.reward?.correct) {
        solved++;
        expect(r.stats.stoppedByCorrect).toBe(1);
        expect(r.candidates[r.candidates.length - 1]!.reward?.correct).toBe(true);
        expect((await source.verify!(task, r.best.text)).correct).toBe(true);
      }
    }
    expect(solved).toBeGreaterThan(first + 5);
  });

  it('revisions keep the accepted prefix and continue it', async () => {
    const [task] = await tasks(1);
    const policy = randomCountdownPolicy({ pCorrect: 0.5 });
    const r = await refineSearch(fakeEnv({ task: task!, policy, reward: checker }), opts({ maxRevisions: 6 }));
    const revisions = policy.requests.slice(1);
    expect(revisions.length).toBe(r.stats.revisions);
    for (const req of revisions) if (req.prefix) expect(req.prefix.endsWith('\n')).toBe(true);
  });

  it('replays exactly with a fixed seed', async () => {
    const [task] = await tasks(1);
    const run = (seed: number) => refineSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy({ pCorrect: 0.5 }), reward: checker, seed, budget: { tokens: 800 } }), opts());
    expect(await run(4)).toEqual(await run(4));
  });

  it('never spends more than its token budget', async () => {
    for (const task of await tasks(10)) {
      for (const tokens of [20, 50, 120, 300]) {
        const env = fakeEnv({ task, policy: randomCountdownPolicy({ pCorrect: 0.4 }), reward: checker, budget: { tokens } });
        const r = await refineSearch(env, opts()).catch((e) => e);
        if (isReasonerError(r)) { expect(r.code).toBe('RSN_ERR_BUDGET_EXHAUSTED'); continue; }
        expect(env.budgetImpl.spent().tokens).toBeLessThanOrEqual(tokens);
      }
    }
  });

  it('stops when revisions stop changing', async () => {
    const [task] = await tasks(1);
    const stuck: Policy = { id: 'stuck', capabilities: { logprobs: false, prefix: true, nativeN: true, trainable: false },
      async generate(req) { return { completions: [{ text: req.prefix ? '1+1=2' : '1+1=2\n', tokens: 6, finishReason: 'eos' }], usage: { promptTokens: 10, completionTokens: 6, calls: 1 } }; } };
    const r = await refineSearch(fakeEnv({ task: task!, policy: stuck, reward: checker }), opts({ patience: 2 }));
    expect(r.stats.stoppedByPatience).toBe(1);
    expect(r.stats.revisions).toBe(2);
  });

  it('zero budget, a throwing or hanging reward, cancellation', async () => {
    const [task] = await tasks(1);
    const zero = await refineSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: checker, budget: { tokens: 0 } }), opts()).catch((e) => e);
    expect(isReasonerError(zero) && zero.code).toBe('RSN_ERR_BUDGET_EXHAUSTED');
    const throwing: Reward = { kind: 'outcome', needsGold: false, score: async () => { throw new Error('kaput'); }, scoreSteps: async (_t, s) => s.map(() => 1) };
    const e1 = await refineSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: throwing }), opts()).catch((e) => e);
    expect(isReasonerError(e1) && e1.code).toBe('RSN_ERR_REWARD');
    const hanging: Reward = { kind: 'outcome', needsGold: false, score: () => new Promise(() => {}) };
    const e2 = await refineSearch(fakeEnv({ task: task!, policy: randomCountdownPolicy(), reward: hanging }), opts({ rewardTimeoutMs: 30, critique: 'policy' })).catch((e) => e);
    expect(isReasonerError(e2) && e2.code).toBe('RSN_ERR_REWARD');
    const ac = new AbortController();
    const inner = randomCountdownPolicy({ pCorrect: 0.2 });
    const policy = { ...inner, async generate(req: GenerateRequest) { if (inner.requests.length >= 2) ac.abort(); return inner.generate(req); } };
    const r = await refineSearch(fakeEnv({ task: task!, policy, reward: checker, signal: ac.signal }), opts());
    expect(r.candidates.length).toBeGreaterThanOrEqual(1);
  });
});

describe('search-refine (policy critique: prompt templates for chat LLMs)', () => {
  const task: Task = { id: 'q', prompt: 'What is 2+3?', answer: '5' };
  const exact: Reward = { kind: 'outcome', needsGold: true, async score(t, s) { const ok = s.trim().endsWith(t.answer!); return { value: ok ? 1 : 0, correct: ok, detail: ok ? {} : { error: `the answer ${s.trim()} is wrong` } }; } };

  it('feeds the reward feedback into the revision prompt, and stops when correct', async () => {
    const seen: GenerateRequest[] = [];
    const llm: Policy = { id: 'llm', capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      async generate(req) { seen.push(req); const text = seen.length === 1 ? '2+3 = 6' : '2+3 = 5'; return { completions: [{ text, tokens: 5, finishReason: 'eos' }], usage: { promptTokens: 20, completionTokens: 5, calls: 1 } }; } };
    const r = await refineSearch(fakeEnv({ task, policy: llm, reward: exact }), opts());
    expect(r.best.text).toBe('2+3 = 5');
    expect(r.stats.revisions).toBe(1);
    expect(seen[1]!.messages?.[0]?.content).toContain('the answer 2+3 = 6 is wrong');
    expect(seen[1]!.messages?.[0]?.content).toContain('What is 2+3?');
  });

  it('asks the policy for a critique when the reward gives no feedback; approval stops', async () => {
    const judge: Reward = { kind: 'preference', needsGold: false, async score() { return { value: 0.5 }; } };
    const seen: GenerateRequest[] = [];
    const llm: Policy = { id: 'llm', capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      async generate(req) { seen.push(req); const text = seen.length === 2 ? 'LGTM' : '5'; return { completions: [{ text, tokens: 2, finishReason: 'eos' }], usage: { promptTokens: 20, completionTokens: 2, calls: 1 } }; } };
    const r = await refineSearch(fakeEnv({ task, policy: llm, reward: judge }), opts());
    expect(r.stats.critiques).toBe(1);
    expect(r.stats.stoppedByApproval).toBe(1);
    expect(seen[1]!.prompt).toContain('Proposed solution:\n5');
  });

  it('feedbackOf reads checker errors and failing test output; fill fills templates', () => {
    expect(feedbackOf({ value: 0, detail: { error: 'line 2: 3*4=13 is wrong' } })).toBe('line 2: 3*4=13 is wrong');
    expect(feedbackOf({ value: 0, detail: { passedCount: 1, total: 3, stderr: 'AssertionError: f(2) == 4' } })).toContain('AssertionError');
    expect(feedbackOf({ value: 0 })).toBeUndefined();
    expect(fill('a {x} {y} {z}', { x: '1', y: '2' })).toBe('a 1 2 {z}');
  });
});

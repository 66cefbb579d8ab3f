import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../kernel/define.js';
import { kernelFromConfig } from '../kernel/load.js';
import { FakeTrainablePolicy } from '../testing/fake-trainable.js';
import { sampleSearch, sumCompletions, sumSource } from '../testing/fake-learn-env.js';
import type { Learner } from '../types/learn.js';
import { createLogger } from '../util/logger.js';
import { groupsFromRecords } from './learn-data.js';
import { saveOrFail, trainLoop } from './learn-loop.js';
import { iteratePipeline } from './iterate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'iterate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = definePlugin<{ checkpoint?: string }, 'policy'>({
  name: 'fake-trainable', kind: 'policy', apiVersion: 1,
  optionsSchema: { type: 'object', properties: { checkpoint: { type: 'string' } }, additionalProperties: false },
  async setup(_ctx, o) {
    const p = new FakeTrainablePolicy({ completions: sumCompletions, lr: 10, init: (p, c) => (c === sumCompletions(p)[1] ? 0.5 : 0) });
    if (o.checkpoint) await p.load(o.checkpoint);
    return p;
  },
});
const tasks = definePlugin({ name: 'sum-tasks', kind: 'task', apiVersion: 1, setup: () => sumSource(400) });
const search = definePlugin({ name: 'fake-sample', kind: 'search', apiVersion: 1, setup: () => sampleSearch(4) });
/** The smallest STaR: NLL on the correct candidates. */
const learn = definePlugin({
  name: 'mini-star', kind: 'learn', apiVersion: 1,
  setup: (): Learner => ({
    name: 'mini-star',
    async learn(env) {
      const items = groupsFromRecords(env.records ?? []).flatMap((g) => g.candidates.filter((c) => c.correct).map((c) => ({ prompt: g.prompt, completion: c.text, length: c.text.length })));
      const loop = await trainLoop(env, { items, batchSize: 8, epochs: 2, rng: env.rng, build: async (rows) => ({ batch: { sequences: rows.map((r) => ({ prompt: r.prompt, completion: r.completion })) }, objective: { kind: 'nll' } }) });
      const saved = await saveOrFail(env.policy, path.join(env.outDir, 'checkpoint'), loop, 'mini-star');
      return { checkpoint: saved.dir, steps: loop.steps, tokens: loop.tokens, metrics: loop.metrics };
    },
  }),
});

const kernel = (checkpoint?: string) => kernelFromConfig({ policy: policy(checkpoint ? { checkpoint } : {}), tasks, search, learn, run: { out: 'runs', seed: 3, concurrency: 4 } }, dir, createLogger('silent'));
const opts = { tasksPerRound: 16, evalLimit: 12, k: 4, probePrompts: 4, probeSamples: 4 };

describe('iterate', () => {
  it('runs rounds of search → learn → eval, writes each round under the run, and improves greedy accuracy', async () => {
    const k = await kernel();
    const learnSteps: Array<[number, number]> = [];
    const res = await iteratePipeline(k, { rounds: 2, runId: 'a', ...opts, onEvent: (e) => { if (e.phase === 'learn') learnSteps.push([e.round, e.step]); } });
    await k.close();
    expect(res.state.rounds.map((r) => r.round)).toEqual([1, 2]);
    // Learn progress: every optimizer step of both rounds, in order.
    expect(learnSteps.filter(([r]) => r === 1)).toHaveLength(res.state.rounds[0]!.learn.steps);
    expect(learnSteps.map(([, s]) => s)).toEqual([...learnSteps.map(([, s]) => s)].sort((a, b) => a - b));
    // …and the round's log.jsonl holds the same steps (plus epochs), one JSON line each.
    const log = readFileSync(path.join(res.dir, 'round-1', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((l) => l.type === 'step').map((l) => l.step)).toEqual(learnSteps.filter(([r]) => r === 1).map(([, s]) => s));
    expect(log.filter((l) => l.type === 'epoch').length).toBeGreaterThan(0);
    expect(log[0].type).toBe('start');
    expect(typeof log[1].loss).toBe('number');
    expect(res.state.rounds[1]!.greedy).toBeGreaterThan(res.state.start!.greedy);
    expect(res.state.rounds[1]!.klToStart).toBeGreaterThan(0);
    for (const f of ['trajectories.jsonl', 'search.done', 'learn.json', 'metrics.json', 'checkpoint/fake.json']) expect(existsSync(path.join(res.dir, 'round-2', f)), f).toBe(true);
    expect(res.checkpoint).toBe(path.join(res.dir, 'round-2', 'checkpoint'));
    // The last checkpoint loads through the policy's `checkpoint` option.
    const k2 = await kernel(res.checkpoint!);
    expect(k2.require('policy').id).toBe(res.state.rounds[1]!.policyId);
    await k2.close();
  });

  it('resumes: finished rounds are kept, a round whose search finished reuses it, training continues from the last checkpoint', async () => {
    const k = await kernel();
    await iteratePipeline(k, { rounds: 1, runId: 'b', ...opts });
    await k.close();
    const runDir = path.join(dir, 'runs', 'b');
    const round1 = readFileSync(path.join(runDir, 'round-1', 'metrics.json'), 'utf8');
    const k2 = await kernel();
    const res = await iteratePipeline(k2, { rounds: 3, resume: 'b', ...opts });
    await k2.close();
    expect(res.state.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(readFileSync(path.join(runDir, 'round-1', 'metrics.json'), 'utf8')).toBe(round1);
    // Optimizer steps continued from round 1's checkpoint rather than from scratch.
    const steps = (r: number) => JSON.parse(readFileSync(path.join(runDir, `round-${r}`, 'checkpoint', 'fake.json'), 'utf8')).steps as number;
    expect(steps(2)).toBeGreaterThan(steps(1));
    expect(steps(3)).toBeGreaterThan(steps(2));
    // Same result as an uninterrupted run with the same seed.
    const k3 = await kernel();
    const straight = await iteratePipeline(k3, { rounds: 3, runId: 'c', ...opts });
    await k3.close();
    expect(straight.state.rounds.map((r) => r.greedy)).toEqual(res.state.rounds.map((r) => r.greedy));
  });

  it('a stop after a round\'s search: the resume reuses the recorded search', async () => {
    const k = await kernel();
    await iteratePipeline(k, { rounds: 1, runId: 'e', ...opts });
    await k.close();
    const runDir = path.join(dir, 'runs', 'e');
    const state = JSON.parse(readFileSync(path.join(runDir, 'iterate.json'), 'utf8'));
    state.rounds = []; // as if stopped during round 1's learning
    writeFileSync(path.join(runDir, 'iterate.json'), JSON.stringify(state));
    unlinkSync(path.join(runDir, 'round-1', 'metrics.json'));
    const before = statSync(path.join(runDir, 'round-1', 'trajectories.jsonl')).mtimeMs;
    const k2 = await kernel();
    const res = await iteratePipeline(k2, { rounds: 1, resume: 'e', ...opts });
    await k2.close();
    expect(res.state.rounds).toHaveLength(1);
    expect(statSync(path.join(runDir, 'round-1', 'trajectories.jsonl')).mtimeMs).toBe(before);
    expect(existsSync(path.join(runDir, 'round-1', 'metrics.json'))).toBe(true);
  });

  it('refuses to resume with a different start policy (RSN_ERR_CHECKPOINT) and an unknown run (RSN_ERR_RUN_NOT_FOUND)', async () => {
    const k = await kernel();
    const first = await iteratePipeline(k, { rounds: 1, runId: 'd', ...opts });
    await k.close();
    const other = await kernel(first.checkpoint!);
    await expect(iteratePipeline(other, { rounds: 2, resume: 'd', ...opts })).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
    await expect(iteratePipeline(other, { rounds: 2, resume: 'nope', ...opts })).rejects.toMatchObject({ code: 'RSN_ERR_RUN_NOT_FOUND' });
    await other.close();
  });

  it('keeps the evaluation held out: --eval-split train and overlapping splits are refused', async () => {
    const k = await kernel();
    await expect(iteratePipeline(k, { rounds: 1, runId: 'split-train', ...opts, evalSplit: 'train' })).rejects.toMatchObject({ code: 'RSN_ERR_USAGE', message: expect.stringContaining('held-out') });
    await k.close();
    // A source that serves the same tasks whatever the split (e.g. one JSONL file for all).
    const same = definePlugin({ name: 'same-tasks', kind: 'task', apiVersion: 1, setup: () => { const s = sumSource(400); return { ...s, tasks: (q) => s.tasks({ ...q, split: 'train' }) }; } });
    const k2 = await kernelFromConfig({ policy: policy({}), tasks: same, search, learn, run: { out: 'runs', seed: 3, concurrency: 4 } }, dir, createLogger('silent'));
    await expect(iteratePipeline(k2, { rounds: 1, runId: 'overlap', ...opts })).rejects.toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringContaining('also evaluation tasks') });
    await k2.close();
  });

  it('a stop during an evaluation stores no number; the resume measures it again', async () => {
    const k = await kernel();
    // Stopped as the last evaluation task finishes: the diversity / KL probe is cut short.
    const stop = new AbortController();
    const res = await iteratePipeline(k, { rounds: 1, runId: 'stop-eval', ...opts, signal: stop.signal, onEvent: (e) => { if (e.phase === 'eval' && e.done >= opts.evalLimit) stop.abort(); } });
    expect(res.state.start).toBeNull();
    // Stopped in the middle of it: the stop surfaces as RSN_ERR_ABORTED, and nothing is stored either.
    const mid = new AbortController();
    await expect(iteratePipeline(k, { rounds: 1, runId: 'stop-eval-mid', ...opts, signal: mid.signal, onEvent: (e) => { if (e.phase === 'eval' && e.done >= 3) mid.abort(); } })).rejects.toMatchObject({ code: 'RSN_ERR_ABORTED' });
    expect(JSON.parse(readFileSync(path.join(dir, 'runs', 'stop-eval-mid', 'iterate.json'), 'utf8')).start).toBeNull();
    await k.close();
    expect(JSON.parse(readFileSync(path.join(res.dir, 'iterate.json'), 'utf8')).start).toBeNull();
    const k2 = await kernel();
    const again = await iteratePipeline(k2, { rounds: 1, resume: 'stop-eval', ...opts });
    await k2.close();
    expect(again.state.start!.n).toBe(opts.evalLimit);
    expect(again.state.start!.diversity).toBeGreaterThan(0);
    expect(again.state.rounds).toHaveLength(1);
  });

  it('a run budget that ends a round\'s search is RSN_ERR_BUDGET_EXHAUSTED, and the partial search is not marked done', async () => {
    // Two policy calls per task: the budget runs out inside tasks, which are recorded with an error.
    const twoCalls = definePlugin({
      name: 'two-calls', kind: 'search', apiVersion: 1,
      setup: () => { const s = sampleSearch(4); return { name: 'two-calls', async search(env) { await env.policy.generate({ prompt: env.task.prompt, n: 1, temperature: 1 }); return s.search(env); } }; },
    });
    const cfg = (budget?: object) => kernelFromConfig({ policy: policy({}), tasks, search: twoCalls, learn, run: { out: 'runs', seed: 3, concurrency: 4, ...(budget ? { budget } : {}) } }, dir, createLogger('silent'));
    const k = await cfg({ perRun: { calls: 11 } });
    await expect(iteratePipeline(k, { rounds: 1, runId: 'budget', ...opts })).rejects.toMatchObject({ code: 'RSN_ERR_BUDGET_EXHAUSTED' });
    await k.close();
    const round1 = path.join(dir, 'runs', 'budget', 'round-1');
    expect(existsSync(path.join(round1, 'search.done'))).toBe(false);
    const cutShort = readFileSync(path.join(round1, 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(cutShort.some((r) => r.error?.code === 'RSN_ERR_BUDGET_EXHAUSTED')).toBe(true);
    // Resumed without the budget: the tasks the budget cut are searched again, so the learner gets
    // one clean record per task, as an uninterrupted run does.
    const k2 = await cfg();
    const res = await iteratePipeline(k2, { rounds: 1, resume: 'budget', ...opts });
    await k2.close();
    const k3 = await cfg();
    const straight = await iteratePipeline(k3, { rounds: 1, runId: 'budget-straight', ...opts });
    await k3.close();
    expect(res.state.rounds[0]!.searchAccuracy).toBe(straight.state.rounds[0]!.searchAccuracy);
    expect(res.state.rounds[0]!.policyId).toBe(straight.state.rounds[0]!.policyId);
    expect(readFileSync(path.join(round1, 'search.done'), 'utf8')).toBe(String(opts.tasksPerRound));
  });

  it('one process per iterate run: a resume while another process holds the run is RSN_ERR_RUN_LOCKED', async () => {
    const k0 = await kernel();
    await iteratePipeline(k0, { rounds: 1, runId: 'locked', ...opts });
    await k0.close();
    const k = await kernel();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(dir, 'runs', 'locked', 'run.lock'), String(other.pid));
      await expect(iteratePipeline(k, { rounds: 2, resume: 'locked', ...opts })).rejects.toMatchObject({ code: 'RSN_ERR_RUN_LOCKED' });
    } finally {
      other.kill();
      await k.close();
    }
  });

  it('a stop mid-search keeps the searched records; the resume searches only the rest and matches an uninterrupted run', async () => {
    const k = await kernel();
    const stop = new AbortController();
    await iteratePipeline(k, { rounds: 1, runId: 'stop-search', ...opts, signal: stop.signal, onEvent: (e) => { if (e.phase === 'search' && e.done >= 6) stop.abort(); } });
    await k.close();
    const traj = path.join(dir, 'runs', 'stop-search', 'round-1', 'trajectories.jsonl');
    const kept = readFileSync(traj, 'utf8').trim().split('\n');
    expect(kept.length).toBeGreaterThanOrEqual(6);
    expect(kept.length).toBeLessThan(opts.tasksPerRound);
    expect(existsSync(path.join(dir, 'runs', 'stop-search', 'round-1', 'search.done'))).toBe(false);
    const searched: number[] = [];
    const k2 = await kernel();
    const res = await iteratePipeline(k2, { rounds: 1, resume: 'stop-search', ...opts, onEvent: (e) => { if (e.phase === 'search') searched.push(e.done); } });
    await k2.close();
    // Progress counts the kept records; only the missing tasks were searched again.
    expect(searched[0]).toBe(kept.length + 1);
    expect(searched.at(-1)).toBe(opts.tasksPerRound);
    const lines = readFileSync(traj, 'utf8').trim().split('\n').map((l) => JSON.parse(l).taskId as string);
    expect(new Set(lines).size).toBe(opts.tasksPerRound);
    expect(lines).toHaveLength(opts.tasksPerRound);
    const k3 = await kernel();
    const straight = await iteratePipeline(k3, { rounds: 1, runId: 'stop-search-straight', ...opts });
    await k3.close();
    expect(res.state.rounds[0]!.greedy).toBe(straight.state.rounds[0]!.greedy);
    expect(res.state.rounds[0]!.searchAccuracy).toBe(straight.state.rounds[0]!.searchAccuracy);
    expect(res.state.rounds[0]!.policyId).toBe(straight.state.rounds[0]!.policyId);
  });

  it('an online learner (PPO/GRPO) samples for itself: iterate runs no search for it', async () => {
    let rolled = 0;
    const online = definePlugin({
      name: 'mini-online', kind: 'learn', apiVersion: 1,
      setup: (): Learner => ({
        name: 'mini-online', online: true,
        async learn(env) {
          expect(env.records ?? []).toHaveLength(0);
          const recs = await env.rollout(await (async () => { const out = []; for await (const t of env.tasks.tasks({ split: 'train', limit: 8 })) out.push(t); return out; })());
          rolled += recs.length;
          const items = groupsFromRecords(recs).flatMap((g) => g.candidates.filter((c) => c.correct).map((c) => ({ prompt: g.prompt, completion: c.text, length: c.text.length })));
          const loop = await trainLoop(env, { items, batchSize: 8, epochs: 1, rng: env.rng, build: async (rows) => ({ batch: { sequences: rows.map((r) => ({ prompt: r.prompt, completion: r.completion })) }, objective: { kind: 'nll' } }) });
          const saved = await saveOrFail(env.policy, path.join(env.outDir, 'checkpoint'), loop, 'mini-online');
          return { checkpoint: saved.dir, steps: loop.steps, tokens: loop.tokens, metrics: loop.metrics };
        },
      }),
    });
    const k = await kernelFromConfig({ policy: policy({}), tasks, search, learn: online, run: { out: 'runs', seed: 3, concurrency: 4 } }, dir, createLogger('silent'));
    const events: string[] = [];
    const res = await iteratePipeline(k, { rounds: 1, runId: 'online', ...opts, onEvent: (e) => events.push(e.phase) });
    await k.close();
    expect(rolled).toBe(8);
    expect(events).not.toContain('search');
    expect(res.state.rounds[0]!.searchAccuracy).toBeNull();
    expect(res.state.rounds[0]!.searchTokens).toBe(0);
    expect(existsSync(path.join(res.dir, 'round-1', 'trajectories.jsonl'))).toBe(false);
    expect(existsSync(path.join(res.dir, 'round-1', 'checkpoint', 'fake.json'))).toBe(true);
  });
});

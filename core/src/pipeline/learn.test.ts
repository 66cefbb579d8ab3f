import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../kernel/define.js';
import { kernelFromConfig } from '../kernel/load.js';
import { memoryPolicy, memorySearch, memoryTasks } from '../testing/memory-plugins.js';
import { FakeTrainablePolicy } from '../testing/fake-trainable.js';
import type { Learner } from '../types/learn.js';
import { createLogger } from '../util/logger.js';
import { learnPipeline } from './learn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'learn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seen: { records?: number; dataset?: number } = {};
const learn = definePlugin({ name: 'probe-learner', kind: 'learn', apiVersion: 1, setup: (): Learner => ({
  name: 'probe-learner',
  async learn(env) {
    seen.records = env.records?.length; seen.dataset = env.dataset?.length;
    const online = env.records || env.dataset ? [] : await env.rollout([{ id: 'x', prompt: '1+2' }]);
    const saved = await env.policy.save(path.join(env.outDir, 'checkpoint'));
    return { checkpoint: saved.dir, steps: 0, metrics: { online: online.length } };
  },
}) });
const fake = definePlugin({ name: 'fake-trainable', kind: 'policy', apiVersion: 1, setup: () => new FakeTrainablePolicy({ completions: () => ['1+2=3\nans 3'] }) });

describe('reasoner learn (pipeline)', () => {
  it('a policy that is not trainable: RSN_ERR_NOT_TRAINABLE pointing to data export', async () => {
    const k = await kernelFromConfig({ policy: memoryPolicy, tasks: memoryTasks, search: memorySearch, learn, run: { out: 'runs' } }, dir, createLogger('silent'));
    await expect(learnPipeline(k)).rejects.toMatchObject({ code: 'RSN_ERR_NOT_TRAINABLE', context: { hint: expect.stringContaining('data export') } });
    await k.close();
  });

  it('online by default (the rollout helper searches through the kernel), offline with --data; writes learn.json', async () => {
    const k = await kernelFromConfig({ policy: fake, tasks: memoryTasks, search: memorySearch, learn, run: { out: 'runs' } }, dir, createLogger('silent'));
    const a = await learnPipeline(k, { out: path.join(dir, 'a') });
    expect(a.report.metrics.online).toBe(1);
    expect(existsSync(path.join(dir, 'a', 'learn.json'))).toBe(true);
    const data = path.join(dir, 'd.jsonl');
    writeFileSync(data, '{"prompt":"1+2","solution":"ans 3","reward":1}\n');
    await learnPipeline(k, { data, out: path.join(dir, 'b') });
    expect(seen.dataset).toBe(1);
    writeFileSync(data, '{"prompt":"1+2"}\n');
    await expect(learnPipeline(k, { data, out: path.join(dir, 'c') })).rejects.toMatchObject({ code: 'RSN_ERR_DATASET' });
    await k.close();
  });

  it('log.jsonl: every learn step and epoch, through hooks that still work as hooks; an unwritable log only warns', async () => {
    const stepper = definePlugin({ name: 'stepper', kind: 'learn', apiVersion: 1, setup: (): Learner => ({
      name: 'stepper',
      async learn(env) {
        // A learner (or a plugin) may intercept the env's hook: the log must survive it.
        let intercepted = 0;
        env.hooks.learnStep.intercept({ call: () => { intercepted++; } });
        for (let i = 1; i <= 3; i++) await env.hooks.learnStep.promise({ step: i, loss: 1 / i, lr: 1e-3, metrics: {} });
        await env.hooks.learnEpoch.promise({ epoch: 1, metrics: { loss: 0.5 } });
        return { steps: 3, metrics: { intercepted } };
      },
    }) });
    const warnings: string[] = [];
    const logger = { ...createLogger('silent'), warn: (m: string) => { warnings.push(m); } };
    const k = await kernelFromConfig({ policy: fake, tasks: memoryTasks, search: memorySearch, learn: stepper, run: { out: 'runs' } }, dir, logger as never);
    const steps: number[] = [];
    const a = await learnPipeline(k, { out: path.join(dir, 'log-a'), onLearnStep: (s) => steps.push(s.step) });
    expect(a.report.metrics.intercepted).toBe(3);
    expect(steps).toEqual([1, 2, 3]);
    const lines = readFileSync(path.join(dir, 'log-a', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['start', 'step', 'step', 'step', 'epoch']);
    expect(lines[3]).toMatchObject({ step: 3, loss: 1 / 3, lr: 1e-3 });
    // log.jsonl is a folder: training still finishes, with a warning.
    mkdirSync(path.join(dir, 'log-b', 'log.jsonl'), { recursive: true });
    const b = await learnPipeline(k, { out: path.join(dir, 'log-b') });
    expect(b.report.steps).toBe(3);
    expect(warnings.some((w) => w.includes('log.jsonl'))).toBe(true);
    await k.close();
  });

  it('rollouts.jsonl: every record a learner samples is kept, failures too, and reads back as records', async () => {
    const sampler = definePlugin({ name: 'sampler', kind: 'learn', apiVersion: 1, setup: (): Learner => ({
      name: 'sampler',
      async learn(env) {
        const a = await env.rollout([{ id: 'p1', prompt: '1+2', answer: '3' }, { id: 'p2', prompt: '2+2', answer: '4' }]);
        const b = await env.rollout([{ id: 'p3', prompt: '1+2', answer: '3' }]);
        return { steps: 0, metrics: { records: a.length + b.length } };
      },
    }) });
    const k = await kernelFromConfig({ policy: fake, tasks: memoryTasks, search: memorySearch, learn: sampler, run: { out: 'runs' } }, dir, createLogger('silent'));
    const r = await learnPipeline(k, { out: path.join(dir, 'roll') });
    const lines = readFileSync(path.join(dir, 'roll', 'rollouts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(r.report.metrics.records!);
    expect(lines.map((l) => l.taskId).sort()).toEqual(['p1', 'p2', 'p3']);
    // The fake answers "ans 3" to everything: p2's wrong answer is kept, not only the right ones.
    expect(lines.find((l) => l.taskId === 'p2')).toMatchObject({ prompt: '2+2', correct: false });
    expect(lines.find((l) => l.taskId === 'p1')).toMatchObject({ correct: true });
    await k.close();
    // The file is records: another learner learns from it (`reasoner learn --run <dir>/rollouts.jsonl`).
    const k2 = await kernelFromConfig({ policy: fake, tasks: memoryTasks, search: memorySearch, learn, run: { out: 'runs' } }, dir, createLogger('silent'));
    await learnPipeline(k2, { run: path.join(dir, 'roll', 'rollouts.jsonl'), out: path.join(dir, 'roll-2') });
    expect(seen.records).toBe(3);
    await k2.close();
  });
});

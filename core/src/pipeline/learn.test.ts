import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
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
});

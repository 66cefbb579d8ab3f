import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../kernel/define.js';
import { kernelFromConfig } from '../kernel/load.js';
import { memoryPolicy, memorySearch, memoryTasks } from '../testing/memory-plugins.js';
import { CLI, tempProject } from '../testing/temp-project.js';
import type { Reward } from '../types/reward.js';
import { runPipeline } from './run.js';
import { rocAuc, sanityCheck } from './sanity.js';

const p = tempProject('sanity');
afterAll(() => p.cleanup());

/** Says the opposite of the checker: anti-correlated, AUC 0. */
const contrary = definePlugin<Record<string, never>, 'reward'>({
  name: 'contrary', kind: 'reward', apiVersion: 1,
  setup: (): Reward => ({
    kind: 'process', needsGold: false,
    async score(task, s) {
      const a = Number(s.trim().split('\n').pop()?.replace(/^ans\s*/, ''));
      const [x, y] = task.prompt.split('+').map(Number);
      return { value: a === x! + y! ? 0 : 1 };
    },
  }),
});
/** A constant: no separation at all (AUC 0.5). */
const flat = definePlugin<Record<string, never>, 'reward'>({
  name: 'flat', kind: 'reward', apiVersion: 1,
  setup: (): Reward => ({ kind: 'process', needsGold: false, async score() { return { value: 0.5 }; } }),
});
const broken = definePlugin<Record<string, never>, 'reward'>({
  name: 'broken', kind: 'reward', apiVersion: 1,
  setup: (): Reward => ({ kind: 'process', needsGold: false, async score() { throw new Error('model server down'); } }),
});

const kernel = (reward?: unknown, accuracy = 0.5) => kernelFromConfig({
  policy: memoryPolicy({ accuracy }), tasks: memoryTasks({ count: 30 }), search: memorySearch,
  ...(reward ? { reward: reward as never } : {}), run: { out: p.dir, seed: 3 },
});

describe('rocAuc', () => {
  it('is the Mann–Whitney probability with ties counted half; null with one class', () => {
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5);
    expect(rocAuc([0.3, 0.7, 0.5, 0.6], [false, true, true, false])).toBe(0.75);
    expect(rocAuc([1, 2], [true, true])).toBeNull();
  });
});

describe('sanityCheck', () => {
  it('the task checker as reward separates perfectly (AUC 1, ok)', async () => {
    const k = await kernel();
    const r = await sanityCheck(k, { tasks: 8, samples: 4, strict: true });
    await k.close();
    expect(r.verdict).toBe('ok');
    expect(r.auc).toBe(1);
    expect(r.n).toBe(32);
    expect(r.positives).toBeGreaterThan(0);
    expect(r.negatives).toBeGreaterThan(0);
    expect(r.tokens).toBeGreaterThan(0);
  });

  it('a reward that does not separate is weak: a warning, or RSN_ERR_SANITY under strict', async () => {
    for (const [reward, auc] of [[flat, 0.5], [contrary, 0]] as const) {
      const k = await kernel(reward);
      const r = await sanityCheck(k, { tasks: 8 });
      expect(r.verdict).toBe('weak');
      expect(r.auc).toBe(auc);
      expect(r.message).toMatch(/AUC/);
      await expect(sanityCheck(k, { tasks: 8, strict: true })).rejects.toMatchObject({ code: 'RSN_ERR_SANITY' });
      await k.close();
    }
  });

  it('one class only is inconclusive (strict refuses); a throwing reward is RSN_ERR_REWARD', async () => {
    const k = await kernel(undefined, 1); // greedy-perfect policy at temperature 1 is still right with p = 1
    const r = await sanityCheck(k, { tasks: 4 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.auc).toBeNull();
    await expect(sanityCheck(k, { tasks: 4, strict: true })).rejects.toMatchObject({ code: 'RSN_ERR_SANITY' });
    await k.close();
    const b = await kernel(broken);
    await expect(sanityCheck(b, { tasks: 2 })).rejects.toMatchObject({ code: 'RSN_ERR_REWARD' });
    await b.close();
  });

  it('runPipeline: `sanity` runs before the run and is returned; strict refusal writes no run', async () => {
    const k = await kernel();
    const { sanity, summary } = await runPipeline(k, { sanity: { tasks: 4 }, limit: 3 });
    await k.close();
    expect(sanity?.verdict).toBe('ok');
    expect(summary.tasks).toBe(3);
    const before = existsSync(p.dir) ? readdirSync(p.dir).length : 0;
    const w = await kernel(flat);
    await expect(runPipeline(w, { sanity: { tasks: 4, strict: true }, limit: 3 })).rejects.toMatchObject({ code: 'RSN_ERR_SANITY' });
    await w.close();
    expect(existsSync(p.dir) ? readdirSync(p.dir).length : 0).toBe(before);
  });
});

describe('reasoner run --sanity / --strict', () => {
  const q = tempProject('sanity-cli');
  afterAll(() => q.cleanup());
  q.write('mem/policy.ts', `export { memoryPolicy as default } from '@reasoner/core/testing';\n`);
  q.write('mem/tasks.ts', `export { memoryTasks as default } from '@reasoner/core/testing';\n`);
  q.write('mem/search.ts', `export { memorySearch as default } from '@reasoner/core/testing';\n`);
  q.write('mem/flat.ts', `import { definePlugin } from '@reasoner/core';
export default definePlugin({ name: 'flat', kind: 'reward', apiVersion: 1, setup: () => ({ kind: 'process', needsGold: false, async score() { return { value: 0.5 }; } }) });\n`);
  q.write('reasoner.config.yaml', `policy: ./mem/policy.ts
tasks: { use: ./mem/tasks.ts, options: { count: 12 } }
reward: ./mem/flat.ts
search: ./mem/search.ts
run: { out: runs, concurrency: 2 }
`);
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: q.dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('--sanity reports the AUC in the JSON summary and still runs with a weak reward', () => {
    const ok = cli(['run', '--json', '--limit', '3', '--sanity', '--sanity-tasks', '6']);
    expect(ok.code, ok.err).toBe(0);
    const s = JSON.parse(ok.out);
    expect(s.tasks).toBe(3);
    expect(s.sanity).toMatchObject({ verdict: 'weak', auc: 0.5 });
    // --strict's refusal is tested on runPipeline above (one CLI spawn keeps this file fast).
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelFromConfig, runPipeline } from '@reasoner/core';
import { tempProject } from '@reasoner/core/testing';

const p = tempProject('reward-model');
afterAll(() => p.cleanup());

describe('reward-model through the kernel', () => {
  it('{ use } with default options loads the shipped PRM; it guides best-of-N while the checker grades', async () => {
    const k = await kernelFromConfig({
      policy: '@reasoner/plugin-policy-tiny', tasks: '@reasoner/plugin-task-countdown',
      reward: { use: '@reasoner/plugin-reward-model' },
      search: { use: '@reasoner/plugin-search-bon', options: { n: 4, select: 'reward', temperature: 0.8 } },
      run: { out: p.dir, limit: 4, seed: 3 },
    }, p.dir);
    const reward = k.require('reward');
    expect(reward.needsGold).toBe(false);
    expect(reward.kind).toBe('process');
    const task = { id: 'x', prompt: '3 4 5>35\n' };
    const good = await reward.scoreSteps!(task, ['3+4=7', '7*5=35']);
    expect(good).toHaveLength(2);
    for (const s of good) expect(s).toBeGreaterThan(0), expect(s).toBeLessThan(1);
    const { dir, summary } = await runPipeline(k);
    await k.close();
    expect(summary.oracle).toBe(false);
    expect(summary.grader).toBe('countdown.verify');
    const recs = readFileSync(`${dir}/trajectories.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(4);
    for (const r of recs) {
      expect(r.error).toBeUndefined();
      expect(r.reward.steps.length).toBeGreaterThan(0);
      // the PRM never says "correct"; the record's verdict is the checker's
      expect(r.reward.correct).toBeUndefined();
      const best = r.candidates.reduce((a: { reward: number }, c: { reward: number }) => (c.reward > a.reward ? c : a));
      expect(r.solution).toBe(best.text);
    }
  }, 400_000);
});

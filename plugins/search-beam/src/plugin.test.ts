import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempProject } from '@reasoner/core/testing';

const p = tempProject('search-plugins');
afterAll(() => p.cleanup());

/** Through the kernel: the shipped policy, Countdown, a JSON config naming the plugin with default options. */
function run(search: string): { code: number | null; summary: Record<string, unknown>; err: string } {
  p.write(`${search}.json`, JSON.stringify({
    policy: '@reasoner/plugin-policy-tiny', tasks: '@reasoner/plugin-task-countdown', search: { use: `@reasoner/plugin-${search}` },
    run: { out: 'runs', seed: 1, limit: 8, concurrency: 8, budget: { perTask: { tokens: 630 } } },
  }));
  const r = spawnSync(process.execPath, [CLI, 'run', '--json', '--config', `${search}.json`], { cwd: p.dir, encoding: 'utf8' });
  return { code: r.status, summary: r.stdout ? JSON.parse(r.stdout) : {}, err: r.stderr };
}

describe('search plugins through `reasoner run --json`', () => {
  for (const search of ['search-beam', 'search-refine']) {
    it(`${search} with default options`, () => {
      const r = run(search);
      expect(r.code, r.err).toBe(0);
      expect(r.summary.tasks).toBe(8);
      expect(r.summary.errors).toBe(0);
      expect(r.summary.oracle).toBe(false);
      const usage = r.summary.usage as { promptTokens: number; completionTokens: number };
      expect((usage.promptTokens + usage.completionTokens) / 8).toBeLessThanOrEqual(630);
      expect(r.summary.accuracy as number).toBeGreaterThan(0.25);
    });
  }
});

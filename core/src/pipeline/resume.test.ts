import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempProject } from '../testing/temp-project.js';

const p = tempProject('resume');
afterAll(() => p.cleanup());

const TASKS = 60;
p.write('reasoner.config.ts', `import { defineConfig } from '@reasoner/core';
import { memoryPolicy, memorySearch, memoryTasks } from '@reasoner/core/testing';
export default defineConfig({
  policy: memoryPolicy({ accuracy: 0.6, delayMs: 40 }),
  tasks: memoryTasks({ count: ${TASKS} }),
  search: memorySearch,
  run: { out: 'runs', concurrency: 3, seed: 3 },
});
`);

const runsDir = path.join(p.dir, 'runs');
const lines = (runId: string) => readFileSync(path.join(runsDir, runId, 'trajectories.jsonl'), 'utf8');

describe('crash and resume', () => {
  it('a run killed with SIGKILL mid-way resumes with no task lost, none twice, no torn line', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--run-id', 'r1', '--json'], { cwd: p.dir, stdio: 'pipe' });
    // Kill once some (not all) records are durable.
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const timer = setInterval(() => {
        let n = 0;
        try { n = lines('r1').split('\n').filter(Boolean).length; } catch { /* not yet created */ }
        if (n >= 10) { clearInterval(timer); child.kill('SIGKILL'); resolve(); }
        else if (Date.now() - t0 > 40_000) { clearInterval(timer); child.kill('SIGKILL'); reject(new Error('run made no progress')); }
      }, 20);
    });
    await new Promise((r) => child.once('exit', r));
    const before = lines('r1').split('\n').filter(Boolean).length;
    expect(before).toBeGreaterThanOrEqual(10);
    expect(before).toBeLessThan(TASKS);
    // Simulate the worst case, a torn final line, as if the kill hit mid-write.
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path.join(runsDir, 'r1', 'trajectories.jsonl'), '{"taskId":"t5","prom');

    const res = spawnSync(process.execPath, [CLI, 'run', '--resume', 'r1', '--json'], { cwd: p.dir, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.tasks).toBe(TASKS);

    const text = lines('r1');
    expect(text.endsWith('\n')).toBe(true);
    const ids = text.trim().split('\n').map((l) => JSON.parse(l).taskId as string);
    expect(ids).toHaveLength(TASKS);
    expect(new Set(ids).size).toBe(TASKS);
    const onDisk = JSON.parse(readFileSync(path.join(runsDir, 'r1', 'summary.json'), 'utf8'));
    expect(onDisk.tasks).toBe(TASKS);
    expect(readdirSync(path.join(runsDir, 'r1')).sort()).toEqual(['config.json', 'summary.json', 'trajectories.jsonl']);
  }, 120_000);

  it('a resumed run records the same outcomes as an uninterrupted one (seeded per task)', () => {
    const res = spawnSync(process.execPath, [CLI, 'run', '--run-id', 'r2', '--json'], { cwd: p.dir, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const byId = (t: string) => new Map(t.trim().split('\n').map((l) => { const r = JSON.parse(l); return [r.taskId, r.solution]; }));
    expect(byId(lines('r2'))).toEqual(byId(lines('r1')));
  }, 60_000);

  it('SIGINT stops after in-flight tasks are recorded, runs plugin teardown, exits 130, and resumes', async () => {
    p.write('closer.ts', `import { definePlugin } from '@reasoner/core';
import { writeFileSync } from 'node:fs';
export default definePlugin({ name: 'closer', kind: 'extension', apiVersion: 1, setup(ctx) {
  ctx.onClose(() => writeFileSync('closed.txt', 'yes'));
} });\n`);
    p.write('sigint.config.ts', readFileSync(path.join(p.dir, 'reasoner.config.ts'), 'utf8').replace('run: {', "plugins: ['./closer.ts'], run: {"));
    const child = spawn(process.execPath, [CLI, 'run', '--config', 'sigint.config.ts', '--run-id', 'r3'], { cwd: p.dir, stdio: 'pipe' });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        let n = 0;
        try { n = lines('r3').split('\n').filter(Boolean).length; } catch { /* not yet */ }
        if (n >= 5) { clearInterval(timer); child.kill('SIGINT'); resolve(); }
      }, 20);
    });
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(readFileSync(path.join(p.dir, 'closed.txt'), 'utf8')).toBe('yes');
    const partial = JSON.parse(readFileSync(path.join(runsDir, 'r3', 'summary.json'), 'utf8'));
    expect(partial.stoppedBy).toBe('abort');
    expect(partial.tasks).toBeLessThan(TASKS);
    const res = spawnSync(process.execPath, [CLI, 'run', '--config', 'sigint.config.ts', '--resume', 'r3', '--json'], { cwd: p.dir, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const ids = lines('r3').trim().split('\n').map((l) => JSON.parse(l).taskId);
    expect(new Set(ids).size).toBe(TASKS);
    expect(ids).toHaveLength(TASKS);
  }, 120_000);

  it('refuses a second writer on a live run (RSN_ERR_RUN_LOCKED)', async () => {
    // Slow enough that the run is still live when the second process starts (its start-up can take seconds on a loaded machine).
    p.write('slow.config.ts', readFileSync(path.join(p.dir, 'reasoner.config.ts'), 'utf8').replace('delayMs: 40', 'delayMs: 1000').replace(`count: ${TASKS}`, 'count: 24'));
    const child = spawn(process.execPath, [CLI, 'run', '--config', 'slow.config.ts', '--run-id', 'r4'], { cwd: p.dir, stdio: 'pipe' });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        let n = 0;
        try { n = lines('r4').split('\n').filter(Boolean).length; } catch { /* not yet */ }
        if (n >= 2) { clearInterval(timer); resolve(); }
      }, 20);
    });
    const second = spawnSync(process.execPath, [CLI, 'run', '--config', 'slow.config.ts', '--resume', 'r4'], { cwd: p.dir, encoding: 'utf8' });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('RSN_ERR_RUN_LOCKED');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    const ids = lines('r4').trim().split('\n').map((l) => JSON.parse(l).taskId);
    expect(new Set(ids).size).toBe(24);
    expect(ids).toHaveLength(24);
  }, 120_000);

  it('RSN_ERR_RUN_NOT_FOUND for an unknown run id', () => {
    const res = spawnSync(process.execPath, [CLI, 'run', '--resume', 'nope'], { cwd: p.dir, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('RSN_ERR_RUN_NOT_FOUND');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
  }, 60_000);
});

import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReasonerError } from '../errors.js';
import { memoryPolicy, memorySearch, memoryTasks } from '../testing/memory-plugins.js';
import { tempProject } from '../testing/temp-project.js';
import { definePlugin } from './define.js';
import { discoverInstalled } from './discovery.js';
import { kernelFromConfig } from './load.js';
import { runPipeline } from '../pipeline/run.js';
import { createHooks } from './hooks.js';

const p = tempProject('kernel');
afterAll(() => p.cleanup());

const base = { policy: memoryPolicy, tasks: memoryTasks({ count: 5 }), search: memorySearch };

describe('plugin resolution', () => {
  beforeAll(() => {
    // A third-party plugin installed from a packed tarball, as `npm install` from the registry would.
    const fixture = path.join(p.dir, 'fixture');
    cpSync(new URL('../testing/fixtures/reasoner-plugin-echo', import.meta.url), fixture, { recursive: true });
    p.write('app/package.json', JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', p.dir], { cwd: fixture, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('npm', ['install', '--no-save', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', path.join(p.dir, tgz)], { cwd: path.join(p.dir, 'app'), stdio: 'pipe' });
  }, 120_000);

  it('loads an npm-installed plugin by name with options, and discovery lists it', async () => {
    const k = await kernelFromConfig({ ...base, reward: { use: 'reasoner-plugin-echo', options: { bonus: 0.5 } } }, path.join(p.dir, 'app'));
    const r = await k.require('reward').score({ id: 'a', prompt: '', answer: '7' }, 'x\n7');
    expect(r).toEqual({ value: 1.5, correct: true });
    expect(k.plugins.find((x) => x.definition.name === 'reasoner-plugin-echo')?.source).toBe('reasoner-plugin-echo');
    await k.close();
    const found = discoverInstalled(path.join(p.dir, 'app'));
    const echo = found.find((d) => d.name === 'reasoner-plugin-echo');
    expect(echo).toMatchObject({ kind: 'reward', version: '1.2.3', origin: 'npm' });
    expect(found.some((d) => d.name === '@reasoner/plugin-search-bon' && d.origin === 'workspace')).toBe(true);
  });

  it('loads a local plugin folder relative to the config dir', async () => {
    p.write('app/plugins-local/tagger/index.ts', `import { definePlugin } from '@reasoner/core';
export default definePlugin({ name: 'tagger', kind: 'extension', apiVersion: 1, setup(ctx) {
  ctx.hooks.trajectory.tapPromise('tagger', async (r) => ({ ...r, policyId: 'tagged:' + r.policyId }));
} });\n`);
    const k = await kernelFromConfig({ ...base, plugins: ['./plugins-local/tagger'], run: { out: 'runs-local' } }, path.join(p.dir, 'app'));
    const { dir } = await runPipeline(k);
    await k.close();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path.join(dir, 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.policyId === 'tagged:memory-policy')).toBe(true);
  });

  const cases: Array<[string, object, string, string?]> = [
    ['not installed', { reward: 'reasoner-plugin-missing' }, 'RSN_ERR_PLUGIN_NOT_FOUND', '/reward'],
    ['missing local path', { plugins: ['./nowhere'] }, 'RSN_ERR_PLUGIN_NOT_FOUND', '/plugins/0'],
    ['wrong kind', { reward: memoryPolicy }, 'RSN_ERR_PLUGIN_KIND', '/reward'],
    ['bad options', { policy: memoryPolicy({ accuracy: 'high' as unknown as number }) }, 'RSN_ERR_PLUGIN_OPTIONS', '/policy/accuracy'],
    ['unknown option', { reward: { use: 'reasoner-plugin-echo', options: { bonsu: 1 } } }, 'RSN_ERR_PLUGIN_OPTIONS', '/reward/options/bonsu'],
  ];
  for (const [name, patch, code, pointer] of cases) {
    it(`${code}: ${name}`, async () => {
      const err = await kernelFromConfig({ ...base, ...patch } as never, path.join(p.dir, 'app')).catch((e) => e);
      expect(err).toBeInstanceOf(ReasonerError);
      expect(err.code).toBe(code);
      if (pointer) expect(err.context.pointer).toBe(pointer);
      expect(err.context.hint).toBeTruthy();
    });
  }

  it('RSN_ERR_PLUGIN_INVALID for a package that exports no plugin', async () => {
    p.write('app/not-a-plugin/index.js', 'export default { hello: 1 };\n');
    await expect(kernelFromConfig({ ...base, plugins: ['./not-a-plugin'] }, path.join(p.dir, 'app'))).rejects.toMatchObject({ code: 'RSN_ERR_PLUGIN_INVALID' });
  });

  it('RSN_ERR_PLUGIN_DUPLICATE for two plugins with one name', async () => {
    const ext = definePlugin({ name: 'dup', kind: 'extension', apiVersion: 1, setup() {} });
    await expect(kernelFromConfig({ ...base, plugins: [ext, ext({})] })).rejects.toMatchObject({ code: 'RSN_ERR_PLUGIN_DUPLICATE', context: { pointer: '/plugins/1' } });
  });

  it('RSN_ERR_PLUGIN_API_VERSION on a mismatch', async () => {
    const old = definePlugin({ name: 'old', kind: 'extension', apiVersion: 0, setup() {} });
    await expect(kernelFromConfig({ ...base, plugins: [old] })).rejects.toMatchObject({ code: 'RSN_ERR_PLUGIN_API_VERSION', context: { plugin: 'old' } });
  });

  it('RSN_ERR_PLUGIN_SETUP names the plugin whose setup throws, and closes what was set up', async () => {
    let closed = 0;
    const a = definePlugin({ name: 'a', kind: 'extension', apiVersion: 1, setup(ctx) { ctx.onClose(() => { closed++; }); } });
    const b = definePlugin({ name: 'b', kind: 'extension', apiVersion: 1, setup() { throw new Error('boom'); } });
    await expect(kernelFromConfig({ ...base, plugins: [a, b] })).rejects.toMatchObject({ code: 'RSN_ERR_PLUGIN_SETUP', context: { plugin: 'b' } });
    expect(closed).toBe(1);
  });
});

describe('hooks', () => {
  it('run in order: plugins by setup order, then config hooks; waterfalls pass values on', async () => {
    const order: string[] = [];
    const ext = (name: string) => definePlugin({ name, kind: 'extension', apiVersion: 1, setup(ctx) {
      ctx.hooks.beforeGenerate.tapPromise(name, async (req) => { order.push(name); return { ...req, maxTokens: (req.maxTokens ?? 0) + 1 }; });
    } });
    const seen: number[] = [];
    const k = await kernelFromConfig({
      ...base, tasks: memoryTasks({ count: 1 }), plugins: [ext('first'), ext('second')], run: { out: path.join(p.dir, 'runs-hooks') },
      hooks: {
        beforeGenerate: async (req) => { order.push('config'); seen.push(req.maxTokens!); return undefined; },
        afterReward: [async (r) => ({ ...r, value: r.value + 10 }), async (r) => ({ ...r, value: r.value * 2 })],
      },
    });
    const { summary } = await runPipeline(k);
    await k.close();
    expect(order).toEqual(['first', 'second', 'config']);
    expect(seen).toEqual([2]);
    expect(summary.meanReward).toBeGreaterThanOrEqual(20);
  });

  it('a throwing tap stops the run with RSN_ERR_HOOK naming plugin and hook', async () => {
    const bad = definePlugin({ name: 'bad-tap', kind: 'extension', apiVersion: 1, setup(ctx) {
      ctx.hooks.afterSearch.tapPromise('bad-tap', async () => { throw new Error('kaput'); });
    } });
    const k = await kernelFromConfig({ ...base, plugins: [bad], run: { out: path.join(p.dir, 'runs-bad') } });
    const err = await runPipeline(k).catch((e) => e);
    await k.close();
    expect(err).toMatchObject({ code: 'RSN_ERR_HOOK', context: { plugin: 'bad-tap', hook: 'afterSearch' } });
    expect(err.message).toContain('kaput');
  });

  it('refuses taps after setup and non-promise taps', async () => {
    const k = await kernelFromConfig(base);
    expect(() => k.hooks.runStart.tapPromise('late', async () => {})).toThrow(/frozen/);
    await k.close();
    expect(() => createHooks().runStart.tap('sync', () => {})).toThrow(/tapPromise/);
  });
});

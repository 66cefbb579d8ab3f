/**
 * The install test: what a new user gets from npm. Packs the workspace packages a default project
 * needs (and whatever workspace packages those depend on), installs the tarballs plus a
 * third-party plugin into a project OUTSIDE the repository with plain `npm install`, and drives
 * the installed CLI there under plain node: npm create, import, init, validate, run, plugins, a typecheck.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/temp-project.js';

/** What `npm create @reasoner` / the README install; their workspace dependencies are added below. */
const WANTED = ['@reasoner/core', '@reasoner/plugin-policy-tiny', '@reasoner/plugin-policy-onnx', '@reasoner/plugin-task-countdown', '@reasoner/plugin-search-bon'];

interface Pkg { name: string; private?: boolean; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> }

/** Workspace packages by name → folder. */
function workspacePackages(): Map<string, { dir: string; pkg: Pkg }> {
  const out = new Map<string, { dir: string; pkg: Pkg }>();
  const dirs = ['core', ...['packages', 'plugins'].flatMap((f) => (existsSync(path.join(REPO_ROOT, f)) ? readdirSync(path.join(REPO_ROOT, f)).map((d) => `${f}/${d}`) : []))];
  for (const d of dirs) {
    const file = path.join(REPO_ROOT, d, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Pkg;
    out.set(pkg.name, { dir: d, pkg });
  }
  return out;
}

/** WANTED plus every workspace package they need at run time (dependencies and required peers). */
function packClosure(wanted: string[], ws = workspacePackages()): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const w = ws.get(name);
    if (!w || seen.has(name)) return;
    seen.add(name);
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = w.pkg;
    for (const d of Object.keys(dependencies)) visit(d);
    for (const d of Object.keys(peerDependencies)) if (!peerDependenciesMeta[d]?.optional) visit(d);
  };
  wanted.forEach(visit);
  return [...seen].map((n) => ws.get(n)!.dir);
}

/** The child's environment without what `npm test` exported (npm_config_prefix & co. would point into the repo). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')) env[k] = v;
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', FORCE_COLOR: '0', NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
}

/** Async so the test worker keeps answering vitest while npm and the CLI run (a blocked worker times out). */
function exec(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'reasoner-install-'));
// ~600 MB of node_modules (onnxruntime-node, tfjs): removed off the event loop, with time for a busy disk.
afterAll(() => rm(work, { recursive: true, force: true }), 240_000);

describe('install from packed tarballs into a project outside the repo', () => {
  it('npm create, import, init, validate, run --limit 5, plugins, and a strict typecheck work under plain node', async () => {
    expect(path.relative(REPO_ROOT, work).startsWith('..')).toBe(true);
    const env = cleanEnv();
    const npm = async (args: string[], cwd: string) => {
      const r = await exec('npm', args, cwd, env);
      expect(r.status, `npm ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r;
    };

    // Build what is packed (incremental: a no-op when dist/ is current; type errors are the typecheck's job), then pack it.
    const dirs = packClosure([...WANTED, '@reasoner/create']);
    const built = await exec(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--no-fail', ...dirs], REPO_ROOT, env);
    expect(built.status, built.stdout + built.stderr).toBe(0);
    expect(dirs).toEqual(expect.arrayContaining(['core', 'plugins/policy-tiny', 'plugins/task-countdown', 'packages/create']));
    const tarballs = path.join(work, 'tarballs');
    mkdirSync(tarballs);
    await npm(['pack', '--silent', '--pack-destination', tarballs, ...dirs.flatMap((d) => ['-w', d])], REPO_ROOT);

    // A third-party plugin, as someone would publish it: plain JS, @reasoner/core as a peer.
    const third = path.join(work, 'reasoner-plugin-hello');
    mkdirSync(third);
    writeFileSync(path.join(third, 'package.json'), JSON.stringify({
      name: 'reasoner-plugin-hello', version: '1.2.3', type: 'module', main: 'index.js', keywords: ['reasoner-plugin'],
      reasoner: { kind: 'extension' }, peerDependencies: { '@reasoner/core': '*' },
    }));
    writeFileSync(path.join(third, 'index.js'), `import { definePlugin } from '@reasoner/core';
export default definePlugin({
  name: 'hello', kind: 'extension', apiVersion: 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string', default: 'hello' } } },
  setup(ctx, { greeting }) { ctx.hooks.runEnd.tapPromise('hello', async (_run, s) => ctx.logger.info(greeting + ' from a third-party plugin: ' + s.tasks + ' tasks')); },
});
`);
    const thirdTgz = path.join(work, 'reasoner-plugin-hello-1.2.3.tgz');
    await npm(['pack', '--silent', '--pack-destination', work], third);

    // `npm create @reasoner my-reasoner` = npm exec of @reasoner/create's bin; here from its tarball,
    // installing the other tarballs (third-party deps come from the npm cache).
    const createTgz = readdirSync(tarballs).find((f) => f.startsWith('reasoner-create-'))!;
    const t0 = Date.now();
    const created = await npm(['exec', '--yes', '--package', path.join(tarballs, createTgz), '--', 'create-reasoner', 'my-reasoner', '--tarballs', tarballs], work);
    const proj = path.join(work, 'my-reasoner');
    expect(created.stdout).toContain('next: cd my-reasoner && npm start');
    expect(created.stdout).toContain('next: npx reasoner validate && npx reasoner run'); // init saw the installed packages
    for (const f of ['package.json', 'tsconfig.json', 'reasoner.config.ts', 'plugins-local/my-logger/index.ts']) expect(existsSync(path.join(proj, f)), f).toBe(true);
    const installMs = Date.now() - t0;
    // Adding a plugin later is a plain npm install.
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', thirdTgz], proj);
    process.stderr.write(`install test: npm create with ${dirs.length} workspace tarballs took ${(installMs / 1000).toFixed(1)} s, + third-party plugin ${((Date.now() - t0 - installMs) / 1000).toFixed(1)} s\n`);

    const node = (args: string[]) => exec(process.execPath, args, proj, env);
    const bin = path.join(proj, 'node_modules', '@reasoner', 'core', 'bin', 'reasoner.mjs');
    const reasoner = async (...args: string[]) => {
      const r = await node([bin, ...args]);
      expect(r.stderr).not.toContain('Platform node has already been set');
      expect(r.stderr).not.toMatch(/\n\s+at .*\(/);
      return r;
    };
    expect(existsSync(path.join(proj, 'node_modules', '.bin', 'reasoner'))).toBe(true);

    // Every installed package imports under plain node (compiled JS, no TS loader).
    const names = readdirSync(path.join(proj, 'node_modules', '@reasoner')).map((n) => `@reasoner/${n}`);
    const imp = await node(['--input-type=module', '-e', `for (const n of ${JSON.stringify([...names, 'reasoner-plugin-hello'])}) { const m = await import(n); if (!Object.keys(m).length) throw new Error(n + ' exports nothing'); }`]);
    expect(imp.status, imp.stderr).toBe(0);

    // `reasoner init` refuses to overwrite what create (through init) wrote.
    const init = await reasoner('init');
    expect(init.status).toBe(2);
    expect(init.stderr).toContain('RSN_ERR_USAGE: reasoner.config.ts already exists');
    const configFile = path.join(proj, 'reasoner.config.ts');
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replace("plugins: ['./plugins-local/my-logger']", "plugins: ['./plugins-local/my-logger', { use: 'reasoner-plugin-hello', options: { greeting: 'hi' } }]"));

    const validate = await reasoner('validate');
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/\/plugins\/1\s+extension\s+hello/);

    const run = await reasoner('run', '--limit', '5', '--json', '--log-level', 'info');
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { tasks: number; dir: string };
    expect(summary.tasks).toBe(5);
    expect(readFileSync(path.join(summary.dir, 'trajectories.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(run.stderr).toContain('hi from a third-party plugin: 5 tasks');

    const plugins = await reasoner('plugins', '--json');
    expect(plugins.status, plugins.stderr).toBe(0);
    const listed = (JSON.parse(plugins.stdout) as { plugins: Array<{ name: string; origin: string; version: string }> }).plugins;
    expect(listed).toContainEqual(expect.objectContaining({ name: 'reasoner-plugin-hello', origin: 'npm', version: '1.2.3' }));
    expect(listed).toContainEqual(expect.objectContaining({ name: 'my-logger', origin: 'config' }));

    // The user's own strict TS project typechecks against the published .d.ts files.
    writeFileSync(path.join(proj, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: true, noEmit: true, types: [] },
      include: ['reasoner.config.ts', 'plugins-local'],
    }));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const typecheck = await node([tsc, '-p', 'tsconfig.json']);
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);
  }, 300_000);
});

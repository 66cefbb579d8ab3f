#!/usr/bin/env node
/**
 * `npm run check:packages` (CI): for every built workspace package, publint (exports, files,
 * types resolve to what is packed) and @arethetypeswrong/cli (types resolve like the JS for node16
 * ESM and bundlers). Run after `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const binOf = (pkg, name) => {
  const dir = path.join(root, 'node_modules', pkg);
  const bin = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).bin;
  return path.join(dir, typeof bin === 'string' ? bin : bin[name]);
};
const publint = binOf('publint', 'publint');
const attw = binOf('@arethetypeswrong/cli', 'attw');

const under = (folder) => (existsSync(path.join(root, folder)) ? readdirSync(path.join(root, folder)).sort().map((d) => `${folder}/${d}`) : []);
const named = process.argv.slice(2);
const dirs = (named.length ? named : ['core', ...under('packages'), ...under('plugins')]).filter((d) => {
  const f = path.join(root, d, 'package.json');
  return existsSync(f) && !JSON.parse(readFileSync(f, 'utf8')).private && existsSync(path.join(root, d, 'dist'));
});

let failed = 0;
for (const d of dirs) {
  const dir = path.join(root, d);
  // Dev-only subpaths (only a "source" condition, e.g. task-countdown's ./bench) are not published API.
  const exp = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).exports ?? {};
  const devOnly = Object.entries(exp).filter(([, v]) => v && typeof v === 'object' && Object.keys(v).join() === 'source').map(([k]) => k);
  const runs = [
    ['publint', [publint, '--strict', '--level', 'warning', dir]],
    // ESM-only packages: CommonJS `require` resolution is out of scope by design.
    ['attw', [attw, '--pack', dir, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', ...(devOnly.length ? ['--exclude-entrypoints', ...devOnly] : [])]],
  ];
  for (const [tool, args] of runs) {
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    if (r.status !== 0) {
      failed++;
      process.stdout.write(`✗ ${tool} ${d}\n${r.stdout}${r.stderr}\n`);
    } else process.stdout.write(`✓ ${tool} ${d}\n`);
  }
}
process.stdout.write(`${dirs.length} packages checked, ${failed} problems\n`);
process.exitCode = failed ? 1 : 0;

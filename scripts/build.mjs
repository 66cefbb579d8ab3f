#!/usr/bin/env node
/**
 * `npm run build` (also run by `npm install` through `prepare`, with --no-fail): `tsc -b` over every workspace
 * package that has a tsconfig.json (core, packages/*, plugins/*; project references give the
 * order), then copies the non-TypeScript files a package reads at run time from src/ to dist/
 * (e.g. reward-code's harness.py, read through `new URL('./harness.py', import.meta.url)`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const under = (folder) => (existsSync(path.join(root, folder)) ? readdirSync(path.join(root, folder)).sort().map((d) => `${folder}/${d}`) : []);
const all = ['core', ...under('packages'), ...under('plugins')].filter((d) => existsSync(path.join(root, d, 'tsconfig.json')) && existsSync(path.join(root, d, 'src')));
// `node scripts/build.mjs core plugins/x` builds only those (and what they reference).
const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const projects = named.length ? named : all;

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-b', ...projects, ...process.argv.slice(2).filter((a) => a.startsWith('-') && a !== '--no-fail')], { cwd: root, stdio: 'inherit' });
// `--no-fail` (the prepare script): type errors are printed, dist/ is still emitted (tsc -b goes on
// past them), and `npm install` does not fail over one package's WIP; CI's typecheck step catches them.
const noFail = process.argv.includes('--no-fail');
if (r.status !== 0) {
  if (!noFail) process.exit(r.status ?? 1);
  process.stderr.write('build: the type errors above were emitted anyway (dist/ is usable); `npm run typecheck` lists them\n');
}

const SKIP = /\.(ts|tsx|mts|cts)$|\.test\./;
function copyTree(from, to) {
  for (const e of readdirSync(from)) {
    const src = path.join(from, e);
    if (statSync(src).isDirectory()) {
      if (e !== 'fixtures' && e !== 'node_modules') copyTree(src, path.join(to, e));
    } else if (!SKIP.test(e)) {
      mkdirSync(to, { recursive: true });
      copyFileSync(src, path.join(to, e));
    }
  }
}
for (const d of all) if (existsSync(path.join(root, d, 'dist'))) copyTree(path.join(root, d, 'src'), path.join(root, d, 'dist'));

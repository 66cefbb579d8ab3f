#!/usr/bin/env node
/**
 * Gives every publishable workspace package the built layout, so new plugins need no hand edits:
 *   exports: { source: ./src/x.ts (in-repo dev), types: ./dist/x.d.ts, import: ./dist/x.js }
 *   main/types → dist, files, and a tsconfig.json (composite, src → dist) with references to the
 *   workspace packages it imports (scripts/build.mjs builds every package that has one).
 *
 *   node scripts/package-layout.mjs          # write
 *   node scripts/package-layout.mjs --check  # exit 1 and name the packages that differ
 *   node scripts/package-layout.mjs plugins/x  # only these folders
 *   --all: also packages whose package.json git does not track yet (default: tracked only)
 *
 * Only build fields are touched; name, dependencies, keywords, "reasoner" stay as they are.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const check = process.argv.includes('--check');
const all = process.argv.includes('--all');

function tracked(rel) {
  try {
    return execFileSync('git', ['ls-files', '--error-unmatch', rel], { cwd: root, stdio: 'ignore' }) !== undefined;
  } catch {
    return false;
  }
}
const read = (f) => JSON.parse(readFileSync(f, 'utf8'));

/** Workspace package folders (relative to the root) that have a src/ folder and are not private. */
export function publishable() {
  const under = (folder) => (existsSync(path.join(root, folder)) ? readdirSync(path.join(root, folder)).sort().map((d) => `${folder}/${d}`) : []);
  const dirs = ['core', ...under('packages'), ...under('plugins')];
  return dirs.filter((d) => {
    const f = path.join(root, d, 'package.json');
    return existsSync(f) && existsSync(path.join(root, d, 'src')) && !read(f).private && (all || tracked(`${d}/package.json`));
  });
}

const toDist = (p, ext) => p.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, ext);

function exportEntry(value) {
  const src = typeof value === 'string' ? value : value?.source;
  if (typeof src !== 'string' || !src.endsWith('.ts')) return value;
  // Only src/ is compiled; anything else (e.g. ./bench) stays a dev-only entry.
  if (!src.startsWith('./src/')) return { source: src };
  return { source: src, types: toDist(src, '.d.ts'), import: toDist(src, '.js'), default: toDist(src, '.js') };
}

function layoutPackage(dir, names) {
  const file = path.join(root, dir, 'package.json');
  const before = readFileSync(file, 'utf8');
  const pkg = JSON.parse(before);
  const exp = pkg.exports ?? { '.': './src/index.ts' };
  pkg.exports = Object.fromEntries(Object.entries(typeof exp === 'string' ? { '.': exp } : exp).map(([k, v]) => [k, exportEntry(v)]));
  pkg.exports['./package.json'] ??= './package.json';
  const main = pkg.exports['.'];
  if (main && typeof main === 'object' && main.import) {
    pkg.main = main.import;
    pkg.types = main.types;
  }
  const extra = (pkg.files ?? []).filter((f) => !['dist', 'src', '!src/**/*.test.ts', '!dist/**/*.test.*', '!**/*.tsbuildinfo', 'README.md'].includes(f));
  for (const d of ['data', 'checkpoints', 'schemas', 'public', 'bin', 'CHECKPOINT.md', 'LICENSE']) {
    if (existsSync(path.join(root, dir, d)) && !extra.includes(d)) extra.push(d);
  }
  pkg.files = ['dist', 'src', '!src/**/*.test.ts', '!dist/**/*.test.*', '!**/*.tsbuildinfo', ...extra, 'README.md'];
  const after = JSON.stringify(order(pkg), null, 2) + '\n';

  // Workspace packages this one imports (dependencies of any kind) become project references.
  const deps = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
  // An optional peer is loaded lazily (and may point back at us): no reference, so no cycle.
  const optional = (n) => pkg.peerDependenciesMeta?.[n]?.optional === true;
  const refs = Object.keys(deps).filter((n) => names.has(n) && n !== pkg.name && !optional(n)).map((n) => ({ path: path.relative(path.join(root, dir), path.join(root, names.get(n))) }));
  const tsconfig = {
    extends: path.relative(path.join(root, dir), path.join(root, 'tsconfig.base.json')),
    compilerOptions: { rootDir: 'src', outDir: 'dist', composite: true, tsBuildInfoFile: 'dist/.tsbuildinfo' },
    include: ['src'],
    // Test helpers (src/testing/) are built only when exported; unexported ones may import devDependencies.
    exclude: ['src/**/*.test.ts', 'src/**/fixtures/**', ...(pkg.exports['./testing'] ? [] : ['src/testing/**'])],
    references: refs,
  };
  const tsFile = path.join(root, dir, 'tsconfig.json');
  const tsAfter = JSON.stringify(tsconfig, null, 2) + '\n';
  const tsBefore = existsSync(tsFile) ? readFileSync(tsFile, 'utf8') : '';
  const changed = [];
  if (after !== before) changed.push('package.json');
  if (tsAfter !== tsBefore) changed.push('tsconfig.json');
  if (!check) {
    if (after !== before) writeFileSync(file, after);
    if (tsAfter !== tsBefore) writeFileSync(tsFile, tsAfter);
  }
  return changed;
}

/** Keeps the usual key order so diffs stay small. */
function order(pkg) {
  const keys = ['name', 'version', 'description', 'license', 'type', 'keywords', 'sideEffects', 'exports', 'main', 'types', 'bin', 'files', 'engines', 'reasoner'];
  const out = {};
  for (const k of keys) if (k in pkg) out[k] = pkg[k];
  for (const k of Object.keys(pkg)) if (!(k in out)) out[k] = pkg[k];
  return out;
}

// Positional arguments restrict writing to those folders (tsconfig.build.json still lists all).
const only = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((a) => a.replace(/\/$/, ''));
const dirs = publishable();
const names = new Map(dirs.map((d) => [read(path.join(root, d, 'package.json')).name, d]));
let bad = 0;
for (const d of dirs) {
  if (only.length && !only.includes(d)) continue;
  const changed = layoutPackage(d, names);
  if (changed.length) {
    bad++;
    process.stdout.write(`${check ? 'differs' : 'wrote'}: ${d} (${changed.join(', ')})\n`);
  }
}
if (check && bad) {
  process.stdout.write('run `node scripts/package-layout.mjs` to give these packages the built layout\n');
  process.exitCode = 1;
}

/**
 * `npm run bench [-- name…]`: runs core/bench and every plugins/<name>/bench/index.ts in this
 * process, one after another, and prints one JSON object. Each bench reports ratios against a
 * baseline it measures in the same run (absolute times on shared machines are noise).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [path.join(root, 'core/bench/index.ts')];
for (const d of readdirSync(path.join(root, 'plugins')).sort()) {
  const f = path.join(root, 'plugins', d, 'bench', 'index.ts');
  if (existsSync(f)) files.push(f);
}

const results: Record<string, unknown> = {};
for (const f of files) {
  const mod = (await import(pathToFileURL(f).href)) as { default: { name: string; run(): Promise<Record<string, unknown>> } };
  const bench = mod.default;
  if (only.length && !only.includes(bench.name)) continue;
  process.stderr.write(`bench: ${bench.name}…\n`);
  const t0 = Date.now();
  try {
    results[bench.name] = { ...(await bench.run()), benchWallMs: Date.now() - t0 };
  } catch (e) {
    results[bench.name] = { error: String((e as Error)?.stack ?? e) };
  }
}
process.stdout.write(JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2) + '\n');

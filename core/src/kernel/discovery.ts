import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { validateConfig } from '../config/validate.js';
import { resolveConfigPlugins } from './kernel.js';

export interface DiscoveredPlugin {
  name: string;
  kind: string;
  version: string | null;
  /** npm (installed package), workspace (symlinked package of this repo), config (named in the config). */
  origin: 'npm' | 'workspace' | 'config';
  path: string;
  description?: string;
}

const PLUGIN_KEYWORD = 'reasoner-plugin';

function readPkg(dir: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Package folders directly inside a node_modules folder (scoped ones included). */
function packagesIn(nodeModules: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(nodeModules);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) {
      try {
        for (const s of readdirSync(path.join(nodeModules, e))) out.push(path.join(nodeModules, e, s));
      } catch { /* unreadable scope */ }
    } else out.push(path.join(nodeModules, e));
  }
  return out;
}

/**
 * Installed plugins: packages in every node_modules from `fromDir` up whose package.json has the
 * keyword `reasoner-plugin` (their kind comes from `"reasoner": { "kind" }` without importing).
 */
export function discoverInstalled(fromDir: string): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  let dir = path.resolve(fromDir);
  for (;;) {
    for (const pkgDir of packagesIn(path.join(dir, 'node_modules'))) {
      const pkg = readPkg(pkgDir);
      const keywords = Array.isArray(pkg?.keywords) ? (pkg!.keywords as string[]) : [];
      if (!pkg || !keywords.includes(PLUGIN_KEYWORD)) continue;
      const name = String(pkg.name);
      if (found.has(name)) continue;
      const real = realpathSync(pkgDir);
      found.set(name, {
        name,
        kind: String((pkg.reasoner as { kind?: string } | undefined)?.kind ?? keywords.find((k) => k.startsWith(`${PLUGIN_KEYWORD}-`))?.slice(PLUGIN_KEYWORD.length + 1) ?? '?'),
        version: typeof pkg.version === 'string' ? pkg.version : null,
        origin: real.includes(`${path.sep}node_modules${path.sep}`) ? 'npm' : 'workspace',
        path: real,
        description: typeof pkg.description === 'string' ? pkg.description : undefined,
      });
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Installed plugins plus those the config names by path (local folders); config errors are returned, not thrown. */
export async function discoverPlugins(opts: { config?: string; cwd?: string }): Promise<{ plugins: DiscoveredPlugin[]; configError?: unknown }> {
  const cwd = opts.cwd ?? process.cwd();
  const plugins = discoverInstalled(cwd);
  try {
    const loaded = await loadConfigFile({ file: opts.config, cwd });
    const resolved = await resolveConfigPlugins(validateConfig(loaded.config, loaded.file), loaded.dir, loaded.file);
    for (const p of resolved) {
      if (!existsSync(p.source) || plugins.some((d) => d.name === p.definition.name)) continue;
      plugins.push({ name: p.definition.name, kind: p.definition.kind, version: p.definition.version ?? null, origin: 'config', path: p.source, description: p.definition.description });
    }
    return { plugins };
  } catch (e) {
    return { plugins, configError: e };
  }
}

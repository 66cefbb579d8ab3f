import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { validateConfig } from '../config/validate.js';
import type { PluginDefinition } from '../types/plugin.js';
import { resolveConfigPlugins } from './kernel.js';
import { loadPluginReference } from './resolve.js';

export interface DiscoveredPlugin {
  name: string;
  kind: string;
  version: string | null;
  /** npm (installed package), workspace (symlinked package of this repo), config (named in the config). */
  origin: 'npm' | 'workspace' | 'config';
  path: string;
  description?: string;
  /** Plugin name in its definition (may differ from the package name). */
  plugin?: string;
  /** JSON Schema of its options (`reasoner plugins --json`, `reasoner plugins <name>`). */
  optionsSchema?: Record<string, unknown> | null;
  /** Why the plugin module could not be loaded, if it could not. */
  loadError?: string;
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

/** Imports a discovered plugin and fills in its definition name, description and options schema. */
export async function describePlugin(p: DiscoveredPlugin): Promise<DiscoveredPlugin> {
  let def: PluginDefinition;
  try {
    def = await loadPluginReference(p.path, { dir: path.dirname(p.path) });
  } catch (e) {
    return { ...p, loadError: String((e as Error)?.message ?? e).split('\n')[0] };
  }
  return { ...p, plugin: def.name, kind: def.kind, description: def.description ?? p.description, optionsSchema: (def.optionsSchema as Record<string, unknown> | undefined) ?? null };
}

/** Plugins matching a name the user typed: package name, definition name, or the part after `plugin-`. */
export function matchPlugins(plugins: DiscoveredPlugin[], name: string): DiscoveredPlugin[] {
  const n = name.toLowerCase();
  return plugins.filter((p) => {
    const pkg = p.name.toLowerCase();
    return pkg === n || p.plugin?.toLowerCase() === n || pkg.endsWith(`/${n}`) || pkg.endsWith(`plugin-${n}`) || pkg === `reasoner-plugin-${n}`;
  });
}

export interface OptionRow { key: string; type: string; default?: unknown; required: boolean; description?: string }

/** One row per top-level option of a JSON Schema (what `reasoner plugins <name>` prints). */
export function optionRows(schema: Record<string, unknown> | null | undefined): OptionRow[] {
  const props = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([key, p]) => {
    const type = Array.isArray(p.enum) ? p.enum.map((v) => JSON.stringify(v)).join(' | ')
      : Array.isArray(p.type) ? p.type.join(' | ')
      : typeof p.type === 'string' ? (p.type === 'array' && typeof (p.items as { type?: string } | undefined)?.type === 'string' ? `${(p.items as { type: string }).type}[]` : p.type)
      : Array.isArray(p.anyOf) || Array.isArray(p.oneOf) ? ((p.anyOf ?? p.oneOf) as Array<{ type?: string }>).map((x) => x.type ?? '…').join(' | ')
      : 'any';
    return { key, type, default: p.default, required: required.has(key), description: typeof p.description === 'string' ? p.description : undefined };
  });
}

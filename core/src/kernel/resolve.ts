import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { importModule } from '../config/load.js';
import { validateOrThrow } from '../config/schemas.js';
import { ReasonerError } from '../errors.js';
import { nearest } from '../util/suggest.js';
import { discoverInstalled } from './discovery.js';
import {
  PLUGIN_API_VERSION,
  PLUGIN_KINDS,
  type PluginDefinition,
  type PluginInstance,
  type PluginKind,
  type PluginSpec,
} from '../types/plugin.js';

export interface ResolvedPlugin {
  definition: PluginDefinition<any, any>;
  /** Options after schema validation, with defaults applied. */
  options: Record<string, unknown>;
  /** Where it came from: `inline` (imported in a TS/JS config), a package name, or a path. */
  source: string;
  /** JSON pointer of the spec in the config. */
  pointer: string;
}

export interface ResolveContext {
  /** Directory of the config file. */
  dir: string;
  file?: string;
}

export const isInstance = (v: unknown): v is PluginInstance => typeof v === 'object' && v !== null && (v as PluginInstance).__reasonerPlugin === true;
export const isFactory = (v: unknown): v is { definition: PluginDefinition } => typeof v === 'function' && typeof (v as { definition?: unknown }).definition === 'object';
const isDefinition = (v: unknown): v is PluginDefinition =>
  typeof v === 'object' && v !== null && typeof (v as PluginDefinition).setup === 'function' && typeof (v as PluginDefinition).name === 'string';

/** Finds the entry file of a package by walking node_modules up from `fromDir`. */
export function findPackage(name: string, fromDir: string): { dir: string; entry: string; pkg: Record<string, unknown> } | null {
  let dir = path.resolve(fromDir);
  for (;;) {
    const pkgDir = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(pkgDir, 'package.json'))) return packageEntry(pkgDir);
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Entry file of a package folder: exports["."] (import/default), module, main, or index.*. */
export function packageEntry(pkgDir: string): { dir: string; entry: string; pkg: Record<string, unknown> } | null {
  const pkgFile = path.join(pkgDir, 'package.json');
  const pkg = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>) : {};
  const candidates: string[] = [];
  let exp = pkg.exports as unknown;
  if (exp && typeof exp === 'object' && '.' in (exp as object)) exp = (exp as Record<string, unknown>)['.'];
  if (typeof exp === 'string') candidates.push(exp);
  else if (exp && typeof exp === 'object') {
    for (const cond of ['import', 'node', 'default', 'require']) {
      const v = (exp as Record<string, unknown>)[cond];
      if (typeof v === 'string') candidates.push(v);
    }
  }
  for (const f of [pkg.module, pkg.main]) if (typeof f === 'string') candidates.push(f);
  candidates.push('index.ts', 'index.mjs', 'index.js', 'src/index.ts');
  for (const c of candidates) {
    const full = path.resolve(pkgDir, c);
    if (existsSync(full) && statSync(full).isFile()) return { dir: pkgDir, entry: full, pkg };
  }
  return null;
}

/** Loads the module behind a `use` reference (package name or path) and returns its plugin definition. */
export async function loadPluginReference(use: string, ctx: ResolveContext): Promise<PluginDefinition> {
  return (await loadReference(use, ctx, '')).def;
}

async function loadReference(use: string, ctx: ResolveContext, pointer: string): Promise<{ def: PluginDefinition; inst?: PluginInstance; source: string }> {
  const isPath = use.startsWith('.') || path.isAbsolute(use);
  let entry: string | undefined;
  if (isPath) {
    const full = path.resolve(ctx.dir, use);
    if (existsSync(full) && statSync(full).isDirectory()) entry = packageEntry(full)?.entry;
    else if (existsSync(full)) entry = full;
    if (!entry) {
      throw new ReasonerError('RSN_ERR_PLUGIN_NOT_FOUND', `plugin "${use}" not found at ${full}`, {
        file: ctx.file, pointer, plugin: use, hint: 'paths resolve against the config file\'s folder; a folder needs package.json or index.{ts,js}',
      });
    }
  } else {
    entry = findPackage(use, ctx.dir)?.entry;
    if (!entry) {
      throw new ReasonerError('RSN_ERR_PLUGIN_NOT_FOUND', `plugin package "${use}" is not installed`, {
        file: ctx.file, pointer, plugin: use, hint: `${installedHint(use, ctx.dir)}run \`npm install ${use}\` in ${ctx.dir}, or fix the name`,
      });
    }
  }
  let mod: unknown;
  try {
    mod = await importModule(entry);
  } catch (e) {
    throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin "${use}" failed to load: ${String((e as Error)?.message ?? e).split('\n')[0]}`, {
      file: ctx.file, pointer, plugin: use, hint: 'fix the error in the plugin module (run with --debug for the stack)',
    }, { cause: e });
  }
  if (isFactory(mod)) return { def: mod.definition, source: isPath ? entry : use };
  if (isInstance(mod)) return { def: mod.definition, inst: mod, source: isPath ? entry : use };
  if (isDefinition(mod)) return { def: mod, source: isPath ? entry : use };
  throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `"${use}" does not export a plugin`, {
    file: ctx.file, pointer, plugin: use, hint: 'its default export must be the result of definePlugin({ … }) from @reasoner/core',
  });
}

/** Resolves one plugin spec of the config into a definition with validated options. */
export async function resolvePlugin(spec: PluginSpec, ctx: ResolveContext, pointer: string, expectedKind?: PluginKind): Promise<ResolvedPlugin> {
  let def: PluginDefinition;
  let options: Record<string, unknown> = {};
  let source = 'inline';
  if (isInstance(spec)) {
    def = spec.definition;
    options = { ...(spec.options as Record<string, unknown>) };
  } else if (isFactory(spec)) {
    def = spec.definition;
  } else if (typeof spec === 'string' || (typeof spec === 'object' && spec !== null && typeof (spec as { use?: unknown }).use === 'string')) {
    const ref = typeof spec === 'string' ? { use: spec } : (spec as { use: string; options?: Record<string, unknown> });
    const loaded = await loadReference(ref.use, ctx, pointer);
    def = loaded.def;
    source = loaded.source;
    options = { ...((loaded.inst?.options as Record<string, unknown>) ?? {}), ...(ref.options ?? {}) };
  } else {
    throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'not a plugin', { file: ctx.file, pointer, hint: 'use a package name, { use, options }, or an imported plugin' });
  }
  checkDefinition(def, ctx, pointer, expectedKind);
  if (def.optionsSchema) {
    validateOrThrow(def.optionsSchema, options, 'RSN_ERR_PLUGIN_OPTIONS', {
      file: ctx.file,
      plugin: def.name,
      base: typeof spec === 'object' && spec !== null && 'use' in spec ? `${pointer}/options` : pointer,
      what: `options of plugin "${def.name}" are invalid`,
      hint: `see the options of "${def.name}": reasoner plugins ${def.name}`,
    });
  }
  return { definition: def, options, source, pointer };
}

function checkDefinition(def: PluginDefinition, ctx: ResolveContext, pointer: string, expectedKind?: PluginKind): void {
  const name = def?.name ?? '(unnamed)';
  if (!isDefinition(def)) {
    throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin at ${pointer} is not a valid definition (needs name and setup)`, { file: ctx.file, pointer });
  }
  if (!PLUGIN_KINDS.includes(def.kind)) {
    throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin "${name}" has unknown kind "${String(def.kind)}"`, {
      file: ctx.file, pointer, plugin: name, hint: `kind must be one of ${PLUGIN_KINDS.join(', ')}`,
    });
  }
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    throw new ReasonerError('RSN_ERR_PLUGIN_API_VERSION', `plugin "${name}" targets plugin API v${String(def.apiVersion)}, this Reasoner provides v${PLUGIN_API_VERSION}`, {
      file: ctx.file, pointer, plugin: name, hint: `upgrade the plugin (or Reasoner) so both speak API v${PLUGIN_API_VERSION}`,
    });
  }
  if (expectedKind && def.kind !== expectedKind) {
    throw new ReasonerError('RSN_ERR_PLUGIN_KIND', `plugin "${name}" is a ${def.kind} plugin, but ${pointer} needs a ${expectedKind} plugin`, {
      file: ctx.file, pointer, plugin: name, hint: `move it to the "${def.kind === 'task' ? 'tasks' : def.kind}" key, or pick a ${expectedKind} plugin here`,
    });
  }
}

/** "did you mean" among installed plugin packages, for a package name that is not installed. */
function installedHint(use: string, dir: string): string {
  const near = nearest(use, discoverInstalled(dir).map((p) => p.name));
  return near ? `did you mean "${near}"? Else ` : '';
}

/** Runs each resolved plugin's optional `check()` (validate time): missing files and models surface without running anything. */
export async function checkPlugins(plugins: ResolvedPlugin[], ctx: ResolveContext): Promise<void> {
  for (const p of plugins) {
    if (typeof p.definition.check !== 'function') continue;
    try {
      await p.definition.check({ configDir: ctx.dir }, p.options);
    } catch (e) {
      if (e && typeof e === 'object' && String((e as { code?: unknown }).code).startsWith('RSN_ERR_') && (e as ReasonerError).context) {
        const re = e as ReasonerError;
        re.context.plugin ??= p.definition.name;
        re.context.pointer ??= p.pointer;
        re.context.file ??= ctx.file;
        throw re;
      }
      throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', `plugin "${p.definition.name}" rejected its options: ${String((e as Error)?.message ?? e).split('\n')[0]}`, {
        file: ctx.file, pointer: p.pointer, plugin: p.definition.name, hint: 'fix the option it names (a path resolves against the config file\'s folder)',
      }, { cause: e });
    }
  }
}

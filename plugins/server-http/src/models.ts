/**
 * Model ids name a policy and, after `+`, a search: `tiny` (plain generation), `tiny+bon16`
 * (search-bon with n=16), `tiny+mcts` (search-mcts, default options), `tiny+config` (the search
 * of the served config). Searches are any installed search plugin, found by package name
 * (`@reasoner/plugin-search-<x>` or `reasoner-plugin-search-<x>`), so new search plugins become
 * models without changes here. A body field `search: { use, options }` names any search spec.
 */
import { createRng, discoverInstalled, resolvePlugin, ReasonerError, type Kernel, type PluginContext, type Search } from '@reasoner/core';
import { HttpError } from './openai-errors.js';

export interface SearchSpec {
  use: string;
  options?: Record<string, unknown>;
}

export interface ResolvedModel {
  id: string;
  /** null: plain generation. */
  search: Search | null;
  searchLabel: string | null;
}

interface InstalledSearch {
  short: string;
  /** Package name, or for searches the server was given (`searches` option) any spec `use`. */
  pkg: string;
  options?: Record<string, unknown>;
}

const SEARCH_PREFIXES = ['@reasoner/plugin-search-', 'reasoner-plugin-search-', '@reasoner/search-'];

/** The short name a policy is served under: `policy-tiny` → `tiny`. */
export function policyAlias(pluginName: string): string {
  return pluginName.replace(/^(@[^/]+\/)?(reasoner-)?(plugin-)?policy-/, '') || pluginName;
}

export class ModelRegistry {
  readonly alias: string;
  private readonly installed: InstalledSearch[];
  private readonly cache = new Map<string, Promise<Search>>();
  private readonly closers: Array<() => Promise<void> | void> = [];

  constructor(private readonly kernel: Kernel, extra: Record<string, SearchSpec> = {}) {
    const extraSearches = Object.entries(extra).map(([short, spec]) => ({ short, pkg: spec.use, options: spec.options }));
    const policyPlugin = kernel.plugins.find((p) => p.definition.kind === 'policy');
    this.alias = policyAlias(policyPlugin?.definition.name ?? 'policy');
    const found = discoverInstalled(kernel.dir)
      .filter((d) => d.kind === 'search')
      .map((d) => ({ pkg: d.name, short: SEARCH_PREFIXES.reduce((s, p) => (s.startsWith(p) ? s.slice(p.length) : s), d.name) }));
    this.installed = [...extraSearches, ...found].filter((s, i, all) => all.findIndex((x) => x.short === s.short) === i);
  }

  /** Ids for GET /v1/models: the policy, the config's search, one per installed search, and bon16. */
  list(): string[] {
    const ids = [this.alias];
    if (this.kernel.service('search')) ids.push(`${this.alias}+config`);
    for (const s of this.installed) ids.push(`${this.alias}+${s.short}`);
    if (this.installed.some((s) => s.short === 'bon')) ids.push(`${this.alias}+bon16`);
    return ids;
  }

  /** Model id (+ optional body search spec) → the search to run, or 404 / 400 in OpenAI's shape. */
  async resolve(model: string, bodySearch?: SearchSpec | string): Promise<ResolvedModel> {
    const [policyPart, searchPart, ...rest] = model.split('+');
    if (policyPart !== this.alias || rest.length) {
      throw new HttpError(404, `The model \`${model}\` does not exist; this server has ${this.list().map((m) => `\`${m}\``).join(', ')} (GET /v1/models)`, 'invalid_request_error', 'model_not_found', 'model');
    }
    if (bodySearch !== undefined) {
      // Only searches this server knows (no paths: a request must not make the server import a file).
      const spec = typeof bodySearch === 'string' ? { use: bodySearch } : bodySearch;
      const known = this.installed.find((s) => s.short === spec.use || s.pkg === spec.use);
      if (!known) throw new HttpError(400, `search "${spec.use}" is not installed on this server (have: ${this.installed.map((s) => s.short).join(', ') || 'none'})`, 'invalid_request_error', 'invalid_value', 'search');
      return { id: model, search: await this.load({ use: known.pkg, options: { ...(known.options ?? {}), ...(spec.options ?? {}) } }), searchLabel: known.short };
    }
    if (searchPart === undefined) return { id: model, search: null, searchLabel: null };
    if (searchPart === 'config') {
      const s = this.kernel.service('search');
      if (!s) throw new HttpError(404, `The model \`${model}\` does not exist: the served config has no search`, 'invalid_request_error', 'model_not_found', 'model');
      return { id: model, search: s, searchLabel: s.name };
    }
    const m = /^([a-z][a-z0-9-]*?)(\d+)?$/.exec(searchPart);
    const known = m && this.installed.find((s) => s.short === m[1]);
    if (!m || !known) {
      throw new HttpError(404, `The model \`${model}\` does not exist: no search plugin "${searchPart}" is installed (have: ${this.installed.map((s) => s.short).join(', ') || 'none'})`, 'invalid_request_error', 'model_not_found', 'model');
    }
    // The served config's options for this search (if it uses it) are the defaults, e.g. select: 'reward'.
    const configured = this.kernel.plugins.find((p) => p.definition.kind === 'search' && p.definition.name === `search-${known.short}`);
    const spec: SearchSpec = { use: known.pkg, options: { ...(configured?.options ?? {}), ...(known.options ?? {}), ...(m[2] ? { n: Number(m[2]) } : {}) } };
    return { id: model, search: await this.load(spec, model), searchLabel: `${known.short}${m[2] ? `(n=${m[2]})` : ''}` };
  }

  /** Sets up a search plugin with the kernel's hooks and services (cached per spec). */
  load(spec: SearchSpec, model?: string): Promise<Search> {
    if (!spec || typeof spec.use !== 'string' || !spec.use) throw new HttpError(400, '`search` must be a plugin name or { "use": "<plugin>", "options": { … } }', 'invalid_request_error', 'invalid_value', 'search');
    const key = JSON.stringify([spec.use, spec.options ?? {}]);
    let p = this.cache.get(key);
    if (!p) {
      p = this.setup(spec, model);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private async setup(spec: SearchSpec, model?: string): Promise<Search> {
    const k = this.kernel;
    let resolved;
    try {
      resolved = await resolvePlugin({ use: spec.use, options: spec.options ?? {} }, { dir: k.dir, file: k.file }, '/search', 'search');
    } catch (e) {
      if (model && e instanceof ReasonerError && e.code === 'RSN_ERR_PLUGIN_OPTIONS') {
        throw new HttpError(400, `model \`${model}\`: ${e.message} (a number after the search name sets its \`n\` option)`, 'invalid_request_error', 'invalid_value', 'model');
      }
      throw e;
    }
    const name = resolved.definition.name;
    const ctx: PluginContext = {
      hooks: k.hooks,
      logger: k.logger.child(name),
      configDir: k.dir,
      rng: createRng(k.config.run.seed).fork(name),
      onClose: (fn) => { this.closers.push(fn); },
      service: (kind) => k.service(kind),
    } as PluginContext;
    const search = (await resolved.definition.setup(ctx, resolved.options)) as Search & { close?(): Promise<void> | void };
    if (typeof search.close === 'function') this.closers.push(() => search.close!());
    return search;
  }

  /** Closes the searches this registry set up (the kernel closes its own services). */
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
  }
}

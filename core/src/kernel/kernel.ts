import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ValidatedConfig } from '../config/validate.js';
import { ReasonerError, isReasonerError } from '../errors.js';
import type { PluginContext, PluginKind, PluginSpec, ServiceByKind } from '../types/plugin.js';
import { createLogger, type Logger } from '../util/logger.js';
import { createRng } from '../util/rng.js';
import { createHooks, freezeHooks, type HookName, type Hooks } from './hooks.js';
import { resolvePlugin, type ResolvedPlugin } from './resolve.js';
import { TOKENS } from './tokens.js';

type ServiceKind = Exclude<PluginKind, 'extension'>;

/** Config key of each service slot. */
const SLOTS: Array<[key: 'tasks' | 'policy' | 'reward' | 'grader' | 'search' | 'learn', kind: ServiceKind]> = [
  ['tasks', 'task'],
  ['policy', 'policy'],
  ['reward', 'reward'],
  // A second reward that decides `correct` (e.g. reward-math against gold while a PRM guides).
  ['grader', 'reward'],
  ['search', 'search'],
  ['learn', 'learn'],
];
const SETUP_ORDER: PluginKind[] = ['task', 'policy', 'reward', 'search', 'learn', 'extension'];

export interface KernelOptions {
  config: ValidatedConfig;
  file?: string;
  dir: string;
  logger?: Logger;
  /** Set up only these service kinds (plus extensions); default: all. */
  only?: ServiceKind[];
}

export interface Kernel {
  readonly config: ValidatedConfig;
  readonly file?: string;
  readonly dir: string;
  readonly hooks: Hooks;
  readonly logger: Logger;
  readonly plugins: ResolvedPlugin[];
  /** Services resolved from the run's DI container. */
  service<K extends ServiceKind>(kind: K): ServiceByKind[K] | undefined;
  /** The reward configured under `grader`, if any (it decides `correct`; see `runGrader`). */
  graderReward(): ServiceByKind['reward'] | undefined;
  /** Like `service`, but throws a clear error when the slot is empty. */
  require<K extends ServiceKind>(kind: K): ServiceByKind[K];
  /** Runs every registered cleanup in reverse order; safe to call twice. */
  close(): Promise<void>;
}

/** Resolves every plugin of the config (validating options) without running setup. */
export async function resolveConfigPlugins(config: ValidatedConfig, dir: string, file?: string): Promise<ResolvedPlugin[]> {
  const ctx = { dir, file };
  const resolved: ResolvedPlugin[] = [];
  for (const [key, kind] of SLOTS) {
    const spec = config[key] as PluginSpec | undefined;
    if (spec !== undefined) resolved.push(await resolvePlugin(spec, ctx, `/${key}`, kind));
  }
  const extra = (config.plugins ?? []) as PluginSpec[];
  for (let i = 0; i < extra.length; i++) {
    const p = await resolvePlugin(extra[i]!, ctx, `/plugins/${i}`);
    if (p.definition.kind !== 'extension' && resolved.some((r) => r.definition.kind === p.definition.kind)) {
      throw new ReasonerError('RSN_ERR_PLUGIN_KIND', `plugin "${p.definition.name}" is a ${p.definition.kind} plugin, and a ${p.definition.kind} is already configured`, {
        file, pointer: p.pointer, plugin: p.definition.name, hint: `configure one ${p.definition.kind}; put the other under its own key or remove it`,
      });
    }
    resolved.push(p);
  }
  const seen = new Map<string, string>();
  for (const p of resolved) {
    if (p.pointer === '/grader') continue; // the same reward plugin may also be the grader
    const prev = seen.get(p.definition.name);
    if (prev) {
      throw new ReasonerError('RSN_ERR_PLUGIN_DUPLICATE', `two plugins are named "${p.definition.name}" (${prev} and ${p.pointer})`, {
        file, pointer: p.pointer, plugin: p.definition.name, hint: 'remove one of them; plugin names must be unique in a config',
      });
    }
    seen.set(p.definition.name, p.pointer);
  }
  return resolved;
}

/**
 * Builds a kernel: a child DI container for this run, plugins set up in a fixed order
 * (task, policy, reward, search, learn, extensions), config hooks tapped last, then hooks frozen.
 */
export async function createKernel(opts: KernelOptions): Promise<Kernel> {
  const { config, file, dir } = opts;
  const logger = opts.logger ?? createLogger(config.log?.level ?? 'info');
  const hooks = createHooks();
  const container: DependencyContainer = rootContainer.createChildContainer();
  const closers: Array<{ name: string; fn: () => Promise<void> | void }> = [];
  const seed = config.run.seed;
  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Hooks, { useValue: hooks });
  container.register(TOKENS.Logger, { useValue: logger });
  container.register(TOKENS.Rng, { useValue: createRng(seed) });

  const service = <K extends ServiceKind>(kind: K): ServiceByKind[K] | undefined =>
    container.isRegistered(TOKENS[kind]) ? container.resolve<ServiceByKind[K]>(TOKENS[kind]) : undefined;

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const c of closers.reverse()) {
      try {
        await c.fn();
      } catch (e) {
        logger.warn(`cleanup of ${c.name} failed: ${(e as Error)?.message ?? e}`);
      }
    }
    container.clearInstances();
  };

  const plugins = await resolveConfigPlugins(config, dir, file);
  try {
    for (const kind of SETUP_ORDER) {
      if (kind !== 'extension' && opts.only && !opts.only.includes(kind)) continue;
      for (const p of plugins.filter((x) => x.definition.kind === kind)) {
        const name = p.definition.name;
        const ctx: PluginContext = {
          hooks,
          logger: logger.child(name),
          configDir: dir,
          rng: createRng(seed).fork(name),
          onClose: (fn) => closers.push({ name, fn }),
          service,
        };
        let svc: unknown;
        try {
          svc = await p.definition.setup(ctx, p.options);
        } catch (e) {
          if (isReasonerError(e)) {
            e.context.plugin ??= name;
            throw e;
          }
          throw new ReasonerError('RSN_ERR_PLUGIN_SETUP', `plugin "${name}" failed in setup: ${(e as Error)?.message ?? e}`, {
            file, pointer: p.pointer, plugin: name, hint: 'check the plugin\'s options and that its files/models exist (run with --debug for the stack)',
          }, { cause: e });
        }
        if (kind !== 'extension') {
          if (!svc || typeof svc !== 'object') {
            throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin "${name}" (kind ${kind}) returned no service from setup()`, { file, pointer: p.pointer, plugin: name });
          }
          container.register(p.pointer === '/grader' ? TOKENS.grader : TOKENS[kind as ServiceKind], { useValue: svc });
        }
        const closable = svc as { close?: () => Promise<void> | void } | undefined;
        if (closable && typeof closable.close === 'function') closers.push({ name, fn: () => closable.close!() });
      }
    }
    tapConfigHooks(hooks, config);
    freezeHooks(hooks);
  } catch (e) {
    await close();
    throw e;
  }

  return {
    config, file, dir, hooks, logger, plugins, service,
    graderReward: () => (container.isRegistered(TOKENS.grader) ? container.resolve<ServiceByKind['reward']>(TOKENS.grader) : undefined),
    require(kind) {
      const s = service(kind);
      if (!s) {
        const key = SLOTS.find(([, k]) => k === kind)![0];
        throw new ReasonerError('RSN_ERR_CONFIG_INVALID', `no ${kind} plugin configured`, { file, pointer: `/${key}`, hint: `add a ${kind} plugin under "${key}" in the config` });
      }
      return s;
    },
    close,
  };
}

function tapConfigHooks(hooks: Hooks, config: ValidatedConfig): void {
  for (const [name, value] of Object.entries(config.hooks ?? {})) {
    const fns = Array.isArray(value) ? value : [value];
    fns.forEach((fn, i) => {
      (hooks[name as HookName] as { tapPromise(n: string, f: unknown): void }).tapPromise(
        fns.length > 1 ? `config.hooks.${name}[${i}]` : `config.hooks.${name}`,
        fn as (...a: unknown[]) => Promise<unknown>,
      );
    });
  }
}

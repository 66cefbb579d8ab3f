import type { Hooks } from './hooks.js';
import type { Logger } from './services.js';
import type { Rng } from './services.js';
import type { Learner } from './learn.js';
import type { Policy } from './policy.js';
import type { Reward } from './reward.js';
import type { Search } from './search.js';
import type { TaskSource } from './task.js';

export const PLUGIN_API_VERSION = 1;

export type PluginKind = 'policy' | 'reward' | 'search' | 'learn' | 'task' | 'extension';
export const PLUGIN_KINDS: readonly PluginKind[] = ['policy', 'reward', 'search', 'learn', 'task', 'extension'];

/** What `setup` returns, per kind. */
export interface ServiceByKind {
  policy: Policy;
  reward: Reward;
  search: Search;
  learn: Learner;
  task: TaskSource;
  extension: void | { close?(): Promise<void> | void };
}

/** A JSON Schema (draft-07 / 2019 subset ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** What a plugin's `setup` receives. Plugins never see the DI container. */
export interface PluginContext {
  readonly hooks: Hooks;
  readonly logger: Logger;
  /** Directory of the config file; relative paths in options resolve against it. */
  readonly configDir: string;
  /** Seeded RNG for this plugin (derived from the run seed and the plugin name). */
  readonly rng: Rng;
  /**
   * Registers cleanup (close servers, free tensors, kill children); runs in reverse order on exit
   * and SIGINT. A service's own `close()` is called by the kernel: do not register it here too.
   */
  onClose(fn: () => Promise<void> | void): void;
  /** Services set up before this one (setup order: task, policy, reward, search, learn, extension). */
  service<K extends Exclude<PluginKind, 'extension'>>(kind: K): ServiceByKind[K] | undefined;
}

/** A CLI sub-command contributed by a plugin (e.g. policy-tiny's `train`). */
export interface PluginCommand {
  name: string;
  description: string;
  /** Commander-style option flags: `['--steps <n>', 'training steps', '2000']`. */
  options?: Array<[flags: string, description: string, defaultValue?: string]>;
  /** Positional arguments in commander syntax, e.g. `'[input]'`. */
  args?: string;
  /**
   * Services the command needs set up before it runs (default: all the config names). Extensions
   * are always set up, so their hook taps apply. `train` needs none: its own checkpoint may not
   * exist yet.
   */
  needs?: Array<Exclude<PluginKind, 'extension'>>;
  run(ctx: PluginCommandContext): Promise<number | void>;
}

export interface PluginCommandContext {
  options: Record<string, unknown>;
  args: string[];
  /** Resolved services of the loaded config. */
  service<K extends Exclude<PluginKind, 'extension'>>(kind: K): ServiceByKind[K] | undefined;
  hooks: Hooks;
  logger: Logger;
  configDir: string;
  json: boolean;
  signal: AbortSignal;
}

export interface PluginDefinition<O = Record<string, unknown>, K extends PluginKind = PluginKind> {
  name: string;
  kind: K;
  apiVersion: number;
  version?: string;
  description?: string;
  /** JSON Schema for options; ajv applies defaults and rejects unknown keys. */
  optionsSchema?: JsonSchema;
  setup(ctx: PluginContext, options: O): ServiceByKind[K] | Promise<ServiceByKind[K]>;
  /**
   * Optional resource check run by `reasoner validate` (setup is not run there): throw a ReasonerError if a
   * file, model or binary the options name is missing, without loading it. Must be cheap.
   */
  check?(ctx: PluginCheckContext, options: O): void | Promise<void>;
  commands?: PluginCommand[];
}

/** What `check()` gets: where relative paths resolve. */
export interface PluginCheckContext {
  /** Directory of the config file. */
  configDir: string;
}

/** A plugin with its options, as it stands in a config (`tiny({ … })`). */
export interface PluginInstance<O = Record<string, unknown>, K extends PluginKind = PluginKind> {
  readonly __reasonerPlugin: true;
  readonly definition: PluginDefinition<O, K>;
  readonly options: Partial<O>;
}

/** The default export of a plugin module: call it with options to put it in a config. */
export interface PluginFactory<O = Record<string, unknown>, K extends PluginKind = PluginKind> {
  (options?: Partial<O>): PluginInstance<O, K>;
  readonly definition: PluginDefinition<O, K>;
}

/** A plugin as written in config: an instance, a factory, a name/path, or `{ use, options }`. */
export type PluginSpec =
  | PluginInstance<any, any>
  | PluginFactory<any, any>
  | string
  | { use: string; options?: Record<string, unknown> };

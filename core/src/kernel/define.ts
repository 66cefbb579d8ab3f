import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { validateOrThrow } from '../config/schemas.js';
import { ReasonerError } from '../errors.js';
import type { PluginDefinition, PluginFactory, PluginInstance, PluginKind } from '../types/plugin.js';
import type { ReasonerConfig } from '../config/types.js';

/**
 * Declares a plugin. The result is a factory: `myPlugin({ … })` puts it in a config with
 * options; the factory itself (uncalled) means "default options".
 */
export function definePlugin<O extends object = Record<string, unknown>, K extends PluginKind = PluginKind>(
  definition: PluginDefinition<O, K>,
): PluginFactory<O, K> {
  if (!definition || typeof definition.name !== 'string' || !definition.name) {
    throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', 'definePlugin needs a non-empty `name`', { hint: 'definePlugin({ name: "my-plugin", kind: "reward", apiVersion: 1, setup() {…} })' });
  }
  if (typeof definition.setup !== 'function') {
    throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin "${definition.name}" has no setup() function`, { plugin: definition.name });
  }
  const factory = ((options?: Partial<O>): PluginInstance<O, K> => ({
    __reasonerPlugin: true,
    definition,
    options: options ?? {},
  })) as PluginFactory<O, K>;
  Object.defineProperty(factory, 'definition', { value: definition, enumerable: true });
  return factory;
}

/** Identity with types: gives editor completion and checking in `reasoner.config.ts`. */
export function defineConfig(config: ReasonerConfig): ReasonerConfig {
  return config;
}

/**
 * The options type a plugin's JSON Schema describes, as `setup()` receives them: ajv has filled in
 * defaults, so a property with a `default` is present (json-schema-to-ts `FromSchema`). Write the
 * schema once with `defineOptions` and derive the type from it, instead of a second interface.
 */
export type OptionsOf<S extends JSONSchema> = FromSchema<S>;

/** Keeps the literal type of an options schema (as `as const` would) so `OptionsOf` can read it. */
export function defineOptions<const S extends JSONSchema>(schema: S): S {
  return schema;
}

/**
 * Options as setup() would get them, outside a kernel (e.g. a trainer building a task source):
 * validated against the schema (RSN_ERR_PLUGIN_OPTIONS) with its defaults filled in.
 */
export function applyOptions<const S extends JSONSchema, O = OptionsOf<S>>(schema: S, options: Partial<O> = {}, plugin = 'options'): O {
  const value = structuredClone(options) as Record<string, unknown>;
  validateOrThrow(schema as Record<string, unknown>, value, 'RSN_ERR_PLUGIN_OPTIONS', { plugin, what: `options of "${plugin}" are invalid` });
  return value as O;
}

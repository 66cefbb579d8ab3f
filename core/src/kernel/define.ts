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

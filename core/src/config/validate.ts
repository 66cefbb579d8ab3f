import { ReasonerError } from '../errors.js';
import { HOOK_NAMES } from '../kernel/hooks.js';
import { didYouMean } from '../util/suggest.js';
import { readSchema, validateOrThrow } from './schemas.js';
import type { ReasonerConfig, RunOptions } from './types.js';

let configSchema: Record<string, unknown> | undefined;

/** A config after validation: defaults filled, run options complete. */
export type ValidatedConfig = ReasonerConfig & { run: Required<Pick<RunOptions, 'out' | 'concurrency' | 'seed' | 'split'>> & RunOptions };

/** Validates a raw config against core/schemas/config.schema.json (defaults applied in place) and checks hooks. */
export function validateConfig(raw: unknown, file?: string): ValidatedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'the config must be an object', {
      file, pointer: '/', hint: 'export default defineConfig({ policy, reward, search, tasks })',
    });
  }
  configSchema ??= readSchema('config.schema.json');
  const config = { ...(raw as Record<string, unknown>) };
  // An uncalled factory (`search: bon`) means "default options".
  const asInstance = (v: unknown): unknown =>
    typeof v === 'function' && typeof (v as { definition?: unknown }).definition === 'object' ? (v as () => unknown)() : v;
  for (const key of ['policy', 'reward', 'search', 'tasks', 'learn']) if (key in config) config[key] = asInstance(config[key]);
  if (Array.isArray(config.plugins)) config.plugins = config.plugins.map(asInstance);
  validateOrThrow(configSchema, config, 'RSN_ERR_CONFIG_INVALID', { file, what: 'invalid config' });
  const hooks = (config.hooks ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(hooks)) {
    if (!(HOOK_NAMES as string[]).includes(name)) {
      throw new ReasonerError('RSN_ERR_HOOK_UNKNOWN', `unknown hook "${name}"${didYouMean(name, HOOK_NAMES)}`, {
        file, pointer: `/hooks/${name}`, hint: `hooks are: ${HOOK_NAMES.join(', ')}`,
      });
    }
    const fns = Array.isArray(value) ? value : [value];
    fns.forEach((fn, i) => {
      if (typeof fn !== 'function') {
        throw new ReasonerError('RSN_ERR_CONFIG_INVALID', `hook "${name}" must be a function (or an array of functions)`, {
          file, pointer: Array.isArray(value) ? `/hooks/${name}/${i}` : `/hooks/${name}`, hint: 'hooks can only be given in TS/JS configs',
        });
      }
    });
  }
  return config as unknown as ValidatedConfig;
}

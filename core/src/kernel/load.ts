import { loadConfigFile } from '../config/load.js';
import { isReasonerError } from '../errors.js';
import { validateConfig } from '../config/validate.js';
import type { ReasonerConfig } from '../config/types.js';
import type { Logger } from '../util/logger.js';
import { createKernel, type Kernel, type KernelOptions } from './kernel.js';

export interface LoadKernelOptions {
  /** Config file (else searched from cwd). */
  config?: string;
  cwd?: string;
  logger?: Logger;
  /** Changes applied to the loaded config before validation (CLI flags). */
  override?: (config: ReasonerConfig) => ReasonerConfig;
  /** Start from an empty config when none is found (commands whose flags name every plugin). */
  allowMissingConfig?: boolean;
  /** Set up only these service kinds (plus extensions). */
  only?: KernelOptions['only'];
}

/** find → load → validate → resolve plugins → set up: the one way in for CLI and library users. */
export async function loadKernel(opts: LoadKernelOptions = {}): Promise<Kernel> {
  let loaded: { config: unknown; file?: string; dir: string };
  try {
    loaded = await loadConfigFile({ file: opts.config, cwd: opts.cwd });
  } catch (e) {
    if (!(opts.allowMissingConfig && !opts.config && isReasonerError(e) && e.code === 'RSN_ERR_CONFIG_NOT_FOUND')) throw e;
    loaded = { config: {}, dir: opts.cwd ?? process.cwd() };
  }
  let raw = loaded.config as ReasonerConfig;
  if (opts.override) raw = opts.override({ ...raw });
  const config = validateConfig(raw, loaded.file);
  return createKernel({ config, file: loaded.file, dir: loaded.dir, logger: opts.logger, only: opts.only });
}

/** Builds a kernel from an in-memory config (tests, programmatic use). */
export async function kernelFromConfig(raw: ReasonerConfig, dir = process.cwd(), logger?: Logger): Promise<Kernel> {
  return createKernel({ config: validateConfig(raw), dir, logger });
}

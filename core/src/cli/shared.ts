import type { Command } from 'commander';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { ioError, ReasonerError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { loadKernel, type LoadKernelOptions } from '../kernel/load.js';
import type { ReasonerConfig } from '../config/types.js';
import type { PluginSpec } from '../types/plugin.js';
import { isFactory, isInstance } from '../kernel/resolve.js';
import { existsSync } from 'node:fs';
import { createLogger, type LogLevel } from '../util/logger.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  debug?: boolean;
  logLevel?: LogLevel;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** The config's policy with `extra` merged into its options, whichever form the config wrote it in. */
export function withPolicyOptions(c: ReasonerConfig, extra: Record<string, unknown>, flag: string): ReasonerConfig {
  const p = c.policy;
  if (p === undefined) throw new ReasonerError('RSN_ERR_CONFIG_INVALID', `${flag} needs a policy in the config`, { pointer: '/policy', hint: 'add one, e.g. policy: tiny()' });
  // The forms resolvePlugin reads; anything else passes through for it to refuse.
  let policy: PluginSpec = p;
  if (isInstance(p)) policy = { ...p, options: { ...p.options, ...extra } };
  else if (isFactory(p)) policy = { __reasonerPlugin: true, definition: p.definition, options: extra } as PluginSpec;
  else if (typeof p === 'string') policy = { use: p, options: extra };
  else if (typeof p === 'object' && p !== null && typeof (p as { use?: unknown }).use === 'string') policy = { use: (p as { use: string }).use, options: { ...(p as { options?: Record<string, unknown> }).options, ...extra } };
  return { ...c, policy };
}

/**
 * `--checkpoint <dir>`: the configured policy loads this checkpoint (its `checkpoint` option, a
 * path from the current folder) — evaluate or serve what `learn` / `iterate` wrote without editing the config.
 */
export function checkpointOverride(dir: string | undefined, then?: (c: ReasonerConfig) => ReasonerConfig): ((c: ReasonerConfig) => ReasonerConfig) | undefined {
  if (dir === undefined) return then;
  const abs = path.resolve(dir);
  if (!existsSync(abs)) throw new ReasonerError('RSN_ERR_CHECKPOINT', `--checkpoint ${dir}: no such folder (${abs})`, { hint: 'pass the checkpoint folder learn / iterate printed, e.g. runs/<id>/round-3/checkpoint' });
  return (c) => withPolicyOptions(then ? then(c) : c, { checkpoint: abs }, '--checkpoint');
}

export const CHECKPOINT_HELP = 'load this checkpoint into the configured policy (its checkpoint option), e.g. one learn or iterate wrote';

/** Loads the kernel for a command and guarantees it is closed (also on SIGINT/SIGTERM). */
export async function withKernel<T>(
  g: GlobalOptions,
  fn: (kernel: Kernel, signal: AbortSignal) => Promise<T>,
  override?: (c: ReasonerConfig) => ReasonerConfig,
  allowMissingConfig = false,
  only?: LoadKernelOptions['only'],
): Promise<T> {
  const level: LogLevel = g.logLevel ?? (g.debug ? 'debug' : g.json ? 'warn' : 'info');
  const kernel = await loadKernel({ config: g.config, logger: createLogger(level, 'reasoner', false), override, allowMissingConfig, only });
  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    kernel.logger.warn(`${sig}: stopping after in-flight work is recorded (press again to force)`);
    ac.abort(new ReasonerError('RSN_ERR_ABORTED', `interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(kernel, ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await kernel.close();
  }
}

/** Parses a positive integer flag or throws RSN_ERR_USAGE. */
export function intFlag(value: unknown, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ReasonerError('RSN_ERR_USAGE', `${flag} must be an integer ≥ ${min} (got "${String(value)}")`, { hint: `e.g. ${flag} 10` });
  return n;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** `--tasks x` / `--reward y` flags: a package name or path, with `--*-options '{json}'`. */
export function pluginFlag(use: string | undefined, options: string | undefined, flag: string): { use: string; options?: Record<string, unknown> } | undefined {
  if (!use) return undefined;
  if (!options) return { use };
  try {
    return { use, options: JSON.parse(options) as Record<string, unknown> };
  } catch (e) {
    throw new ReasonerError('RSN_ERR_USAGE', `${flag}-options is not valid JSON: ${(e as Error).message}`, { hint: `e.g. ${flag}-options '{"split":"test"}'` });
  }
}

export interface OutputFile {
  readonly path: string;
  write(text: string): void;
  /** Flushes and closes; rejects with RSN_ERR_IO if any write failed. */
  close(): Promise<void>;
}

/** Opens an output file (`--out`) up front, so a bad path is RSN_ERR_IO before any work, never an unhandled stream error. */
export async function openOutput(file: string): Promise<OutputFile> {
  const full = path.resolve(file);
  const fh = await open(full, 'w').catch((e: unknown) => {
    throw ioError(e, full, `cannot write ${full}`, 'the folder must exist and be writable; pick another --out');
  });
  const stream = fh.createWriteStream();
  let failed: unknown;
  stream.on('error', (e) => { failed ??= e; });
  return {
    path: full,
    write(text) {
      if (!failed) stream.write(text);
    },
    close: () => new Promise<void>((resolve, reject) => {
      stream.end(() => (failed ? reject(ioError(failed, full, `cannot write ${full}`)) : resolve()));
    }),
  };
}

const SPLITS = ['train', 'validation', 'test'] as const;

/** Checks a `--split` flag: train | validation | test, else RSN_ERR_USAGE. */
export function splitFlag(value: unknown, flag = '--split'): (typeof SPLITS)[number] | undefined {
  if (value === undefined) return undefined;
  if (!(SPLITS as readonly unknown[]).includes(value)) throw new ReasonerError('RSN_ERR_USAGE', `${flag} must be one of ${SPLITS.join(', ')} (got "${String(value)}")`, { hint: `${flag} test` });
  return value as (typeof SPLITS)[number];
}

/** Parses a sampling temperature flag (a number ≥ 0) or throws RSN_ERR_USAGE. */
export function temperatureFlag(value: unknown, flag = '--temperature'): number | undefined {
  if (value === undefined) return undefined;
  const t = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(t) || t < 0) throw new ReasonerError('RSN_ERR_USAGE', `${flag} must be a number ≥ 0 (got "${String(value)}")`, { hint: `e.g. ${flag} 0.8` });
  return t;
}

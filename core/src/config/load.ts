import { cosmiconfig, type Loader } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReasonerError } from '../errors.js';

export const CONFIG_FILES = [
  'package.json',
  'reasoner.config.ts',
  'reasoner.config.mts',
  'reasoner.config.cts',
  'reasoner.config.js',
  'reasoner.config.mjs',
  'reasoner.config.cjs',
  'reasoner.config.json',
  'reasoner.config.yaml',
  'reasoner.config.yml',
  '.reasonerrc',
  '.reasonerrc.json',
  '.reasonerrc.yaml',
];

export interface LoadedConfigFile {
  /** Raw config object as the file exports it. */
  config: unknown;
  /** Absolute path of the file. */
  file: string;
  /** Directory relative paths resolve against. */
  dir: string;
}

/**
 * Loads TS/JS config modules with jiti alone: a native import first (JS, or TS when a loader such
 * as tsx is registered in development), else jiti transpiles. No TS loader is registered at run
 * time (cosmiconfig's own TS loader needs the `typescript` JS API, which typescript 7 dropped).
 */
const jiti = createJiti(import.meta.url, { interopDefault: true, tryNative: true, moduleCache: false });

export async function importModule(file: string): Promise<unknown> {
  const mod = (await jiti.import(pathToFileURL(file).href)) as Record<string, unknown> | undefined;
  return mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
}

const moduleLoader: Loader = async (file) => {
  try {
    const value = await importModule(file);
    return typeof value === 'function' && !(value as { definition?: unknown }).definition ? await (value as () => unknown)() : value;
  } catch (e) {
    const at = syntaxPosition(e, file);
    if (at) {
      throw new ReasonerError('RSN_ERR_CONFIG_LOAD', `syntax error in ${file}:${at.line}:${at.column}: ${at.message}${at.excerpt}`, {
        file, line: at.line, column: at.column,
        hint: 'fix the syntax at that line and column of the config file',
      }, { cause: e });
    }
    throw new ReasonerError('RSN_ERR_CONFIG_LOAD', `cannot load config: ${firstLine(e)}`, {
      file,
      hint: 'fix the syntax or import error in the config file (run with --debug for the stack)',
    }, { cause: e });
  }
};

/**
 * Where a TS/JS syntax error is: jiti (babel) puts `file:line:col` on the message's second line and
 * `loc` on the cause, tsx (esbuild) writes `file:line:col: ERROR: text`.
 */
export function syntaxPosition(e: unknown, file: string): { line: number; column: number; message: string; excerpt: string } | null {
  const text = String((e as Error)?.message ?? e);
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)(?::\\s*ERROR:\\s*(.*))?`).exec(text);
  const loc = (e as { loc?: { line: number; column: number } })?.loc ?? ((e as { cause?: { loc?: { line: number; column: number } } })?.cause?.loc);
  const line = m ? Number(m[1]) : loc?.line;
  // babel and esbuild count columns from 0; editors (and this message) from 1.
  const column = m ? Number(m[2]) + 1 : loc !== undefined ? loc.column + 1 : undefined;
  if (!line || !column) return null;
  const message = (m?.[3] ?? text.split('\n')[0]!.replace(/^(ParseError|SyntaxError|Transform failed[^:]*):\s*/, '')).replace(/\s*\(\d+:\d+\)\s*$/, '').trim();
  let excerpt = '';
  try {
    const src = readFileSync(file, 'utf8').split('\n')[line - 1];
    if (src !== undefined) excerpt = `\n    ${src}\n    ${' '.repeat(Math.max(0, column - 1))}^`;
  } catch { /* the position alone is still useful */ }
  return { line, column, message: message || 'unexpected token', excerpt };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

const explorer = () =>
  cosmiconfig('reasoner', {
    searchPlaces: CONFIG_FILES,
    searchStrategy: 'project',
    loaders: { '.ts': moduleLoader, '.mts': moduleLoader, '.cts': moduleLoader, '.js': moduleLoader, '.mjs': moduleLoader, '.cjs': moduleLoader },
    cache: false,
  });

/** Finds (from `cwd`) or loads (`file`) a config. Throws RSN_ERR_CONFIG_NOT_FOUND / RSN_ERR_CONFIG_LOAD. */
export async function loadConfigFile(opts: { file?: string; cwd?: string } = {}): Promise<LoadedConfigFile> {
  const cwd = opts.cwd ?? process.cwd();
  let result;
  try {
    if (opts.file) {
      const file = path.resolve(cwd, opts.file);
      if (!existsSync(file)) {
        throw new ReasonerError('RSN_ERR_CONFIG_NOT_FOUND', `config file ${file} does not exist`, { file, hint: 'check the --config path' });
      }
      result = await explorer().load(file);
    } else {
      result = await explorer().search(cwd);
    }
  } catch (e) {
    if (e instanceof ReasonerError) throw e;
    if ((e as { code?: string })?.code?.startsWith?.('RSN_ERR_')) throw e;
    throw new ReasonerError('RSN_ERR_CONFIG_LOAD', `cannot parse config: ${firstLine(e)}`, {
      file: (e as { filepath?: string }).filepath ?? opts.file,
      hint: 'fix the JSON/YAML syntax',
    }, { cause: e });
  }
  if (!result || result.isEmpty) {
    throw new ReasonerError('RSN_ERR_CONFIG_NOT_FOUND', `no Reasoner config found in ${cwd}${result?.isEmpty ? ` (${result.filepath} is empty)` : ''}`, {
      hint: 'create one with `npx reasoner init`, or pass --config <file> (reasoner.config.ts/.js/.json/.yaml or a "reasoner" key in package.json)',
    });
  }
  return { config: result.config, file: result.filepath, dir: path.dirname(result.filepath) };
}

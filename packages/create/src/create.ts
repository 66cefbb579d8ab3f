import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The packages a new project starts with (the offline default pipeline). */
export const STARTER_PACKAGES = ['@reasoner/core', '@reasoner/plugin-policy-tiny', '@reasoner/plugin-task-countdown', '@reasoner/plugin-search-bon'] as const;

export interface CreateOptions {
  /** Folder to create (relative to cwd); its basename is the package name. */
  dir: string;
  cwd?: string;
  /** Run `npm install` and `reasoner init` (default true). */
  install?: boolean;
  /** Install from a folder of `npm pack` tarballs instead of the registry (offline, tests). */
  tarballs?: string;
  /** Version range of the @reasoner packages (default: ^ this package's version). */
  version?: string;
  log?: (line: string) => void;
}

export interface CreateResult {
  dir: string;
  files: string[];
  installed: boolean;
  /** What to type next. */
  next: string;
}

export class CreateError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'CreateError';
  }
}

function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** npm package names: lower case, no spaces; the folder name is turned into one. */
export function packageName(dir: string): string {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|-+$/g, '');
  return base || 'my-reasoner';
}

/** Dependency specs: a registry range, or `file:` paths of tarballs found in `tarballs`. */
function dependencySpecs(names: readonly string[], range: string, tarballs?: string): Record<string, string> {
  const deps: Record<string, string> = {};
  if (!tarballs) {
    for (const n of names) deps[n] = range;
    return deps;
  }
  const dir = path.resolve(tarballs);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tgz')) : [];
  // `npm pack` names @scope/name-1.2.3 as scope-name-1.2.3.tgz.
  const fileOf = (name: string) => files.find((f) => f.replace(/-\d+\.\d+\.\d+[^/]*\.tgz$/, '') === name.replace(/^@/, '').replace('/', '-'));
  for (const f of files) {
    const n = STARTER_PACKAGES.find((s) => fileOf(s) === f);
    // Every tarball goes in: the starters need their workspace dependencies (e.g. tiny-format) too.
    const name = n ?? `@reasoner/${f.replace(/^reasoner-/, '').replace(/-\d+\.\d+\.\d+[^/]*\.tgz$/, '')}`;
    deps[name] = `file:${path.join(dir, f)}`;
  }
  const missing = names.filter((n) => !fileOf(n));
  if (missing.length) throw new CreateError(`no tarball for ${missing.join(', ')} in ${dir}`, 'run `npm pack` of those packages into that folder, or drop --tarballs to install from the registry');
  return deps;
}

function run(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: 'inherit',
      // onnxruntime-node's postinstall would download CUDA binaries; its bundled CPU build is all the tiny policy needs.
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: process.env.ONNXRUNTIME_NODE_INSTALL ?? 'skip' },
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Writes package.json (+ tsconfig, .gitignore), installs, and lets the installed CLI's `init` write the config and a local plugin. */
export async function createProject(o: CreateOptions): Promise<CreateResult> {
  const cwd = o.cwd ?? process.cwd();
  const dir = path.resolve(cwd, o.dir);
  const log = o.log ?? (() => {});
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new CreateError(`${dir} exists and is not empty`, 'pick a new folder name, e.g. `npm create @reasoner@latest my-reasoner`');
  }
  const deps = dependencySpecs(STARTER_PACKAGES, o.version ?? `^${ownVersion()}`, o.tarballs);
  const pkg = {
    name: packageName(dir),
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'reasoner run',
      eval: 'reasoner eval --limit 200 --k 16 --temperature 0.8',
      validate: 'reasoner validate',
      typecheck: 'tsc --noEmit',
    },
    dependencies: deps,
  };
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true },
    include: ['reasoner.config.ts', 'plugins-local'],
  };
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['package.json', JSON.stringify(pkg, null, 2) + '\n'],
    ['tsconfig.json', JSON.stringify(tsconfig, null, 2) + '\n'],
    ['.gitignore', 'node_modules/\nruns/\n'],
  ];
  for (const [rel, text] of files) {
    await writeFile(path.join(dir, rel), text);
    log(`wrote ${rel}`);
  }
  const rel = path.relative(cwd, dir) || '.';
  if (o.install === false) {
    return { dir, files: files.map(([f]) => f), installed: false, next: `cd ${rel} && npm install && npx reasoner init && npm start` };
  }
  log('npm install …');
  if ((await run('npm', ['install', '--no-audit', '--no-fund'], dir)) !== 0) {
    throw new CreateError('npm install failed (see its output above)', `fix the problem and run \`npm install\` in ${rel}, then \`npx reasoner init\``);
  }
  const bin = path.join(dir, 'node_modules', '@reasoner', 'core', 'bin', 'reasoner.mjs');
  if ((await run(process.execPath, [bin, 'init'], dir)) !== 0) {
    throw new CreateError('`reasoner init` failed (see its output above)', `run \`npx reasoner init\` in ${rel}`);
  }
  return { dir, files: [...files.map(([f]) => f), 'reasoner.config.ts', 'plugins-local/my-logger/index.ts'], installed: true, next: `cd ${rel} && npm start` };
}

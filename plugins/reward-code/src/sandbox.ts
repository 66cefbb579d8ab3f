import { execFileSync } from 'node:child_process';
import { accessSync, constants, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, chown, copyFile, chmod, rename, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ReasonerError } from '@reasoner/core';
import type { SandboxConfig } from './types.js';

export const DEFAULT_SANDBOX: SandboxConfig = {
  python: '/usr/bin/python3',
  node: process.execPath,
  unsafe: false,
  maxProcesses: 32,
  maxOutputBytes: 1 << 20,
  workdirMb: 64,
  maxFileMb: 16,
  shmMb: 16,
};

/** The fd on which the spawners hand bwrap the seccomp program (stdio index 4). */
export const SECCOMP_FD = 4;

let cachedFilter: Buffer | undefined;
/**
 * The seccomp BPF program every sandbox runs under (see seccomp-filter.py), compiled once per
 * process by libseccomp's Python bindings. Fails closed: no filter, no sandbox.
 */
export function seccompFilter(): Buffer {
  if (cachedFilter) return cachedFilter;
  const script = fileURLToPath(new URL('./seccomp-filter.py', import.meta.url));
  let bpf: Buffer;
  try {
    bpf = execFileSync('/usr/bin/python3', ['-I', '-B', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    throw new ReasonerError('RSN_ERR_SANDBOX_UNAVAILABLE', `cannot build the sandbox's seccomp filter: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n').at(-1)}`, {
      plugin: 'reward-code',
      hint: 'run plugins/reward-code/scripts/install-sandbox.sh (apt-get install python3-seccomp), or set `unsafe: true` to run code without isolation',
    });
  }
  if (bpf.length === 0 || bpf.length % 8 !== 0) throw new ReasonerError('RSN_ERR_SANDBOX_UNAVAILABLE', 'the seccomp filter came out empty', { plugin: 'reward-code' });
  cachedFilter = bpf;
  return bpf;
}

export interface SandboxTools {
  bwrap?: string;
  setpriv?: string;
  prlimit?: string;
}

/** Absolute path of an executable on PATH (or the usual system dirs), if any. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

let cachedTools: SandboxTools | undefined;
export function findSandboxTools(): SandboxTools {
  cachedTools ??= { bwrap: which('bwrap'), setpriv: which('setpriv'), prlimit: which('prlimit') };
  return cachedTools;
}

/** Fails closed: without bubblewrap (and prlimit) untrusted code does not run unless `unsafe` is set. */
export function assertSandboxAvailable(config: Pick<SandboxConfig, 'unsafe'>, tools: SandboxTools = findSandboxTools()): void {
  if (config.unsafe) return;
  const missing = [!tools.bwrap && 'bwrap (bubblewrap)', !tools.prlimit && 'prlimit (util-linux)', isRoot() && !tools.setpriv && 'setpriv (util-linux)'].filter(Boolean);
  if (missing.length) {
    throw new ReasonerError('RSN_ERR_SANDBOX_UNAVAILABLE', `cannot sandbox untrusted code: ${missing.join(', ')} not found on PATH`, {
      plugin: 'reward-code',
      hint: 'run plugins/reward-code/scripts/install-sandbox.sh (apt-get install bubblewrap), or set `unsafe: true` to run code without isolation',
    });
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * RLIMIT_NPROC counts every process and thread of the real uid and is ignored for root. As root
 * each concurrent run gets its own unprivileged uid (so one run's fork bomb cannot starve
 * another); the pid picks a block so that parallel test processes rarely share uids.
 */
export function sandboxUid(slot: number): number {
  return 200_000 + (process.pid % 100_000) * 64 + (slot % 64);
}

let threadCount: { at: number; n: number } | undefined;
/** Threads of the current (non-root) user: the nproc limit must sit above them. */
function currentUserThreads(): number {
  if (threadCount && Date.now() - threadCount.at < 1000) return threadCount.n;
  const uid = process.getuid?.() ?? -1;
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const u = /^Uid:\s+(\d+)/m.exec(status);
      const t = /^Threads:\s+(\d+)/m.exec(status);
      if (u && Number(u[1]) === uid) n += t ? Number(t[1]) : 1;
    } catch {
      /* process went away */
    }
  }
  threadCount = { at: Date.now(), n };
  return n;
}

/**
 * Pids of running processes whose real uid is in `uids`. Zombies are skipped: the sandbox's
 * orphaned init is reaped by the host's pid 1, which may take a second or two.
 */
export function processesOfUids(uids: ReadonlySet<number>): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && uids.has(Number(m[1])) && !/^State:\s+Z/m.test(status)) pids.push(Number(pid));
    } catch {
      /* process went away */
    }
  }
  return pids;
}

/**
 * After a kill, the sandbox's pid namespace is torn down asynchronously. Waiting for its uid to
 * own no process before the slot is reused keeps a dying fork bomb from eating the next run's
 * process budget.
 */
export async function waitForSlotExit(slot: number, maxMs = 3000): Promise<boolean> {
  if (!isRoot()) return true;
  const uids = new Set([sandboxUid(slot)]);
  const deadline = Date.now() + maxMs;
  while (processesOfUids(uids).length) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export interface Limits {
  cpuSeconds: number;
  /** Address-space limit in MB (interpreter-specific headroom already added). */
  addressSpaceMb: number;
  /** Pool slot (0-based), selects the sandbox uid. */
  slot: number;
  /** Extra bwrap arguments binding host paths in (read-only). */
  binds?: string[];
}

/** Where the execute-only copy of node is bound inside the sandbox. */
export const TRUSTED_NODE = '/opt/rsn-trusted/node';

const trustedCopies = new Map<string, Promise<string>>();
/**
 * An execute-only (mode 0111) copy of `node` for the trusted JS harness: the kernel marks a
 * process whose executable it may not read as non-dumpable, so the program's process (same uid)
 * cannot open the harness's /proc/<pid>/mem or /proc/<pid>/fd — Node has no prctl(). Made once
 * per node binary (in the host's temp dir, shared by processes); returns its host directory.
 */
export function trustedNodeDir(node: string): Promise<string> {
  let p = trustedCopies.get(node);
  if (!p) {
    p = (async () => {
      const st = await stat(node);
      const dir = join(tmpdir(), `rsn-trusted-node-${process.getuid?.() ?? 0}`, `${st.size}-${Math.floor(st.mtimeMs)}-${st.ino}`);
      const file = join(dir, 'node');
      const have = await stat(file).catch(() => null);
      if (have && (have.mode & 0o777) === 0o111 && have.size === st.size) return dir;
      await mkdir(dir, { recursive: true, mode: 0o755 });
      const tmp = `${file}.${process.pid}.${Date.now()}`;
      await copyFile(node, tmp);
      await chmod(tmp, 0o111);
      await rename(tmp, file);
      return dir;
    })();
    p.catch(() => trustedCopies.delete(node));
    trustedCopies.set(node, p);
  }
  return p;
}

export interface PreparedCommand {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** To be written to the child's fd SECCOMP_FD (a pipe) when set: bwrap reads its filter there. */
  seccomp?: Buffer;
  /** Removes the host working dir (unsafe mode only; the sandbox's tmpfs vanishes by itself). */
  cleanup(): Promise<void>;
}

/** Read-only binds for an interpreter installed outside /usr (e.g. /opt/node). */
export function interpreterBinds(interpreter: string): string[] {
  let real: string;
  try {
    real = realpathSync(interpreter);
  } catch {
    return [];
  }
  if (real.startsWith('/usr/')) return [];
  const prefix = dirname(dirname(real));
  return ['--ro-bind', prefix, prefix];
}

/** /bin, /lib… are symlinks into /usr on merged-/usr systems, real directories elsewhere. */
function rootDirBinds(): string[] {
  const out: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) {
        out.push('--symlink', realpathSync(dir).replace(/^\//, ''), dir);
      } else if (st.isDirectory()) out.push('--ro-bind', dir, dir);
    } catch {
      /* absent */
    }
  }
  for (const f of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime', '/etc/ssl/certs']) out.push('--ro-bind-try', f, f);
  return out;
}

const CLEAN_ENV = (home: string): Record<string, string> => ({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0' });

/** Builds the command line: [setpriv →] prlimit → bwrap → interpreter. */
export async function prepareCommand(config: SandboxConfig, limits: Limits, command: string[], tools: SandboxTools = findSandboxTools()): Promise<PreparedCommand> {
  assertSandboxAvailable(config, tools);
  const root = isRoot();
  const uid = sandboxUid(limits.slot);
  const prefix: string[] = [];
  if (root && tools.setpriv) prefix.push(tools.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--');
  if (tools.prlimit) {
    const nproc = root ? config.maxProcesses : config.maxProcesses + currentUserThreads();
    const as = limits.addressSpaceMb * 1024 * 1024;
    prefix.push(
      tools.prlimit,
      `--nproc=${nproc}`,
      `--as=${as}`,
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--fsize=${config.maxFileMb * 1024 * 1024}`,
      '--core=0',
      '--nofile=256',
      '--',
    );
  }

  if (config.unsafe && !tools.bwrap) {
    const cwd = await mkdtemp(join(tmpdir(), 'rsn-code-'));
    if (root && tools.setpriv) await chown(cwd, uid, uid);
    const argv = [...prefix, ...command];
    return { file: argv[0]!, args: argv.slice(1), cwd, env: CLEAN_ENV(cwd), cleanup: () => rm(cwd, { recursive: true, force: true }) };
  }

  const env = CLEAN_ENV('/work');
  const bwrap = [
    tools.bwrap!,
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname', 'sandbox',
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    ...rootDirBinds(),
    ...interpreterBinds(command[0]!),
    ...(limits.binds ?? []),
    '--proc', '/proc',
    // bwrap's minimal /dev (null, zero, urandom, tty, pts…) made read-only, with a capped /dev/shm
    '--dev', '/dev',
    '--remount-ro', '/dev',
    '--size', String(config.shmMb * 1024 * 1024), '--tmpfs', '/dev/shm',
    '--size', String(config.workdirMb * 1024 * 1024), '--tmpfs', '/work',
    '--size', String(16 * 1024 * 1024), '--tmpfs', '/tmp',
    '--remount-ro', '/', // the root tmpfs bwrap builds: only /work and /tmp stay writable
    '--chdir', '/work',
    '--seccomp', String(SECCOMP_FD),
    '--',
  ];
  const argv = [...prefix, ...bwrap, ...command];
  return { file: argv[0]!, args: argv.slice(1), cwd: tmpdir(), env, seccomp: seccompFilter(), cleanup: async () => {} };
}

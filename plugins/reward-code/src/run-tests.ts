import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ReasonerError } from '@reasoner/core';
import { prepareJs } from './js-prep.js';
import { SlotPool } from './pool.js';
import { runProcess, type ProcessOutcome } from './run-process.js';
import { dirname } from 'node:path';
import { assertSandboxAvailable, DEFAULT_SANDBOX, findSandboxTools, interpreterBinds, prepareCommand, TRUSTED_NODE, trustedNodeDir, waitForSlotExit } from './sandbox.js';
import { ZygoteWorker } from './zygote-worker.js';
import type { RunResult, RunStatus, RunTestsOptions, SandboxConfig } from './types.js';

const PY_HARNESS = `${readFileSync(new URL('./harness.py', import.meta.url), 'utf8')}\n_entry()\n`;
// `node -e` runs a script: its top-level declarations would share the global scope with the tests
// (and the program), so each file runs in a function scope of its own
const jsFile = (name: string): string => `(function () {\n${readFileSync(new URL(name, import.meta.url), 'utf8')}\n})();\n`;
const JS_HARNESS = jsFile('./harness.cjs');
const JS_RUNNER = jsFile('./js-runner.cjs');

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MEMORY_MB = 1024;
/** V8 reserves address space for its code range and heap cages up front. */
const NODE_ADDRESS_SPACE_HEADROOM_MB = 1024;

export interface CodeRunnerOptions extends Partial<SandboxConfig> {
  /** Sandboxed runs at once; defaults to the number of cores. */
  concurrency?: number;
  timeoutMs?: number;
  memoryMb?: number;
  partialCredit?: boolean;
  /**
   * Python runs fork from one pre-started interpreter per slot (in its own sandbox, cleaned
   * between jobs) instead of starting a sandbox + interpreter per run. Default true; ignored
   * without bubblewrap.
   */
  prefork?: boolean;
}

export interface CodeRunner {
  readonly concurrency: number;
  runTests(options: RunTestsOptions): Promise<RunResult>;
  /** Stops the pre-forked workers. */
  close(): Promise<void>;
  /** Pre-forked workers discarded so far because a run left processes, files or was killed. */
  readonly workersDiscarded: number;
}

/** One length-prefixed frame of the Python harness's input (8-byte big-endian length). */
function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(body.length));
  return Buffer.concat([head, body]);
}

/**
 * The worker itself discards its sandbox after a run that left processes or files outside /work.
 * The runner adds what only it sees: the harness did not read its whole input (the input pipe
 * would be out of step), or the program was killed (e.g. SIGSYS for a denied system call).
 */
function discardIfTouched(worker: ZygoteWorker, out: ProcessOutcome, ev: HarnessEvents): void {
  if (!worker.alive) return;
  if (!ev.input || ev.gone?.signal || out.timedOut || out.aborted || out.outputExceeded || out.signal) worker.discard();
}

interface HarnessEvents {
  /** The harness read its whole input (a pre-forked worker's input pipe is in step). */
  input: boolean;
  total?: number;
  passes: number;
  fails: number;
  error?: string;
  /** The program's process ended during the tests: exit code and signal number. */
  gone?: { code: number; signal: number };
  done?: { passed: number; total: number };
}

/**
 * Reads the trusted side's result lines. Only the trusted harness process holds the channel, so
 * these lines are its own; still, anything inconsistent (counts that disagree, more passes than
 * tests) is taken as a failed run rather than trusted.
 */
function parseChannel(channel: string, nonce: string): HarnessEvents {
  const ev: HarnessEvents = { input: false, passes: 0, fails: 0 };
  for (const line of channel.split('\n')) {
    if (!line.startsWith(`${nonce} `)) continue;
    const [name, a, b] = line.slice(nonce.length + 1).split(' ');
    if (name === 'input') ev.input = true;
    else if (name === 'total' && ev.total === undefined) ev.total = Number(a);
    else if (name === 'pass') ev.passes++;
    else if (name === 'fail') ev.fails++;
    else if (name === 'error') ev.error ??= a ?? 'unknown';
    else if (name === 'gone') ev.gone = { code: Number(a), signal: Number(b) };
    else if (name === 'done') ev.done = { passed: Number(a), total: Number(b) };
  }
  const total = ev.total ?? 0;
  if (ev.passes > total || (ev.done && (ev.done.passed !== ev.passes || ev.done.total !== total))) {
    ev.error ??= 'inconsistent results';
    ev.done = undefined;
  }
  ev.passes = Math.min(ev.passes, total);
  return ev;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** bwrap reports a child killed by signal N as exit code 128 + N. */
function deathSignal(out: ProcessOutcome): string | undefined {
  if (out.signal) return out.signal;
  if (out.exitCode !== null && out.exitCode > 128 && out.exitCode < 128 + 65) return SIGNAL_NAMES.get(out.exitCode - 128);
  return undefined;
}

function classify(out: ProcessOutcome, ev: HarnessEvents): { status: RunStatus; reason?: string } {
  const sig = deathSignal(out);
  if (out.aborted) return { status: 'killed', reason: 'aborted' };
  if (out.timedOut) return { status: 'timeout', reason: 'wall-clock' };
  if (sig === 'SIGXCPU') return { status: 'timeout', reason: 'cpu-time' };
  if (out.outputExceeded) return { status: 'killed', reason: 'output-limit' };
  if (ev.error) return { status: 'error', reason: `harness: ${ev.error}` };
  if (ev.gone?.signal === constants.signals.SIGXCPU) return { status: 'timeout', reason: 'cpu-time' };
  if (ev.gone?.signal) return { status: 'killed', reason: `signal ${SIGNAL_NAMES.get(ev.gone.signal) ?? ev.gone.signal}` };
  if (ev.gone) return { status: 'error', reason: `the program exited (code ${ev.gone.code}) before the tests finished` };
  if (ev.done) return { status: ev.fails === 0 && ev.passes === ev.total && ev.total > 0 && out.exitCode === 0 ? 'passed' : 'failed' };
  if (sig) return { status: 'killed', reason: `signal ${sig}` };
  return { status: 'error', reason: `exited (code ${out.exitCode}) before the tests finished` };
}

/** An infrastructure failure must not look like a wrong program: raise it instead of scoring it. */
function assertSandboxStarted(out: ProcessOutcome, ev: HarnessEvents, config: SandboxConfig, language: string): void {
  if (ev.input || ev.total !== undefined || ev.error || out.timedOut || out.aborted || out.outputExceeded) return;
  const m = /^(bwrap|setpriv|prlimit): .*$/m.exec(out.stderr);
  if (!m) return;
  const interpreter = language === 'python' ? config.python : config.node;
  throw new ReasonerError('RSN_ERR_SANDBOX', `the sandbox failed to start: ${m[0]}`, {
    plugin: 'reward-code',
    hint: /execvp|No such file/.test(m[0])
      ? `the interpreter ${interpreter} must exist and be readable by an unprivileged user (set the \`python\`/\`node\` option)`
      : 'check that bubblewrap works here (user namespaces enabled: `bwrap --unshare-all --ro-bind /usr /usr true`)',
  });
}

/** Python source cannot hold NUL bytes (and they would break the harness's framing). */
function nulResult(where: string): RunResult {
  return { passed: false, status: 'error', passedCount: 0, stdout: '', stderr: `[${where} does not compile]\nSyntaxError: source code cannot contain null bytes\n`, durationMs: 0, reason: 'harness: compile' };
}

/** Creates a runner: a pool of sandboxed interpreter runs sized to the cores. */
export function createCodeRunner(options: CodeRunnerOptions = {}): CodeRunner {
  const config: SandboxConfig = {
    python: options.python ?? DEFAULT_SANDBOX.python,
    node: options.node ?? DEFAULT_SANDBOX.node,
    unsafe: options.unsafe ?? DEFAULT_SANDBOX.unsafe,
    maxProcesses: options.maxProcesses ?? DEFAULT_SANDBOX.maxProcesses,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_SANDBOX.maxOutputBytes,
    workdirMb: options.workdirMb ?? DEFAULT_SANDBOX.workdirMb,
    maxFileMb: options.maxFileMb ?? DEFAULT_SANDBOX.maxFileMb,
    shmMb: options.shmMb ?? DEFAULT_SANDBOX.shmMb,
  };
  const pool = new SlotPool(options.concurrency);
  const workerMemoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  // the worker sweeps its pid namespace and wipes /work and /tmp: only ever inside bubblewrap
  const workers = (options.prefork ?? true) && findSandboxTools().bwrap ? Array.from({ length: pool.size }, (_, slot) => new ZygoteWorker(config, slot, workerMemoryMb)) : [];

  async function run(req: RunTestsOptions, slot: number): Promise<RunResult> {
    const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const memoryMb = req.memoryMb ?? options.memoryMb ?? DEFAULT_MEMORY_MB;
    const partial = req.partialCredit ?? options.partialCredit ?? false;
    const nonce = randomBytes(16).toString('hex');
    let command: string[];
    let input: Buffer;
    let addressSpaceMb = memoryMb;
    let binds: string[] | undefined;
    if (req.language === 'python') {
      const fields = [req.program, req.setup ?? '', req.tests];
      if (fields.some((f) => f.includes('\0'))) return nulResult(fields[0]!.includes('\0') ? 'program' : 'tests');
      command = [config.python, '-I', '-B', '-c', PY_HARNESS];
      input = Buffer.concat([frame(req.program), frame([nonce, partial ? '1' : '0', req.setup ?? '', req.tests, /^[A-Za-z_]\w*$/.test(req.entryPoint ?? '') ? req.entryPoint! : ''].join('\0'))]);
    } else if (req.language === 'javascript' || req.language === 'typescript') {
      const js = await prepareJs(req.language, req.program, req.tests, req.setup);
      // the harness runs from an execute-only copy of node (non-dumpable); the program from node itself
      if (!config.unsafe || findSandboxTools().bwrap) binds = ['--ro-bind', await trustedNodeDir(config.node), dirname(TRUSTED_NODE), ...interpreterBinds(config.node)];
      command = [binds ? TRUSTED_NODE : config.node, `--max-old-space-size=${memoryMb}`, '-e', JS_HARNESS];
      input = Buffer.from(JSON.stringify({ nonce, ...js, partial, node: config.node, runner: JS_RUNNER, fifo: '/usr/bin/mkfifo', maxOldSpaceMb: memoryMb }));
      addressSpaceMb += NODE_ADDRESS_SPACE_HEADROOM_MB;
    } else {
      throw new ReasonerError('RSN_ERR_INPUT', `unsupported language "${String(req.language)}"`, { plugin: 'reward-code', hint: "use 'python', 'javascript' or 'typescript'" });
    }
    const cpuSeconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const worker = req.language === 'python' && memoryMb <= workerMemoryMb ? workers[slot] : undefined;
    let out: ProcessOutcome;
    if (worker) {
      assertSandboxAvailable(config);
      out = await worker.run({ input, timeoutMs, memoryMb, cpuSeconds, maxOutputBytes: config.maxOutputBytes, ...(req.signal ? { signal: req.signal } : {}) });
      discardIfTouched(worker, out, parseChannel(out.channel, nonce));
    } else {
      const prepared = await prepareCommand(config, { cpuSeconds, addressSpaceMb, slot, ...(binds ? { binds } : {}) }, command);
      try {
        out = await runProcess({ ...prepared, input, timeoutMs, maxOutputBytes: config.maxOutputBytes, signal: req.signal });
      } finally {
        await prepared.cleanup();
      }
    }
    const ev = parseChannel(out.channel, nonce);
    assertSandboxStarted(out, ev, config, req.language);
    const { status, reason } = classify(out, ev);
    // a killed sandbox tears down asynchronously; a live worker has already swept its own
    if (reason && !reason.startsWith('harness') && !worker?.alive) await waitForSlotExit(slot);
    return {
      passed: status === 'passed',
      status,
      passedCount: ev.passes,
      total: ev.total,
      stdout: out.stdout,
      stderr: out.stderr,
      durationMs: out.durationMs,
      ...(reason ? { reason } : {}),
    };
  }

  return {
    concurrency: pool.size,
    runTests: (req) => pool.use((slot) => run(req, slot)),
    close: async () => workers.forEach((w) => w.close()),
    get workersDiscarded() {
      return workers.reduce((n, w) => n + w.discarded, 0);
    },
  };
}

let defaultRunner: CodeRunner | undefined;

/**
 * Runs `program` then `tests` in the sandbox and reports how many tests passed. Uses a shared
 * runner sized to the cores; call `createCodeRunner` for other limits or an unsafe runner.
 */
export function runTests(options: RunTestsOptions): Promise<RunResult> {
  defaultRunner ??= createCodeRunner();
  return defaultRunner.runTests(options);
}


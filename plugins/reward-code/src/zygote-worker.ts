import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { ProcessOutcome } from './run-process.js';
import { prepareCommand, SECCOMP_FD, waitForSlotExit } from './sandbox.js';
import type { SandboxConfig } from './types.js';

const ZYGOTE_SOURCE = `${readFileSync(new URL('./harness.py', import.meta.url), 'utf8')}\n${readFileSync(new URL('./zygote.py', import.meta.url), 'utf8')}\n_zygote()\n`;
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
/** The zygote enforces the job's wall clock; this is the runner's own backstop on top of it. */
const BACKSTOP_MS = 3000;

export interface ZygoteJob {
  /** Harness input: the program frame, then the tests frame (see harness.py). */
  input: Buffer;
  timeoutMs: number;
  memoryMb: number;
  cpuSeconds: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
}

interface Pending {
  resolve(outcome: ProcessOutcome): void;
  started: number;
  timer: NodeJS.Timeout;
  cleanup(): void;
}

/**
 * One pre-forked Python worker in its own sandbox (one per pool slot). Jobs run one at a time;
 * the worker is restarted when it dies, misbehaves or is killed for a job.
 */
export class ZygoteWorker {
  private child?: ChildProcess;
  private buf = Buffer.alloc(0);
  private pending?: Pending;
  private log = '';
  /** Times this slot's worker was discarded after a run that changed it. */
  discarded = 0;

  constructor(
    private readonly config: SandboxConfig,
    private readonly slot: number,
    /** Address-space ceiling of the worker; jobs can only lower it. */
    readonly memoryMb: number,
  ) {}

  private async start(): Promise<ChildProcess> {
    const cmd = await prepareCommand(this.config, { cpuSeconds: 86_400, addressSpaceMb: this.memoryMb, slot: this.slot }, [this.config.python, '-I', '-B', '-c', ZYGOTE_SOURCE]);
    // fd 3: the jobs' input frames, which the worker hands to each job unread; fd 4: seccomp
    const child = spawn(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const seccomp = child.stdio[SECCOMP_FD] as Writable;
    seccomp.on('error', () => {});
    seccomp.end(cmd.seccomp);
    (child.stdio[3] as Writable).on('error', () => {});
    this.buf = Buffer.alloc(0);
    this.log = '';
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString('utf8')).slice(-4000)));
    child.stdin!.on('error', () => {});
    child.on('error', (e) => (this.log += `\nspawn failed: ${e.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    // an idle worker must not keep the process alive; a pending job holds a timer that does
    child.unref();
    for (const s of child.stdio) (s as Socket | null)?.unref?.();
    this.child = child;
    return child;
  }

  run(job: ZygoteJob): Promise<ProcessOutcome> {
    return new Promise((resolve, reject) => {
      const go = async (): Promise<void> => {
        const child = this.alive ? this.child! : await (this.starting ?? this.start());
        const timer = setTimeout(() => this.fail('timeout'), job.timeoutMs + BACKSTOP_MS);
        const onAbort = (): void => this.fail('abort');
        job.signal?.addEventListener('abort', onAbort, { once: true });
        this.pending = { resolve, started: performance.now(), timer, cleanup: () => job.signal?.removeEventListener('abort', onAbort) };
        if (job.signal?.aborted) return this.fail('abort');
        (child.stdio[3] as Writable).write(job.input);
        child.stdin!.write(`J ${job.timeoutMs} ${job.memoryMb} ${job.cpuSeconds} ${job.maxOutputBytes}\n`);
      };
      go().catch(reject);
    });
  }

  private settle(outcome: Omit<ProcessOutcome, 'durationMs'>): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.cleanup();
    p.resolve({ ...outcome, durationMs: performance.now() - p.started });
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    const nl = this.buf.indexOf(10);
    if (nl < 0) return;
    const head = this.buf.subarray(0, nl).toString('ascii').split(' ');
    const [code, sig, timedOut, exceeded, discarded, nOut, nErr, nChan] = head.slice(1).map(Number) as number[];
    const need = nl + 1 + nOut! + nErr! + nChan!;
    if (head[0] !== 'R' || head.length !== 9) return this.fail('protocol');
    if (this.buf.length < need) return;
    let at = nl + 1;
    const take = (n: number): string => this.buf.subarray(at, (at += n)).toString('utf8');
    const stdout = take(nOut!);
    const stderr = take(nErr!);
    const channel = take(nChan!);
    this.buf = this.buf.subarray(need);
    if (discarded === 1) this.discard();
    this.settle({
      exitCode: sig ? null : code!,
      signal: sig ? (SIGNAL_NAMES.get(sig!) ?? null) : null,
      stdout,
      stderr,
      channel,
      timedOut: timedOut === 1,
      outputExceeded: exceeded === 1,
      aborted: false,
    });
  }

  /** Kills the worker's whole sandbox and reports the pending job. */
  private fail(why: 'timeout' | 'abort' | 'protocol'): void {
    this.kill();
    this.settle({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: why === 'protocol' ? `worker protocol error\n${this.log}` : '', channel: '', timedOut: why === 'timeout', outputExceeded: false, aborted: why === 'abort' });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    // the job killed its worker (e.g. os.kill(os.getppid(), 9)), or the sandbox did not start
    this.settle({ exitCode: code, signal: signal ?? (code !== null && code > 128 ? (SIGNAL_NAMES.get(code - 128) ?? null) : null), stdout: '', stderr: this.log, channel: '', timedOut: false, outputExceeded: false, aborted: false });
  }

  /**
   * Drops this sandbox after a run that may have changed it (left a process or a file outside
   * /work, was killed, did not read its whole input) and starts the next one right away, so the
   * next run in the slot does not wait for it.
   */
  discard(): void {
    this.discarded++;
    this.kill();
    if (this.closed || this.starting) return;
    // the old sandbox's processes count against the slot uid's process limit until they are gone
    const next = waitForSlotExit(this.slot).then(() => (this.closed ? Promise.reject(new Error('closed')) : this.start()));
    this.starting = next;
    void next.then(
      () => (this.starting = undefined),
      () => (this.starting = undefined),
    );
  }

  private closed = false;
  private starting?: Promise<ChildProcess>;

  close(): void {
    this.closed = true;
    this.kill();
  }

  /** False after the worker died or was killed: its sandbox may still be tearing down. */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(): void {
    const child = this.child;
    this.child = undefined;
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ProcessRun {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to the child's stdin, then stdin is closed. */
  input: string | Buffer;
  /** bwrap's seccomp program, written to the child's fd 4. */
  seccomp?: Buffer;
  timeoutMs: number;
  /** Max bytes of stdout + stderr kept; more kills the process group. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Text the harness wrote to fd 3 (its result channel). */
  channel: string;
  timedOut: boolean;
  outputExceeded: boolean;
  aborted: boolean;
  durationMs: number;
}

const CHANNEL_CAP = 1 << 20;

/**
 * Spawns a detached child (its own process group), feeds stdin, caps captured output, and kills
 * the whole group on timeout, output overflow or abort. Never rejects for the child's sake.
 */
export function runProcess(run: ProcessRun): Promise<ProcessOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let timedOut = false;
    let outputExceeded = false;
    let aborted = false;
    let outBytes = 0;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const chan: Buffer[] = [];
    let chanBytes = 0;

    const child = spawn(run.file, run.args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: run.seccomp ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    if (run.seccomp) {
      const fd4 = child.stdio[4] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
      fd4.on('error', () => {});
      fd4.end(run.seccomp);
    }

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };

    const capture = (stream: Readable | null, into: Buffer[]): void => {
      stream?.on('data', (chunk: Buffer) => {
        const room = run.maxOutputBytes - outBytes;
        if (room > 0) into.push(chunk.subarray(0, room));
        outBytes += chunk.length;
        if (outBytes > run.maxOutputBytes && !outputExceeded) {
          outputExceeded = true;
          killGroup();
        }
      });
      stream?.on('error', () => {});
    };
    capture(child.stdout, out);
    capture(child.stderr, err);
    const channel = child.stdio[3] as Readable | null;
    channel?.on('data', (chunk: Buffer) => {
      if (chanBytes < CHANNEL_CAP) chan.push(chunk);
      chanBytes += chunk.length;
    });
    channel?.on('error', () => {});

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, run.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdin?.on('error', () => {}); // EPIPE when the child dies before reading its input
    child.stdin?.end(run.input);

    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      killGroup(); // leftovers of the group (the sandbox's pid namespace dies with its init anyway)
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        channel: Buffer.concat(chan).toString('utf8'),
        timedOut,
        outputExceeded,
        aborted,
        durationMs: performance.now() - started,
      });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(`spawn failed: ${e.message}\n`));
      finish(null, null);
    });
    child.on('close', (code, sig) => finish(code, sig));
    // A stray holder of the pipes must not keep us waiting once the child itself has exited.
    child.on('exit', (code, sig) => {
      setTimeout(() => finish(code, sig), 500).unref();
    });
  });
}

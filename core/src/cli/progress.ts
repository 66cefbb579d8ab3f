import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number | undefined, done?: number): void;
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** A progress bar on an interactive stderr; silent otherwise (CI logs, `--json`). */
export function createProgress(label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted} | {info}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total, done = 0) {
      bar.start(total ?? 0, done, { info: '' });
      started = true;
    },
    update(done, payload) {
      if (!started) return;
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, { info: payload ? Object.entries(payload).map(([k, v]) => `${k} ${v}`).join(' ') : '' });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** True at most once per `ms` (the first call included): progress lines for work of unknown length. */
export function every(ms: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}

/** Learners do not know their step count up front: a step line every few seconds instead of a bar. */
export const LEARN_LOG_MS = 5000;

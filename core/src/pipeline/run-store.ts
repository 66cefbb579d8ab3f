import { existsSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm, truncate, writeFile, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ReasonerError } from '../errors.js';
import type { TrajectoryRecord } from '../types/records.js';

export const TRAJECTORIES = 'trajectories.jsonl';
const LOCK = 'run.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The complete lines of a records file (a torn last line is not one), each checked to be a trajectory record. */
function parseRecords(text: string, file: string): TrajectoryRecord[] {
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  const out: TrajectoryRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]) continue;
    let r: Partial<TrajectoryRecord> | undefined;
    try {
      r = JSON.parse(lines[i]!) as Partial<TrajectoryRecord>;
    } catch {
      r = undefined;
    }
    if (typeof r?.taskId !== 'string') {
      throw new ReasonerError('RSN_ERR_RUN_CORRUPT', `${file}:${i + 1} is not a trajectory record (it has no "taskId")`, {
        file, line: i + 1, hint: r ? 'a file of {prompt, solution, reward} lines is a data set: pass it with --data' : 'the file was edited by hand; remove or fix that line, then resume',
      });
    }
    out.push(r as TrajectoryRecord);
  }
  return out;
}

/** Generation g of the lock: `run.lock` (0, also what older versions wrote), then `run.lock.1`, … */
const lockName = (gen: number): string => (gen === 0 ? LOCK : `${LOCK}.${gen}`);

async function lockGenerations(dir: string): Promise<number[]> {
  const gens: number[] = [];
  for (const name of await readdir(dir)) {
    const m = /^run\.lock(?:\.(\d+))?$/.exec(name);
    if (m) gens.push(m[1] ? Number(m[1]) : 0);
  }
  return gens;
}

/** The pid written in a lock file; null when the file is gone (released meanwhile). */
async function lockHolder(file: string): Promise<number | null> {
  try {
    return Number((await readFile(file, 'utf8')).trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * One writer per run: a second `run --resume` of a live run would write tasks twice.
 *
 * The lock is the highest generation file `run.lock[.g]` whose pid is alive. A lock file is
 * created whole and atomically by link(2) from a private temp file (EEXIST if another process got
 * that generation first), so a stale lock is taken over by creating generation g+1 — never by
 * deleting and recreating the same name, which lets two racers both win. A pid, once dead, stays
 * dead, so "g is stale" cannot become false between the check and the link. After the link the
 * taker lists again: a higher generation (someone who linked first, while we read an older
 * listing) wins, and we back off. Older generations are removed by the winner.
 * Returns the lock file this process now owns.
 */
async function takeLock(dir: string, runId: string): Promise<string> {
  const tmp = path.join(dir, `.${LOCK}.${process.pid}.${randomBytes(6).toString('hex')}`);
  await writeFile(tmp, String(process.pid));
  try {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const gens = await lockGenerations(dir);
      const top = gens.length ? Math.max(...gens) : -1;
      if (top >= 0) {
        const file = path.join(dir, lockName(top));
        const pid = await lockHolder(file);
        if (pid === null) continue; // released while we looked: list again
        // our own pid: a store of this process that was never closed (a simulated crash)
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new ReasonerError('RSN_ERR_RUN_LOCKED', `run ${runId} is being written by process ${pid}`, {
            hint: `wait for that run to finish; if no reasoner process is running (the pid was reused), delete ${path.join(dir, `${LOCK}*`)}`,
          });
        }
      }
      const mine = top + 1;
      const file = path.join(dir, lockName(mine));
      try {
        await link(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // another taker got it first
        throw e;
      }
      const after = await lockGenerations(dir);
      if (after.some((g) => g > mine)) {
        await rm(file, { force: true }); // a higher generation was taken first: it is the owner
        continue;
      }
      for (const g of after) if (g < mine) await rm(path.join(dir, lockName(g)), { force: true });
      return file;
    }
    throw new ReasonerError('RSN_ERR_RUN_LOCKED', `run ${runId}: could not take ${LOCK} (too much contention)`, { hint: 'retry the command' });
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * runs/<id>/: config.json, trajectories.jsonl (append-only, one line per task), summary.json.
 * Records are whole lines written on an O_APPEND descriptor by one writer, so a kill at any point
 * leaves at most one torn final line — which `resume` cuts off.
 */
export class RunStore {
  private fh: FileHandle | null = null;
  /** The lock file this store owns (removed on close). */
  private lockFile: string | null = null;

  private constructor(readonly dir: string, readonly runId: string) {}

  get trajectoriesFile(): string {
    return path.join(this.dir, TRAJECTORIES);
  }

  static newRunId(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  }

  /** Creates a new run directory. */
  static async create(outDir: string, runId = RunStore.newRunId()): Promise<RunStore> {
    const dir = path.join(outDir, runId);
    if (existsSync(dir)) {
      throw new ReasonerError('RSN_ERR_USAGE', `run ${runId} already exists in ${outDir}`, { hint: `resume it with --resume ${runId}, or choose another --run-id` });
    }
    await mkdir(dir, { recursive: true });
    const store = new RunStore(dir, runId);
    store.lockFile = await takeLock(dir, runId);
    try {
      store.fh = await open(store.trajectoriesFile, 'a');
    } catch (e) {
      await store.releaseLock();
      throw e;
    }
    return store;
  }

  /** Opens an existing run for resuming; returns the records already written (torn tail removed). */
  static async resume(outDir: string, runId: string): Promise<{ store: RunStore; records: TrajectoryRecord[] }> {
    const dir = path.join(outDir, runId);
    const store = new RunStore(dir, runId);
    if (!existsSync(dir)) {
      throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `no run "${runId}" in ${outDir}`, { hint: `list runs with \`ls ${outDir}\`; pass the folder name to --resume` });
    }
    store.lockFile = await takeLock(dir, runId);
    try {
      const records = await store.readRecords(true);
      store.fh = await open(store.trajectoriesFile, 'a');
      return { store, records };
    } catch (e) {
      await store.releaseLock(); // e.g. RSN_ERR_RUN_CORRUPT: the next resume must not find a lock
      throw e;
    }
  }

  /**
   * Holds `dir`'s run lock until the returned release is called: one writer per folder for work
   * that is not a RunStore's (e.g. an `iterate` run, whose rounds each have their own store).
   */
  static async lock(dir: string, runId: string): Promise<() => Promise<void>> {
    const file = await takeLock(dir, runId);
    return () => rm(file, { force: true });
  }

  /**
   * Reads the complete records of a run folder — or of one JSONL file of trajectory records, such
   * as a learner's rollouts.jsonl or an iterate round's trajectories.jsonl — without changing it
   * (safe on a live run: a torn last line is left out).
   */
  static async read(dirOrFile: string): Promise<TrajectoryRecord[]> {
    if (existsSync(dirOrFile) && statSync(dirOrFile).isFile()) return parseRecords(await readFile(dirOrFile, 'utf8'), dirOrFile);
    if (!existsSync(path.join(dirOrFile, TRAJECTORIES))) {
      throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `no ${TRAJECTORIES} in ${dirOrFile}`, { hint: 'pass a run folder (runs/<run-id>) or a JSONL file of trajectory records (e.g. <learn-dir>/rollouts.jsonl)' });
    }
    return new RunStore(dirOrFile, path.basename(dirOrFile)).readRecords(false);
  }

  /** Reads every complete record; with `repair`, truncates a torn final line. */
  async readRecords(repair = false): Promise<TrajectoryRecord[]> {
    if (!existsSync(this.trajectoriesFile)) return [];
    const text = await readFile(this.trajectoriesFile, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length && repair) await truncate(this.trajectoriesFile, Buffer.byteLength(text.slice(0, end)));
    return parseRecords(text, this.trajectoriesFile);
  }

  /**
   * Appends one record. Lines that arrive while a write is in flight are group-committed in the
   * next single write(); each caller's promise resolves once its own line is written.
   */
  append(record: TrajectoryRecord): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      // Defer the first write by one turn so records finished together share one write().
      this.writing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
    });
  }

  private pending: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | null = null;

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (!this.fh) throw new ReasonerError('RSN_ERR_USAGE', 'run store is closed');
        await this.fh.write(batch.length === 1 ? batch[0]!.line : batch.map((b) => b.line).join(''));
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.writing = null;
  }

  /** Writes a JSON file atomically (tmp + rename): a crash never leaves half a summary. */
  async writeJson(name: string, value: unknown): Promise<void> {
    const file = path.join(this.dir, name);
    await writeFile(file + '.tmp', JSON.stringify(value, null, 2) + '\n');
    await rename(file + '.tmp', file);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.fh?.close();
    this.fh = null;
    await this.releaseLock();
  }

  private async releaseLock(): Promise<void> {
    if (this.lockFile) await rm(this.lockFile, { force: true });
    this.lockFile = null;
  }
}

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from './run-store.js';
import type { TrajectoryRecord } from '../types/records.js';

const root = mkdtempSync(path.join(tmpdir(), 'rsn-runstore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  return spawnSync('/bin/true').pid!;
}

function runDir(name: string, lock?: { file: string; pid: number }): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'trajectories.jsonl'), '');
  if (lock) writeFileSync(path.join(dir, lock.file), String(lock.pid));
  return dir;
}

/**
 * The racing processes run plain JS (tsx costs ~0.6 s of CPU per process): run-store.ts and
 * errors.ts transpiled into a temp dir, plus a child that on "go <dir> <run>" resumes that run,
 * appends records and holds the lock until "release", printing "won" or "locked".
 */
function raceChild(): string {
  const out = path.join(root, 'js');
  mkdirSync(path.join(out, 'pipeline'), { recursive: true });
  for (const [src, dst] of [['run-store.ts', 'pipeline/run-store.js'], ['../errors.ts', 'errors.js']] as const) {
    const code = readFileSync(path.join(import.meta.dirname, src), 'utf8');
    writeFileSync(path.join(out, dst), ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  }
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  writeFileSync(
    path.join(out, 'child.js'),
    `import { createInterface } from 'node:readline';
import { RunStore } from './pipeline/run-store.js';
let held = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, outDir, runId] = line.split(' ');
  if (cmd === 'go') {
    RunStore.resume(outDir, runId).then(async ({ store }) => {
      held = store;
      for (let i = 0; i < 7; i++) await store.append({ taskId: 't' + i, writer: process.pid });
      process.stdout.write('won\\n');
    }, (e) => process.stdout.write((e.code === 'RSN_ERR_RUN_LOCKED' ? 'locked' : 'error ' + (e.code ?? e)) + '\\n'));
  } else if (cmd === 'release') {
    const s = held;
    held = null;
    (s ? s.close() : Promise.resolve()).then(() => process.stdout.write('released\\n'));
  } else if (cmd === 'exit') process.exit(0);
});
process.stdout.write('ready\\n');
`,
  );
  return path.join(out, 'child.js');
}

const lockFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('run.lock'));

describe('run lock', () => {
  it('refuses a live lock, takes over a stale one, and releases on close', async () => {
    runDir('live', { file: 'run.lock', pid: process.ppid });
    await expect(RunStore.resume(root, 'live')).rejects.toMatchObject({ code: 'RSN_ERR_RUN_LOCKED' });
    const dir = runDir('stale', { file: 'run.lock', pid: deadPid() });
    const { store } = await RunStore.resume(root, 'stale');
    expect(lockFiles(dir)).toEqual(['run.lock.1']);
    expect(readFileSync(path.join(dir, 'run.lock.1'), 'utf8')).toBe(String(process.pid));
    await store.close();
    expect(lockFiles(dir)).toEqual([]);
  });

  it('a corrupt middle line raises RSN_ERR_RUN_CORRUPT and leaves no lock behind', async () => {
    const dir = runDir('corrupt');
    writeFileSync(path.join(dir, 'trajectories.jsonl'), '{"taskId":"a"}\nnot json\n{"taskId":"b"}\n');
    await expect(RunStore.resume(root, 'corrupt')).rejects.toMatchObject({ code: 'RSN_ERR_RUN_CORRUPT' });
    expect(lockFiles(dir)).toEqual([]);
    writeFileSync(path.join(dir, 'trajectories.jsonl'), '{"taskId":"a"}\n{"taskId":"b"}\n');
    const { store, records } = await RunStore.resume(root, 'corrupt'); // fixed by hand: resumes
    expect(records).toHaveLength(2);
    await store.close();
  });

  it('read: a run folder or one JSONL file of records (a torn last line left out); a data set or junk gets RSN_ERR_RUN_CORRUPT', async () => {
    const file = path.join(root, 'rollouts.jsonl');
    writeFileSync(file, '{"taskId":"a","prompt":"p"}\n{"taskId":"b","prompt":"q"}\n{"taskId":"c","pro');
    expect((await RunStore.read(file)).map((r) => r.taskId)).toEqual(['a', 'b']);
    expect(readFileSync(file, 'utf8')).toContain('"c"'); // read-only: nothing repaired
    writeFileSync(file, '{"prompt":"p","solution":"s","reward":1}\n');
    await expect(RunStore.read(file)).rejects.toMatchObject({ code: 'RSN_ERR_RUN_CORRUPT', context: { line: 1, hint: expect.stringContaining('--data') } });
    await expect(RunStore.read(path.join(root, 'nowhere'))).rejects.toMatchObject({ code: 'RSN_ERR_RUN_NOT_FOUND' });
  });

  it('20 processes resuming a crashed run at once: exactly one writer per trial, no duplicated records', async () => {
    const N = 20;
    const TRIALS = 6;
    const script = raceChild();
    const children: ChildProcessWithoutNullStreams[] = [];
    const lines: Array<AsyncIterator<string>> = [];
    for (let i = 0; i < N; i++) {
      const c = spawn(process.execPath, [script], { stdio: 'pipe' });
      children.push(c);
      lines.push(createInterface({ input: c.stdout })[Symbol.asyncIterator]());
    }
    const next = async (i: number): Promise<string> => (await lines[i]!.next()).value as string;
    try {
      expect(await Promise.all(children.map((_, i) => next(i)))).toEqual(Array(N).fill('ready'));
      for (let t = 0; t < TRIALS; t++) {
        // alternate the stale lock between the old single-file form and a later generation
        const dir = runDir(`race${t}`, { file: t % 2 ? 'run.lock.3' : 'run.lock', pid: deadPid() });
        for (const c of children) c.stdin.write(`go ${root} race${t}\n`);
        const answers = await Promise.all(children.map((_, i) => next(i)));
        expect(answers.filter((a) => a === 'won'), `trial ${t}: ${answers.join(',')}`).toHaveLength(1);
        expect(answers.filter((a) => a === 'locked')).toHaveLength(N - 1);
        for (const c of children) c.stdin.write('release\n');
        await Promise.all(children.map((_, i) => next(i)));
        const records = readFileSync(path.join(dir, 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrajectoryRecord & { writer: number });
        expect(records).toHaveLength(7);
        expect(new Set(records.map((r) => r.writer)).size).toBe(1);
        expect(lockFiles(dir)).toEqual([]);
      }
    } finally {
      for (const c of children) c.stdin.end('exit\n');
    }
  }, 60_000);

  it('a new run takes the lock and a second store on the same folder is refused by another process', async () => {
    const store = await RunStore.create(root, 'fresh');
    expect(existsSync(path.join(root, 'fresh', 'run.lock'))).toBe(true);
    const mod = path.join(path.dirname(raceChild()), 'pipeline', 'run-store.js');
    const other = spawnSync(process.execPath, ['--input-type=module', '-e', `import { RunStore } from ${JSON.stringify(mod)}; RunStore.resume(${JSON.stringify(root)}, 'fresh').then(() => console.log('took'), (e) => console.log(e.code))`], { encoding: 'utf8' });
    expect(other.stdout.trim()).toBe('RSN_ERR_RUN_LOCKED');
    await store.close();
  });
});

import { spawn } from 'node:child_process';
import { createHumanEvalSource } from '@reasoner/plugin-task-humaneval';
import type { Task } from '@reasoner/core';
import { createCodeRunner } from '../src/run-tests.js';

const PYTHON = '/usr/bin/python3';
const N = 30;

/** One unsandboxed interpreter per program: the naive way to run HumanEval. */
function bare(code: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', code], { stdio: 'ignore' });
    child.on('close', (c) => resolve(c ?? -1));
  });
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The 164 tasks through a runner with concurrency = cores. */
async function pooled(tasks: Task[], prefork: boolean) {
  const runner = createCodeRunner({ timeoutMs: 20_000, prefork });
  const t = performance.now();
  const results = await Promise.all(tasks.map((task) => runner.runTests({ language: 'python', program: task.prompt + task.solution!, tests: `${task.tests!.code}\ncheck(${task.tests!.entryPoint})\n` })));
  const wall = performance.now() - t;
  await runner.close();
  const perRun = results.map((r) => r.durationMs).sort((a, b) => a - b);
  return { wall, passed: results.filter((r) => r.passed).length, median: perRun[perRun.length >> 1]!, max: perRun.at(-1)!, concurrency: runner.concurrency };
}

/**
 * Mean latency of a trivial sandboxed run (one call of the program's function), one at a time.
 * `dirty`: each run leaves a file in /tmp, so a pre-forked worker is discarded after every run —
 * what "a fresh worker per run" would cost.
 */
async function trivial(prefork: boolean, dirty = false): Promise<number> {
  const single = createCodeRunner({ concurrency: 1, prefork });
  const program = dirty ? "open('/tmp/left', 'w').write('x')\ndef f(x):\n    return x\n" : 'def f(x):\n    return x\n';
  const job = { language: 'python' as const, program, tests: 'assert f(1) == 1' };
  await single.runTests(job); // warm-up
  const t = performance.now();
  for (let i = 0; i < N; i++) await single.runTests(job);
  await single.close();
  return (performance.now() - t) / N;
}

/** Mean latency of a trivial JavaScript run (always a fresh sandbox: harness + program processes). */
async function trivialJs(): Promise<number> {
  const single = createCodeRunner({ concurrency: 1 });
  const job = { language: 'javascript' as const, program: 'function f(x) { return x; }', tests: 'assert.strictEqual(f(1), 1);' };
  await single.runTests(job);
  const t = performance.now();
  for (let i = 0; i < 10; i++) await single.runTests(job);
  await single.close();
  return (performance.now() - t) / 10;
}

export default {
  name: 'reward-code',
  async run(): Promise<Record<string, unknown>> {
    const tasks: Task[] = [];
    for await (const t of createHumanEvalSource().tasks()) tasks.push(t);

    // naive baseline: sequential, unsandboxed, one subprocess per task
    let t0 = performance.now();
    let baselinePassed = 0;
    for (const t of tasks) if ((await bare(`${t.prompt}${t.solution!}\n${t.tests!.code}`)) === 0) baselinePassed++;
    const baselineMs = performance.now() - t0;

    const pre = await pooled(tasks, true);
    const fresh = await pooled(tasks, false);

    t0 = performance.now();
    for (let i = 0; i < N; i++) await bare('pass');
    const bareMs = (performance.now() - t0) / N;
    const preMs = await trivial(true);
    const freshMs = await trivial(false);
    const discardMs = await trivial(true, true);
    const jsMs = await trivialJs();

    return {
      tasks: tasks.length,
      concurrency: pre.concurrency,
      baselineSequentialUnsandboxedMs: r1(baselineMs),
      baselinePassed,
      poolPreforkMs: r1(pre.wall),
      poolPreforkPassed: pre.passed,
      poolFreshSandboxMs: r1(fresh.wall),
      poolFreshSandboxPassed: fresh.passed,
      speedupPreforkVsBaseline: r2(baselineMs / pre.wall),
      speedupFreshSandboxVsBaseline: r2(baselineMs / fresh.wall),
      runMsMedianPrefork: r1(pre.median),
      runMsMaxPrefork: r1(pre.max),
      runMsMedianFreshSandbox: r1(fresh.median),
      barePythonPassMs: r1(bareMs),
      trivialRunMsPrefork: r1(preMs),
      trivialRunMsFreshSandbox: r1(freshMs),
      trivialRunMsPreforkDiscardedEveryRun: r1(discardMs),
      trivialRunMsJavaScript: r1(jsMs),
      overheadVsBareMsPrefork: r1(preMs - bareMs),
      overheadVsBareMsFreshSandbox: r1(freshMs - bareMs),
      ratioVsBarePrefork: r2(preMs / bareMs),
      ratioVsBareFreshSandbox: r2(freshMs / bareMs),
    };
  },
};

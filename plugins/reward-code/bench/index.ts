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
  const results = await Promise.all(tasks.map((task) => runner.runTests({ language: 'python', program: task.prompt + task.solution!, tests: task.tests!.code })));
  const wall = performance.now() - t;
  await runner.close();
  const perRun = results.map((r) => r.durationMs).sort((a, b) => a - b);
  return { wall, passed: results.filter((r) => r.passed).length, median: perRun[perRun.length >> 1]!, max: perRun.at(-1)!, concurrency: runner.concurrency };
}

/** Mean latency of a trivial sandboxed run, one at a time. */
async function trivial(prefork: boolean): Promise<number> {
  const single = createCodeRunner({ concurrency: 1, prefork });
  await single.runTests({ language: 'python', program: 'pass', tests: 'assert True' }); // warm-up
  const t = performance.now();
  for (let i = 0; i < N; i++) await single.runTests({ language: 'python', program: 'pass', tests: 'assert True' });
  await single.close();
  return (performance.now() - t) / N;
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
      overheadVsBareMsPrefork: r1(preMs - bareMs),
      overheadVsBareMsFreshSandbox: r1(freshMs - bareMs),
      ratioVsBarePrefork: r2(preMs / bareMs),
      ratioVsBareFreshSandbox: r2(freshMs / bareMs),
    };
  },
};

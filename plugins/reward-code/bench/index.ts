import { spawn } from 'node:child_process';
import { createHumanEvalSource } from '@reasoner/plugin-task-humaneval';
import type { Task } from '@reasoner/core';
import { createCodeRunner } from '../src/run-tests.js';

const PYTHON = '/usr/bin/python3';

/** One unsandboxed interpreter per program: the naive way to run HumanEval. */
function bare(code: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', code], { stdio: 'ignore' });
    child.on('close', (c) => resolve(c ?? -1));
  });
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

export default {
  name: 'reward-code',
  async run(): Promise<Record<string, unknown>> {
    const tasks: Task[] = [];
    for await (const t of createHumanEvalSource().tasks()) tasks.push(t);
    const programOf = (t: Task) => t.prompt + t.solution!;

    // naive baseline: sequential, unsandboxed, one subprocess per task
    let t0 = performance.now();
    let baselinePassed = 0;
    for (const t of tasks) if ((await bare(`${programOf(t)}\n${t.tests!.code}`)) === 0) baselinePassed++;
    const baselineMs = ms(t0);

    // the reward's pool: sandboxed, concurrency = cores
    const runner = createCodeRunner({ timeoutMs: 20_000 });
    t0 = performance.now();
    const results = await Promise.all(tasks.map((t) => runner.runTests({ language: 'python', program: programOf(t), tests: t.tests!.code })));
    const poolMs = ms(t0);
    const perTask = results.map((r) => r.durationMs).sort((a, b) => a - b);

    // per-execution floor: bare `python3 -c pass` vs a sandboxed trivial run (harness included)
    const N = 30;
    t0 = performance.now();
    for (let i = 0; i < N; i++) await bare('pass');
    const bareMs = (performance.now() - t0) / N;
    const single = createCodeRunner({ concurrency: 1 });
    await single.runTests({ language: 'python', program: 'pass', tests: 'assert True' }); // warm-up
    t0 = performance.now();
    for (let i = 0; i < N; i++) await single.runTests({ language: 'python', program: 'pass', tests: 'assert True' });
    const sandboxMs = (performance.now() - t0) / N;

    return {
      tasks: tasks.length,
      concurrency: runner.concurrency,
      baselineSequentialUnsandboxedMs: baselineMs,
      baselinePassed,
      poolSandboxedMs: poolMs,
      poolPassed: results.filter((r) => r.passed).length,
      speedupPoolVsBaseline: Math.round((baselineMs / poolMs) * 100) / 100,
      poolRunMsMedian: Math.round(perTask[Math.floor(perTask.length / 2)]!),
      poolRunMsMax: Math.round(perTask.at(-1)!),
      barePythonPassMs: Math.round(bareMs * 10) / 10,
      sandboxedTrivialRunMs: Math.round(sandboxMs * 10) / 10,
      sandboxOverheadMs: Math.round((sandboxMs - bareMs) * 10) / 10,
      sandboxOverheadRatio: Math.round((sandboxMs / bareMs) * 100) / 100,
    };
  },
};

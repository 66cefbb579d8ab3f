import { definePlugin, ReasonerError, type Reward, type RewardResult, type Task } from '@reasoner/core';
import { buildProgram, extractCode } from './extract-code.js';
import { createCodeRunner, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from './run-tests.js';
import { assertSandboxAvailable, DEFAULT_SANDBOX } from './sandbox.js';

export interface RewardCodeOptions {
  timeoutMs: number;
  memoryMb: number;
  /** Reward = fraction of tests passed instead of 1/0. */
  partialCredit: boolean;
  python: string;
  node?: string;
  /** Run without bubblewrap. Only for code you trust. */
  unsafe: boolean;
  /** Sandboxed runs at once; 0 = number of cores. */
  concurrency: number;
  /** Python runs fork from a pre-started sandboxed interpreter per slot (cleaned between runs). */
  prefork: boolean;
  maxOutputBytes: number;
}

const STDERR_KEEP = 2000;

export const optionsSchema = {
  type: 'object',
  properties: {
    timeoutMs: { type: 'integer', minimum: 100, default: DEFAULT_TIMEOUT_MS },
    memoryMb: { type: 'integer', minimum: 64, default: DEFAULT_MEMORY_MB },
    partialCredit: { type: 'boolean', default: false },
    python: { type: 'string', default: DEFAULT_SANDBOX.python },
    node: { type: 'string' },
    unsafe: { type: 'boolean', default: false },
    concurrency: { type: 'integer', minimum: 0, default: 0 },
    prefork: { type: 'boolean', default: true },
    maxOutputBytes: { type: 'integer', minimum: 1024, default: DEFAULT_SANDBOX.maxOutputBytes },
  },
  additionalProperties: false,
} as const;

/** Keeps the end of stderr: that is where the traceback's verdict is. */
function tail(text: string, n: number): string {
  return text.length <= n ? text : `…${text.slice(-n)}`;
}

/** Builds the outcome reward over `task.tests` (exported for use without the kernel). */
export function createCodeReward(options: Partial<RewardCodeOptions> = {}): Reward {
  const runner = createCodeRunner({
    python: options.python ?? DEFAULT_SANDBOX.python,
    ...(options.node ? { node: options.node } : {}),
    unsafe: options.unsafe ?? false,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_SANDBOX.maxOutputBytes,
    prefork: options.prefork ?? true,
    memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB, // the workers' ceiling
  });
  const partial = options.partialCredit ?? false;
  return {
    kind: 'outcome',
    needsGold: true, // it runs the task's hidden tests: an oracle when it guides search
    close: () => runner.close(),
    async score(task: Task, solution: string, signal?: AbortSignal): Promise<RewardResult> {
      const tests = task.tests;
      if (!tests) {
        throw new ReasonerError('RSN_ERR_REWARD', `task ${task.id} has no tests to run`, {
          plugin: 'reward-code',
          hint: 'reward-code scores code tasks (task-humaneval, task-mbpp, or records with `tests`); use reward-math for answers',
        });
      }
      const code = extractCode(solution, tests.language, tests.entryPoint);
      const program = buildProgram(task.prompt, code, tests.language, tests.entryPoint);
      let testCode = tests.code;
      // HumanEval's raw `test` defines check(candidate) without calling it
      if (tests.entryPoint && /^def check\(/m.test(testCode) && !/^check\(/m.test(testCode)) testCode += `\n\ncheck(${tests.entryPoint})\n`;
      const r = await runner.runTests({
        language: tests.language,
        program,
        tests: testCode,
        ...(tests.setup ? { setup: tests.setup } : {}),
        ...(tests.entryPoint ? { entryPoint: tests.entryPoint } : {}),
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
        partialCredit: partial,
        ...(signal ? { signal } : {}),
      });
      const fraction = r.total ? (r.passedCount ?? 0) / r.total : 0;
      return {
        value: r.passed ? 1 : partial ? fraction : 0,
        correct: r.passed,
        detail: {
          status: r.status,
          passedCount: r.passedCount,
          total: r.total,
          durationMs: Math.round(r.durationMs),
          stderr: tail(r.stderr, STDERR_KEEP),
          ...(r.reason ? { reason: r.reason } : {}),
        },
      };
    },
  };
}

export default definePlugin<RewardCodeOptions, 'reward'>({
  name: 'reward-code',
  kind: 'reward',
  apiVersion: 1,
  description: 'Runs code against its tests in a bubblewrap sandbox (Python, JavaScript, TypeScript)',
  optionsSchema,
  setup(ctx, options) {
    // Fail at setup, not at the first score: the user learns at once that isolation is missing.
    assertSandboxAvailable({ ...DEFAULT_SANDBOX, unsafe: options.unsafe ?? false });
    if (options.unsafe) ctx.logger.warn('reward-code: unsafe mode, untrusted code runs WITHOUT isolation');
    const reward = createCodeReward(options);
    return reward;
  },
});

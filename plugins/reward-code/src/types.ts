export type CodeLanguage = 'python' | 'javascript' | 'typescript';

export type RunStatus = 'passed' | 'failed' | 'timeout' | 'error' | 'killed';

export interface RunTestsOptions {
  language: CodeLanguage;
  /** The program under test (for HumanEval: prompt + completion). */
  program: string;
  /** Test code run after the program (HumanEval `test` + `check(entry)`, MBPP assert lines). */
  tests: string;
  /** The function under test: the one program name that may shadow a builtin (MBPP's `sum`). */
  entryPoint?: string;
  /** Code run after the program and before the tests (MBPP `test_setup_code`). */
  setup?: string;
  /** Wall-clock limit for the whole run (the CPU-time limit is derived from it). */
  timeoutMs?: number;
  /** Address-space limit for the interpreter. */
  memoryMb?: number;
  /**
   * Keep running the remaining tests after a failing one, so `passedCount / total` is a partial
   * score. Python also splits a called `check(candidate)` function into its statements.
   */
  partialCredit?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  passed: boolean;
  status: RunStatus;
  /** Test units that passed (an assert statement, or a statement of `check` in partial mode). */
  passedCount?: number;
  total?: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why the run was stopped, when it was (`wall-clock`, `cpu-time`, `output-limit`, `signal SIGKILL`, …). */
  reason?: string;
}

export interface SandboxConfig {
  /** Python interpreter; the system one starts ~10x faster than a pyenv shim. */
  python: string;
  /** Node interpreter for JavaScript / TypeScript. */
  node: string;
  /** Run without bubblewrap (no namespaces): only for code you trust. */
  unsafe: boolean;
  /** Max processes + threads per run (fork bombs). */
  maxProcesses: number;
  /** Max bytes of stdout + stderr kept; the run is killed when it prints more. */
  maxOutputBytes: number;
  /** Size of the per-run tmpfs working directory (and of /tmp). */
  workdirMb: number;
  /** Max size of one file the program writes. */
  maxFileMb: number;
  /** Size of the sandbox's /dev/shm tmpfs (POSIX shared memory, semaphores). */
  shmMb: number;
}

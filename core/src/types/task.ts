/** A unit of work: a problem with (optionally) a gold answer or tests. */
export interface Task {
  id: string;
  prompt: string;
  /** Gold final answer, for outcome verification. */
  answer?: string;
  /** Executable tests (code tasks). */
  tests?: CodeTests;
  /** A reference solution, if the source has one (used by SFT and `data export`). */
  solution?: string;
  meta?: Record<string, unknown>;
}

export interface CodeTests {
  language: 'python' | 'javascript' | 'typescript';
  /** Test code appended after the program (e.g. HumanEval `check`, MBPP asserts). */
  code: string;
  /** Function under test, if any (HumanEval `entry_point`). */
  entryPoint?: string;
  /** Code run before the tests (MBPP `test_setup_code`). */
  setup?: string;
}

/** Result of a task's own checker: is the final answer right, and is each step valid. */
export interface TaskVerdict {
  correct: boolean;
  /** Extracted final answer. */
  answer?: string;
  /** Per-step validity (1 valid, 0 invalid), for process rewards and tree search. */
  steps?: number[];
  detail?: Record<string, unknown>;
}

export type TaskSplit = 'train' | 'validation' | 'test';

export interface TaskQuery {
  split?: TaskSplit;
  limit?: number;
  signal?: AbortSignal;
}

/** How a task's solution text splits into reasoning steps (and back). */
export interface StepFormat {
  /** Ends a step; searches generate the next step with `stop: [delimiter]`. */
  readonly delimiter: string;
  split(text: string): string[];
  join(steps: string[]): string;
}

/** A source of tasks (kind `task`). */
export interface TaskSource {
  readonly name: string;
  /** Streams tasks in a stable order. */
  tasks(query?: TaskQuery): AsyncIterable<Task>;
  /** Number of tasks the query would yield, when cheap to know (for progress bars). */
  count?(query?: TaskQuery): Promise<number | undefined>;
  /**
   * Verifies a solution with the task's own checker (synthetic tasks know their answers
   * exactly). Optional: data sets without one are scored by a reward plugin.
   */
  verify?(task: Task, solution: string): TaskVerdict | Promise<TaskVerdict>;
  /**
   * Checks a partial solution (a prefix of steps) — for tree search and process rewards. Must use
   * only what the prompt states (it is a fair test-time verifier); `correct` means "no step is
   * invalid so far", `steps` the per-step validity.
   */
  verifyPartial?(task: Task, steps: string[]): TaskVerdict | Promise<TaskVerdict>;
  /** How solutions split into steps; default: one step per non-empty line (`lineSteps`). */
  readonly stepFormat?: StepFormat;
  /**
   * For tasks whose solutions can backtrack: one solution that makes the `failed` attempt up to
   * its first mistake, backs out of it and finishes with `correct` (a Stream-of-Search trace of
   * two searched candidates, for learners). Undefined when the pair makes no such trace.
   */
  stream?(task: Task, failed: string, correct: string): string | undefined;
}

import { ReasonerError } from '@reasoner/core';
import type { Rng, Task } from '@reasoner/core';
import { formatFinal, formatPrompt, formatStep, joinLines } from './format.js';
import type { CountdownStep } from './format.js';
import { randomStep } from './walk.js';
import { solveCountdown } from './solver.js';

export interface CountdownGenOptions {
  /** How many numbers (3–5). */
  numbers: number;
  /** Numbers are drawn uniformly from 1…maxNumber (default 25). */
  maxNumber?: number;
  /** Targets lie in minTarget…maxTarget (defaults 10…100). */
  minTarget?: number;
  maxTarget?: number;
  /** Reject problems whose shortest solution has fewer steps (default 2). */
  minSteps?: number;
  /** Reject problems whose shortest solution has more steps (default: no limit). */
  maxSteps?: number;
}

export interface CountdownMeta {
  numbers: number[];
  target: number;
  /** Steps in the shortest solution: the difficulty level. */
  level: number;
  [key: string]: unknown;
}

export interface CountdownProblem {
  task: Task & { answer: string; solution: string; meta: CountdownMeta };
  /** Canonical form (sorted numbers, target): equal problems have equal keys. */
  key: string;
}

/** Draws per problem before giving up (options that allow no problem must not hang). */
const MAX_ATTEMPTS = 10_000;

export function countdownKey(numbers: readonly number[], target: number): string {
  return `${[...numbers].sort((x, y) => x - y).join(',')}>${target}`;
}

/** Solution text of a step sequence: the steps, then `=<target>`. */
export function countdownSolutionText(steps: readonly CountdownStep[], target: number): string {
  return joinLines([...steps.map(formatStep), formatFinal(target)]);
}

export function makeCountdownTask(numbers: readonly number[], target: number, steps: readonly CountdownStep[]): CountdownProblem['task'] {
  return {
    id: `countdown:${numbers.join(',')}>${target}`,
    prompt: formatPrompt(numbers, target),
    answer: String(target),
    solution: countdownSolutionText(steps, target),
    meta: { numbers: [...numbers], target, level: steps.length },
  };
}

/**
 * Draws one solvable problem: random numbers, a random forward walk of valid steps, and one of
 * the walk's in-range intermediate values as the target (so a solution exists by construction);
 * the stored solution is a shortest one found by the solver.
 */
export function generateCountdownProblem(rng: Rng, options: CountdownGenOptions): CountdownProblem {
  const n = options.numbers;
  const maxNumber = options.maxNumber ?? 25;
  const minTarget = options.minTarget ?? 10;
  const maxTarget = options.maxTarget ?? 100;
  const minSteps = Math.min(options.minSteps ?? 2, n - 1);
  const maxSteps = options.maxSteps ?? n - 1;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const numbers = Array.from({ length: n }, () => 1 + rng.int(maxNumber));
    const pool = [...numbers];
    const candidates: number[] = [];
    for (let s = 0; s < n - 1; s++) {
      const step = randomStep(pool, rng);
      if (!step) break;
      if (step.c >= minTarget && step.c <= maxTarget && !numbers.includes(step.c)) candidates.push(step.c);
    }
    if (candidates.length === 0) continue;
    const target = candidates[rng.int(candidates.length)]!;
    const best = solveCountdown(numbers, target, { max: 1 })[0];
    if (!best || best.length < minSteps || best.length > maxSteps) continue;
    return { task: makeCountdownTask(numbers, target, best), key: countdownKey(numbers, target) };
  }
  throw new ReasonerError('RSN_ERR_TASK', `countdown: no problem with ${n} numbers ≤ ${maxNumber}, target ${minTarget}…${maxTarget} and ${minSteps}…${maxSteps} steps found in ${MAX_ATTEMPTS} draws`, {
    hint: 'widen maxNumber or the target range, or the minSteps…maxSteps range',
  });
}

/** One solvable countdown problem as a Task (see generateCountdownProblem). */
export function generateCountdown(rng: Rng, options: CountdownGenOptions): CountdownProblem['task'] {
  return generateCountdownProblem(rng, options).task;
}

/**
 * @reasoner/plugin-task-countdown — the Countdown game (as in TinyZero / Stream of Search):
 * reach a target from 3–5 numbers with + - * / (each number used at most once; each step
 * combines two available numbers into a new one; only non-negative integers, exact division).
 *
 * Text format (see format.ts and README.md):
 *   prompt    "3 7 25 4>89\n"
 *   solution  "25+4=29\n29*3=87\n…\n=89\n"  (steps, optional "<" backtracks, final "=<target>")
 */
import { applyOptions, defineOptions, definePlugin, type OptionsOf } from '@reasoner/core';
import type { Rng, TaskSource, TaskSplit } from '@reasoner/core';
import { generateCountdownProblem } from './generate.js';
import { syntheticSource, withDefaults } from '@reasoner/core';
import { verifyCountdown, verifyCountdownPartial } from './verify.js';
import { countdownStream } from './stream.js';

export * from './format.js';
export { solveCountdown, isReachable } from './solver.js';
export type { SolveOptions } from './solver.js';
export { generateCountdown, generateCountdownProblem, countdownKey, countdownSolutionText, makeCountdownTask } from './generate.js';
export type { CountdownGenOptions, CountdownMeta, CountdownProblem } from './generate.js';
export { verifyCountdown, verifyCountdownPartial, replayCountdown, countdownProblemOf } from './verify.js';
export type { CountdownState } from './verify.js';
export { noisySolution } from './noisy.js';
export { backOut, countdownStream, fixFirstSlip } from './stream.js';
export type { NoisyOptions } from './noisy.js';

/** Options, written once: the TypeScript type and `countdownDefaults` are derived from this schema. */
export const countdownOptionsSchema = defineOptions({
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: { type: 'integer', default: 0, description: 'seed of the problem stream; a new seed draws new problems (splits stay disjoint)' },
    sizes: { type: 'array', items: { type: 'integer', minimum: 2, maximum: 5 }, minItems: 1, default: [3, 4], description: 'how many numbers a problem has, drawn uniformly from this list' },
    maxNumber: { type: 'integer', minimum: 1, default: 25 },
    minTarget: { type: 'integer', minimum: 0, default: 10 },
    maxTarget: { type: 'integer', minimum: 1, default: 100 },
    minSteps: { type: 'integer', minimum: 1, default: 2, description: 'shortest solution length range (the level)' },
    maxSteps: { type: 'integer', minimum: 1, default: 4 },
    trainSize: { type: 'integer', minimum: 0, default: 50_000 },
    validationSize: { type: 'integer', minimum: 0, default: 500 },
    testSize: { type: 'integer', minimum: 0, default: 500 },
  },
});

export type CountdownOptions = OptionsOf<typeof countdownOptionsSchema>;

export const countdownDefaults: CountdownOptions = applyOptions(countdownOptionsSchema, {}, 'task-countdown');

/** A countdown TaskSource (exported so trainers can build one without a kernel). */
export function countdownSource(options: Partial<CountdownOptions> = {}): TaskSource {
  const o = withDefaults(countdownDefaults, options);
  const sizes: Record<TaskSplit, number> = { train: o.trainSize, validation: o.validationSize, test: o.testSize };
  const source = syntheticSource('countdown', {
    name: 'task-countdown',
    seed: o.seed,
    sizes,
    generate: (rng: Rng) =>
      generateCountdownProblem(rng, {
        numbers: o.sizes[rng.int(o.sizes.length)]!,
        maxNumber: o.maxNumber,
        minTarget: o.minTarget,
        maxTarget: o.maxTarget,
        minSteps: o.minSteps,
        maxSteps: o.maxSteps,
      }),
  }, verifyCountdown, verifyCountdownPartial);
  return { ...source, stream: countdownStream };
}

export default definePlugin<CountdownOptions, 'task'>({
  name: 'task-countdown',
  kind: 'task',
  apiVersion: 1,
  description: 'Countdown: reach a target from 3–5 numbers with + - * /, checked step by step',
  optionsSchema: countdownOptionsSchema,
  setup: (_ctx, options) => countdownSource(options),
});

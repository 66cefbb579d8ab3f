/**
 * @reasoner/plugin-task-arith — multi-digit + - * with a written chain of thought, one step
 * per line, checked step by step (see scratchpad.ts and README.md for the format):
 *   prompt "4821+937\n"   solution "1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5758\n"
 */
import { definePlugin } from '@reasoner/core';
import type { Rng, TaskSource, TaskSplit } from '@reasoner/core';
import { syntheticSource, withDefaults } from '@reasoner/core';
import { generateArithProblem } from './generate.js';
import type { ArithOp } from './scratchpad.js';
import { verifyArith, verifyArithPartial } from './verify.js';

export * from './scratchpad.js';
export * from './verify.js';
export * from './generate.js';
export * from './noisy.js';

export interface ArithOptions {
  seed: number;
  ops: ArithOp[];
  minDigits: number;
  maxDigits: number;
  maxMultiplierDigits: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
}

export const arithDefaults: ArithOptions = {
  seed: 0,
  ops: ['+', '-', '*'],
  minDigits: 3,
  maxDigits: 5,
  maxMultiplierDigits: 2,
  trainSize: 50_000,
  validationSize: 500,
  testSize: 500,
};

/** An arith TaskSource (exported so trainers can build one without a kernel). */
export function arithSource(options: Partial<ArithOptions> = {}): TaskSource {
  const o = withDefaults(arithDefaults, options);
  const sizes: Record<TaskSplit, number> = { train: o.trainSize, validation: o.validationSize, test: o.testSize };
  return syntheticSource('arith', { name: 'task-arith', seed: o.seed, sizes, generate: (rng: Rng) => generateArithProblem(rng, o) }, verifyArith, verifyArithPartial);
}

export default definePlugin<ArithOptions, 'task'>({
  name: 'task-arith',
  kind: 'task',
  apiVersion: 1,
  description: 'Multi-digit + - * with a written, step-checked chain of thought',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      seed: { type: 'integer', default: arithDefaults.seed },
      ops: { type: 'array', items: { enum: ['+', '-', '*'] }, minItems: 1, default: arithDefaults.ops },
      minDigits: { type: 'integer', minimum: 1, maximum: 15, default: arithDefaults.minDigits },
      maxDigits: { type: 'integer', minimum: 1, maximum: 15, default: arithDefaults.maxDigits },
      maxMultiplierDigits: { type: 'integer', minimum: 1, maximum: 8, default: arithDefaults.maxMultiplierDigits },
      trainSize: { type: 'integer', minimum: 0, default: arithDefaults.trainSize },
      validationSize: { type: 'integer', minimum: 0, default: arithDefaults.validationSize },
      testSize: { type: 'integer', minimum: 0, default: arithDefaults.testSize },
    },
  },
  setup: (_ctx, options) => arithSource(options),
});

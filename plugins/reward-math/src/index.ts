import { definePlugin, ReasonerError, type Reward, type RewardResult, type Task } from '@reasoner/core';
import { isEquivalent } from './equivalence.js';
import { partialCredit } from './partial.js';
import { extractAnswer } from './extract.js';
import { normalizeAnswer } from './normalize.js';
import { CALL_BUDGET_MS, warmUp, withBudget } from './cas.js';

export { extractAnswer, stripChatDebris, isBareAnswer } from './extract.js';
export type { ExtractOptions } from './extract.js';
export { isEquivalent } from './equivalence.js';
export type { EquivalenceOptions } from './equivalence.js';
export { verify } from './verify.js';
export { partialCredit } from './partial.js';
export type { VerifyOptions } from './verify.js';
export { normalizeAnswer } from './normalize.js';
export { warmUp } from './cas.js';
export { parseValue } from './structure.js';
export type { Value, Relation } from './structure.js';

export interface RewardMathOptions {
  /** Relative tolerance for numeric answers. */
  tolerance: number;
  /** Fall back to the last number of a solution that marks no answer. */
  fallbackLastNumber: boolean;
  /** Seed for the random evaluation points of symbolic comparison. */
  seed: number;
  /** A one-variable inequality equals its interval (`x < 2` ≡ `(-\infty, 2)`). */
  allowSetRelation: boolean;
  /** Multi-part answers that are not fully right score the fraction of parts right (reward shaping). */
  partialCredit: boolean;
}

const DEFAULTS: RewardMathOptions = { tolerance: 1e-6, fallbackLastNumber: true, seed: 20241, allowSetRelation: true, partialCredit: false };

/** Scores one solution against `task.answer`. Exported for callers that do not go through the kernel. */
export function scoreMath(task: Task, solution: string, options: Partial<RewardMathOptions> = {}): RewardResult {
  return withBudget(CALL_BUDGET_MS, () => scoreUnbudgeted(task, solution, options));
}

function scoreUnbudgeted(task: Task, solution: string, options: Partial<RewardMathOptions>): RewardResult {
  const opts = { ...DEFAULTS, ...options };
  // Numbers from loosely typed JSONL (`"answer": 42`) are fine; anything else is a missing answer.
  const raw: unknown = task.answer;
  const goldText = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof goldText !== 'string' || goldText.trim() === '') {
    throw new ReasonerError('RSN_ERR_REWARD', `Task "${task.id}" has no gold answer, so reward-math cannot score it.`, {
      plugin: 'reward-math',
      hint: 'Use a task source that sets `answer` (e.g. task-gsm8k, task-math), or a reward that does not need one.',
    });
  }
  let gold: string = goldText;
  let extracted: string | null = null;
  let correct = false;
  let value = 0;
  try {
    gold = extractAnswer(goldText, { fallbackLastNumber: true }) ?? goldText;
    extracted = extractAnswer(typeof solution === 'string' ? solution : '', { fallbackLastNumber: opts.fallbackLastNumber });
    const eq = { tolerance: opts.tolerance, seed: opts.seed, allowSetRelation: opts.allowSetRelation };
    correct = extracted !== null && isEquivalent(gold, extracted, eq);
    value = correct ? 1 : opts.partialCredit && extracted !== null ? partialCredit(gold, extracted, eq) : 0;
  } catch {
    // Hostile or malformed input scores 0; the reward never throws on a solution.
    correct = false;
    value = 0;
  }
  // `answer` (normalised) lets majority votes group `\dfrac{1}{2}` with `\frac12`.
  const answer = extracted === null ? undefined : normalizeAnswer(extracted).text;
  return { value, correct, ...(answer !== undefined && { answer }), detail: { extracted, gold } };
}

export default definePlugin<RewardMathOptions, 'reward'>({
  name: 'reward-math',
  kind: 'reward',
  apiVersion: 1,
  description: 'Outcome reward: the final answer of a math solution against the gold answer (numbers, LaTeX, expressions, sets, intervals, matrices).',
  optionsSchema: {
    type: 'object',
    properties: {
      tolerance: { type: 'number', minimum: 0, default: DEFAULTS.tolerance, description: 'Relative tolerance for numeric answers.' },
      fallbackLastNumber: { type: 'boolean', default: DEFAULTS.fallbackLastNumber, description: 'Use the last number of a solution that marks no answer.' },
      seed: { type: 'integer', default: DEFAULTS.seed, description: 'Seed for random evaluation points.' },
      allowSetRelation: { type: 'boolean', default: DEFAULTS.allowSetRelation, description: 'Count `x < 2` as equal to `(-\\infty, 2)`.' },
      partialCredit: { type: 'boolean', default: DEFAULTS.partialCredit, description: 'Score multi-part answers by the fraction of parts right (value in [0,1]; `correct` stays strict).' },
    },
    additionalProperties: false,
  },
  setup(_ctx, options): Reward {
    const opts: RewardMathOptions = {
      tolerance: options?.tolerance ?? DEFAULTS.tolerance,
      fallbackLastNumber: options?.fallbackLastNumber ?? DEFAULTS.fallbackLastNumber,
      seed: options?.seed ?? DEFAULTS.seed,
      allowSetRelation: options?.allowSetRelation ?? DEFAULTS.allowSetRelation,
      partialCredit: options?.partialCredit ?? DEFAULTS.partialCredit,
    };
    warmUp();
    return {
      kind: 'outcome',
      // It compares against task.answer: guiding a search with it is an oracle.
      needsGold: true,
      async score(task, solution) {
        return scoreMath(task, solution, opts);
      },
    };
  },
});

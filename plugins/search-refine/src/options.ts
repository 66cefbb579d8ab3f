/** Options of search-refine, their JSON Schema and defaults. */

/**
 * How an attempt is critiqued and revised:
 * - `checker`: the reward's step scores (`scoreSteps`, or the per-step verdicts in its result)
 *   locate the first bad step; the revision keeps the steps before it and resamples the rest
 *   (prefix continuation). Real with a policy that cannot write prose (the embedded tiny policy).
 * - `policy`: the reward's feedback (a checker's error, failing test output) when it carries one,
 *   else a critique the policy writes from `critiqueTemplate`; the policy then rewrites the whole
 *   solution from `reviseTemplate` (self-refine, for chat LLMs).
 * - `auto`: `checker` when the reward scores steps, else `policy`.
 */
export type CritiqueMode = 'auto' | 'checker' | 'policy';

export interface RefineOptions {
  critique: CritiqueMode;
  /** Most revisions after the first attempt. */
  maxRevisions: number;
  /** Stop after this many revisions in a row that did not change the solution. */
  patience: number;
  temperature: number;
  /** Temperature of the first attempt (0 = greedy: sample only when revising). */
  firstTemperature: number;
  topP: number;
  /** Most tokens of a whole solution (a continuation gets what its kept prefix leaves). */
  maxTokens: number;
  /** Most tokens of a written critique (mode `policy`). */
  critiqueTokens: number;
  /** A step scoring ≤ this is where the revision starts. */
  threshold: number;
  /** `{prompt}`, `{solution}` are filled in. */
  critiqueTemplate: string;
  /** `{prompt}`, `{solution}`, `{feedback}` are filled in. */
  reviseTemplate: string;
  /** A written critique containing this says the solution needs no change (mode `policy`, no verifier verdict). */
  approval: string;
  rewardTimeoutMs: number;
}

export const refineDefaults: RefineOptions = {
  critique: 'auto',
  maxRevisions: 32,
  patience: 3,
  temperature: 0.8,
  firstTemperature: 0,
  topP: 1,
  maxTokens: 96,
  critiqueTokens: 256,
  threshold: 0,
  critiqueTemplate:
    'Problem:\n{prompt}\n\nProposed solution:\n{solution}\n\nCheck the solution step by step. Name the first mistake and say how to fix it. If there is none, answer exactly: LGTM',
  reviseTemplate:
    'Problem:\n{prompt}\n\nPrevious attempt:\n{solution}\n\nFeedback on it:\n{feedback}\n\nWrite a corrected, complete solution to the problem. Reply with the solution only.',
  approval: 'LGTM',
  rewardTimeoutMs: 30_000,
};

const d = refineDefaults;
export const refineOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    critique: { enum: ['auto', 'checker', 'policy'], default: d.critique },
    maxRevisions: { type: 'integer', minimum: 0, maximum: 10_000, default: d.maxRevisions },
    patience: { type: 'integer', minimum: 1, default: d.patience },
    temperature: { type: 'number', minimum: 0, maximum: 10, default: d.temperature },
    firstTemperature: { type: 'number', minimum: 0, maximum: 10, default: d.firstTemperature },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: d.topP },
    maxTokens: { type: 'integer', minimum: 1, default: d.maxTokens },
    critiqueTokens: { type: 'integer', minimum: 1, default: d.critiqueTokens },
    threshold: { type: 'number', default: d.threshold },
    critiqueTemplate: { type: 'string', minLength: 1, default: d.critiqueTemplate },
    reviseTemplate: { type: 'string', minLength: 1, default: d.reviseTemplate },
    approval: { type: 'string', minLength: 1, default: d.approval },
    rewardTimeoutMs: { type: 'integer', minimum: 1, default: d.rewardTimeoutMs },
  },
} as const;

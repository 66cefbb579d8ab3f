/**
 * @reasoner/plugin-search-refine — self-refine / sequential revision: attempt, critique (the
 * reward's step checker, its feedback such as failing test output, or a critique the policy
 * writes), revise; stop when a fair verifier accepts, when revisions stop changing, or at the budget.
 */
import { definePlugin, type Search } from '@reasoner/core';
import { refineDefaults, refineOptionsSchema, type RefineOptions } from './options.js';
import { refineSearch } from './refine.js';

export { refineSearch, feedbackOf, fill } from './refine.js';
export type { RefineStats } from './refine.js';
export { refineDefaults, refineOptionsSchema } from './options.js';
export type { RefineOptions, CritiqueMode } from './options.js';

export default definePlugin<Partial<RefineOptions>, 'search'>({
  name: 'search-refine',
  kind: 'search',
  apiVersion: 1,
  description: 'Self-refine / sequential revision guided by a checker, reward feedback or a written critique',
  optionsSchema: refineOptionsSchema,
  setup(_ctx, options): Search {
    const o: RefineOptions = { ...refineDefaults, ...options };
    return { name: `search-refine(${o.critique})`, search: (env) => refineSearch(env, o) };
  },
});

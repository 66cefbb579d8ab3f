/**
 * @reasoner/plugin-search-beam — step-level beam search, Tree-of-Thoughts BFS / DFS with
 * backtracking, and DVTS, ranked by a process reward (`scoreSteps`, e.g. a task's step checker
 * or a PRM) or by the policy's logprobs.
 */
import { definePlugin, type Search } from '@reasoner/core';
import { beamSearch } from './beam.js';
import { beamDefaults, beamOptionsSchema, type BeamOptions } from './options.js';

export { beamSearch, aggregate } from './beam.js';
export type { BeamStats } from './beam.js';
export { beamDefaults, beamOptionsSchema } from './options.js';
export type { BeamOptions, Strategy, ScoreBy, Aggregate } from './options.js';

export default definePlugin<Partial<BeamOptions>, 'search'>({
  name: 'search-beam',
  kind: 'search',
  apiVersion: 1,
  description: 'Step-level beam / ToT BFS-DFS / DVTS search guided by a process reward or logprobs',
  optionsSchema: beamOptionsSchema,
  setup(_ctx, options): Search {
    const o: BeamOptions = { ...beamDefaults, ...options };
    return {
      name: `search-beam(${o.strategy} ${o.width}x${o.expansions})`,
      search: (env) => beamSearch(env, o),
    };
  },
});

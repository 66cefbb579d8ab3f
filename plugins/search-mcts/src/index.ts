import { definePlugin, type Search } from '@reasoner/core';
import { mctsDefaults, runMcts, type MctsOptions } from './mcts.js';

export { runMcts, mctsDefaults, type MctsOptions } from './mcts.js';
export { Tree, type MctsNode, type PuctOptions } from './tree.js';
export { parseCompletion, prefixOf, type ParsedSteps } from './parse.js';

const d = mctsDefaults;

/**
 * Monte Carlo tree search over reasoning steps: PUCT with priors from step logprobs (UCT without
 * them), progressive widening, virtual loss so `batch` leaves expand in one batched policy
 * round, process-reward pruning of dead ends, outcome-reward values for finished solutions.
 */
export default definePlugin<MctsOptions, 'search'>({
  name: 'search-mcts',
  kind: 'search',
  apiVersion: 1,
  description: 'Monte Carlo tree search over steps (PUCT, progressive widening, virtual-loss batches, process-reward pruning)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      simulations: { type: 'integer', minimum: 1, maximum: 1_000_000, default: d.simulations },
      batch: { type: 'integer', minimum: 1, maximum: 1024, default: d.batch },
      expand: { enum: ['rollout', 'step', 'hybrid'], default: d.expand },
      stepDepth: { type: 'integer', minimum: 0, default: d.stepDepth },
      stepTokens: { type: 'integer', minimum: 1, default: d.stepTokens },
      cPuct: { type: 'number', minimum: 0, default: d.cPuct },
      widenC: { type: 'number', exclusiveMinimum: 0, default: d.widenC },
      widenAlpha: { type: 'number', minimum: 0, maximum: 1, default: d.widenAlpha },
      fpu: { type: 'number', minimum: 0, maximum: 1, default: d.fpu },
      temperature: { type: 'number', minimum: 0, maximum: 10, default: d.temperature },
      stepTemperature: { type: 'number', minimum: 0, maximum: 10 },
      topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: d.topP },
      maxTokens: { type: 'integer', minimum: 1, default: d.maxTokens },
      minTokens: { type: 'integer', minimum: 1, default: d.minTokens },
      maxDepth: { type: 'integer', minimum: 1, maximum: 1000, default: d.maxDepth },
      maxNodes: { type: 'integer', minimum: 2, maximum: 10_000_000, default: d.maxNodes },
      pruneBelow: { type: 'number', default: d.pruneBelow },
      stopAt: { type: 'number', default: d.stopAt },
      process: { type: 'boolean', default: d.process },
      probe: { type: 'boolean', default: d.probe },
      neutral: { type: 'number', minimum: 0, maximum: 1, default: d.neutral },
      deadValue: { enum: ['zero', 'progress'], default: d.deadValue },
      priors: { type: 'boolean', default: d.priors },
      rewardTimeoutMs: { type: 'integer', minimum: 1, default: d.rewardTimeoutMs },
    },
  },
  setup(_ctx, options): Search {
    const o: MctsOptions = { ...mctsDefaults, ...options };
    return {
      name: `search-mcts(${o.expand})`,
      search: (env) => runMcts(env, o),
    };
  },
});

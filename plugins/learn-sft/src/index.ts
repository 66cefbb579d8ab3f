/**
 * @reasoner/plugin-learn-sft — behaviour cloning, rejection-sampling fine-tuning (RFT) and STaR
 * on searched data: the grader-correct candidates of each prompt, rationalisation of failures
 * with the answer as a hint, replay of the task's reference solutions, optional reward weights.
 */
import { definePlugin, drawTasks, fitsContext, groupTask, loopOptionsSchema, groupStats, groupsFromRecords, learnGroups, nothingToLearn, requireTrainable, samplerSearch, saveOrFail, trainLoop } from '@reasoner/core';
import type { CandidateGroup, LearnEnv, LearnReport, Learner, LoopDefaults, TrainablePolicy } from '@reasoner/core';
import path from 'node:path';
import { example, hintPrompt, starExamples, streamExamples, unsolved, type SftExample } from './data.js';

export { starExamples, streamExamples, unsolved, hintPrompt, example } from './data.js';
export type { SftExample, SftSetOptions, StreamFn } from './data.js';

export interface SftOptions extends LoopDefaults {
  filter: 'correct' | 'all';
  perPrompt: number;
  weightByReward: boolean;
  /** STaR rationalisation: re-search unsolved prompts with the gold answer in the prompt, train on the original prompt. */
  rationalize: boolean;
  hintTemplate: string;
  /**
   * Stream-of-Search examples per prompt (0 = none): a failed candidate up to its first mistake,
   * a backtrack, then a correct candidate; for task sources with `stream` (e.g. Countdown).
   */
  streams: number;
  /**
   * Decode every solved prompt greedily first and lead its streams with the greedy answer when
   * that fails (the dead end greedy decoding itself walks into); needs `streams` ≥ 1.
   */
  greedyStreams: boolean;
  /** Reference solutions replayed, as a share of the searched examples (0 = none). */
  replay: number;
  maxSteps?: number;
}

export const sftDefaults: SftOptions = {
  filter: 'correct', perPrompt: 4, weightByReward: false, rationalize: false, hintTemplate: '{prompt}answer: {answer}\n',
  streams: 0, greedyStreams: false, replay: 0.5, epochs: 2, batchSize: 32, lr: 5e-4, schedule: 'cosine', warmup: 10, tasks: 512,
};

async function rationalise(env: LearnEnv, groups: CandidateGroup[], o: SftOptions): Promise<SftExample[]> {
  const todo = unsolved(groups).filter((g) => g.gold !== null);
  if (!o.rationalize || todo.length === 0) return [];
  const originals = new Map(todo.map((g) => [g.taskId, g]));
  const hinted = todo.map((g) => ({ id: g.taskId, prompt: hintPrompt(o.hintTemplate, g.prompt, g.gold!), answer: g.gold! }));
  let records;
  try {
    records = await env.rollout(hinted);
  } catch (e) {
    env.logger.warn(`learn-sft: rationalisation skipped: ${(e as Error).message}`);
    return [];
  }
  const out: SftExample[] = [];
  for (const g of groupsFromRecords(records)) {
    const orig = originals.get(g.taskId);
    const c = g.candidates.filter((x) => x.correct).sort((a, b) => a.text.length - b.text.length)[0];
    // Train on the prompt without the hint: the rationale must stand on its own.
    if (orig && c) out.push(example(orig.prompt, c.text, 1, 'rationalized'));
  }
  return out;
}

/** The policy's failed greedy answers of the prompts a stream can be made for (some candidate is correct). */
async function greedyFailures(env: LearnEnv, groups: CandidateGroup[]): Promise<Map<string, string>> {
  const todo = groups.filter((g) => g.candidates.some((c) => c.correct));
  const out = new Map<string, string>();
  if (todo.length === 0) return out;
  const records = await env.rollout(todo.map(groupTask), { search: samplerSearch(1, 0), keepCandidates: 1 });
  for (const r of records) {
    const c = r.candidates?.[0];
    if (!r.error && c && !c.correct) out.set(r.taskId, c.text);
  }
  return out;
}

async function streamSet(env: LearnEnv, policy: TrainablePolicy, groups: CandidateGroup[], o: SftOptions): Promise<{ examples: SftExample[]; greedyFailures: number }> {
  const none = { examples: [], greedyFailures: 0 };
  if (o.streams <= 0) {
    if (o.greedyStreams) env.logger.warn('learn-sft: greedyStreams does nothing with streams: 0 (set streams ≥ 1)');
    return none;
  }
  const stream = env.tasks.stream?.bind(env.tasks);
  if (!stream) {
    env.logger.warn(`learn-sft: streams skipped: task source "${env.tasks.name}" cannot join a failed and a correct solution (no \`stream\`)`);
    return none;
  }
  const lead = o.greedyStreams ? await greedyFailures(env, groups) : undefined;
  if (lead) env.logger.info(`learn-sft: greedy decoding fails ${lead.size} of the solved prompts; their streams start from it`);
  return { examples: streamExamples(groups, o.streams, stream, fitsContext(policy), lead), greedyFailures: lead?.size ?? 0 };
}

async function replaySet(env: LearnEnv, n: number): Promise<SftExample[]> {
  if (n <= 0) return [];
  const tasks = await drawTasks(env.tasks, env.trainSplit, n, env.rng.fork('replay'), n * 4);
  return tasks.filter((t) => typeof t.solution === 'string' && t.solution.length > 0).map((t) => example(t.prompt, t.solution!, 1, 'replay'));
}

export function createSftLearner(options: Partial<SftOptions> = {}): Learner {
  const o: SftOptions = { ...sftDefaults, ...options };
  const name = 'learn-sft';
  return {
    name,
    async learn(env: LearnEnv): Promise<LearnReport> {
      const policy = requireTrainable(env.policy, name);
      const t0 = Date.now();
      const { groups } = await learnGroups(env, o.tasks, name);
      const stats = groupStats(groups);
      const searched = starExamples(groups, o);
      const rationalized = await rationalise(env, groups, o);
      const { examples: streamed, greedyFailures: greedyFailed } = await streamSet(env, policy, groups, o);
      if (searched.length + rationalized.length === 0) {
        throw nothingToLearn(name, o.filter === 'correct'
          ? `none of the ${stats.candidates} candidates of ${stats.prompts} prompts is correct`
          : `the ${stats.prompts} prompts have no candidates`,
        'search harder (more samples, a tree search) or on easier tasks, turn on `rationalize` where the task has gold answers, or use filter: "all"');
      }
      const replay = await replaySet(env, Math.round(o.replay * (searched.length + rationalized.length + streamed.length)));
      // Examples the policy's context cannot hold would fail their batch (streams are already filtered).
      const fits = fitsContext(policy);
      const all = [...searched, ...rationalized, ...streamed, ...replay];
      const items = all.filter((x) => fits(x.prompt, x.completion));
      if (items.length < all.length) env.logger.warn(`${name}: ${all.length - items.length} of ${all.length} examples do not fit the policy's context and are dropped`);
      if (items.length === 0) throw nothingToLearn(name, `none of the ${all.length} examples fits the policy's context (${policy.contextLength} tokens)`, 'use a policy with a longer context, or shorter solutions');
      env.logger.info(`${name}: ${searched.length} searched + ${rationalized.length} rationalised + ${streamed.length} streams + ${replay.length} replayed examples from ${stats.prompts} prompts (${stats.solved} solved)`);
      const loop = await trainLoop({ ...env, policy }, {
        items, batchSize: o.batchSize, epochs: o.epochs, maxSteps: o.maxSteps, rng: env.rng.fork('batches'),
        optimizer: { lr: o.lr, schedule: o.schedule, warmup: o.warmup },
        build: async (rows) => ({
          batch: { sequences: rows.map((r) => ({ prompt: r.prompt, completion: r.completion, eos: r.eos !== false })) },
          objective: { kind: 'nll', weights: rows.map((r) => r.weight) },
        }),
      });
      // A failed first step still ends in RSN_ERR_TRAIN (with the unchanged weights saved), not a silent 0-step success.
      const saved = loop.steps > 0 || loop.error ? await saveOrFail(policy, path.join(env.outDir, 'checkpoint'), loop, name) : undefined;
      return {
        checkpoint: saved?.dir,
        steps: loop.steps,
        tokens: loop.tokens,
        wallMs: Date.now() - t0,
        metrics: {
          ...loop.metrics, examples: items.length, searched: searched.length, rationalized: rationalized.length, streams: streamed.length, greedyFailures: greedyFailed, replayed: replay.length,
          prompts: stats.prompts, solvedPrompts: stats.solved, candidates: stats.candidates, correctCandidates: stats.correct, trainMs: loop.trainMs,
        },
      };
    },
  };
}

export default definePlugin<SftOptions, 'learn'>({
  name: 'learn-sft',
  kind: 'learn',
  apiVersion: 1,
  description: 'SFT / rejection sampling / STaR on grader-correct search candidates, with rationalisation and replay',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      filter: { enum: ['correct', 'all'], default: sftDefaults.filter },
      perPrompt: { type: 'integer', minimum: 1, default: sftDefaults.perPrompt },
      weightByReward: { type: 'boolean', default: sftDefaults.weightByReward },
      rationalize: { type: 'boolean', default: sftDefaults.rationalize },
      hintTemplate: { type: 'string', default: sftDefaults.hintTemplate },
      streams: { type: 'integer', minimum: 0, default: sftDefaults.streams, description: 'Stream-of-Search examples per prompt: a failed candidate, a backtrack, a correct one (tasks with `stream`)' },
      greedyStreams: { type: 'boolean', default: sftDefaults.greedyStreams, description: 'lead each prompt\'s streams with the policy\'s failed greedy answer (decoded before training)' },
      replay: { type: 'number', minimum: 0, maximum: 10, default: sftDefaults.replay },
      ...loopOptionsSchema(sftDefaults),
    },
  },
  setup: (_ctx, options) => createSftLearner(options),
});

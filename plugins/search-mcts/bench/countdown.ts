/**
 * Accuracy at equal compute on held-out Countdown problems, with the shipped tiny policy:
 * best-of-16 (selected by the checker) first, then MCTS with a per-task token budget equal to
 * what best-of-16 spent per task (prompt + completion tokens, as the kernel's budget counts them).
 * Policy and reward go through core's instrumentation (hooks, budget reservation), as in a run.
 *
 *   node --import tsx plugins/search-mcts/bench/countdown.ts [--limit 200] [--seed 11] [--split test]
 *        [--budget <tokens>] [--opts '{"batch":16}'] [--skip-bon] [--bon-n 16]
 * Prints one JSON object.
 */
import { Budget, createHooks, createRng, instrumentPolicy, instrumentReward, lineSteps, verifierReward, type Policy, type Search, type SearchEnv, type Task, type TaskSource } from '@reasoner/core';
import { createPolicyFromTinyCheckpoint } from '@reasoner/plugin-policy-onnx';
import { DEFAULT_CHECKPOINT } from '@reasoner/plugin-policy-tiny';
import { countdownSource } from '@reasoner/plugin-task-countdown';
import bonPlugin from '@reasoner/plugin-search-bon';
import mctsPlugin from '../src/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const LIMIT = Number(arg('limit', '200'));
const SEED = Number(arg('seed', '11'));
const SPLIT = arg('split', 'test') as 'test' | 'validation';
const CONCURRENCY = Number(arg('concurrency', '16'));
const OPTS = JSON.parse(arg('opts', '{}')) as Record<string, unknown>;
const BON_N = Number(arg('bon-n', '16'));

async function setupSearch(def: typeof bonPlugin | typeof mctsPlugin, options: Record<string, unknown>): Promise<Search> {
  const ctx = { hooks: createHooks(), logger: undefined as never, configDir: process.cwd(), rng: createRng(0), onClose() {}, service: () => undefined };
  return (await (def.definition.setup as (c: unknown, o: unknown) => Promise<Search> | Search)(ctx, options));
}

interface Outcome { correct: number; tasks: number; tokens: number; maxOver: number; ms: number; errors: number; stats: Record<string, number> }

async function runAll(search: Search, source: TaskSource, tasks: Task[], policy: Policy, perTask: number | undefined): Promise<Outcome> {
  const reward = verifierReward(source);
  const hooks = createHooks();
  const t0 = Date.now();
  let correct = 0, tokens = 0, maxOver = -Infinity, errors = 0;
  const stats: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      const budget = new Budget(perTask === undefined ? {} : { tokens: perTask });
      const rng = createRng(SEED).fork(task.id);
      const ictx = { hooks, task, budget, rng, signal: new AbortController().signal };
      const env: SearchEnv = {
        task, hooks, rng, budget, signal: ictx.signal, steps: source.stepFormat ?? lineSteps,
        policy: instrumentPolicy(policy, ictx), reward: instrumentReward(reward, ictx),
      };
      try {
        const r = await search.search(env);
        const v = await source.verify!(task, r.best.text); // graded by the checker
        if (v.correct) correct++;
        for (const [k, x] of Object.entries(r.stats)) stats[k] = (stats[k] ?? 0) + x;
      } catch (e) {
        errors++;
        if (errors < 3) console.error(String((e as Error)?.message ?? e));
      }
      tokens += budget.tokens;
      if (perTask !== undefined) maxOver = Math.max(maxOver, budget.tokens - perTask);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  for (const k of Object.keys(stats)) stats[k] = +(stats[k]! / tasks.length).toFixed(3);
  return { correct: correct / tasks.length, tasks: tasks.length, tokens: tokens / tasks.length, maxOver, ms: Date.now() - t0, errors, stats };
}

const source = countdownSource({ seed: SEED });
const tasks: Task[] = [];
for await (const t of source.tasks({ split: SPLIT, limit: LIMIT })) tasks.push(t);
const policy = await createPolicyFromTinyCheckpoint(DEFAULT_CHECKPOINT, { seed: SEED });
const out: Record<string, unknown> = { seed: SEED, split: SPLIT, tasks: tasks.length };
let budgetTokens = Number(arg('budget', 'NaN'));
if (!process.argv.includes('--skip-bon')) {
  const bon = await runAll(await setupSearch(bonPlugin, { n: BON_N, select: 'reward', temperature: 0.8 }), source, tasks, policy, undefined);
  out.bon16 = bon;
  if (!Number.isFinite(budgetTokens)) budgetTokens = Math.round(bon.tokens);
  const greedy = await runAll(await setupSearch(bonPlugin, { n: 1, select: 'first', temperature: 0 }), source, tasks, policy, undefined);
  out.greedy = greedy;
}
if (!Number.isFinite(budgetTokens)) budgetTokens = 630;
out.budgetPerTask = budgetTokens;
out.mcts = await runAll(await setupSearch(mctsPlugin, OPTS), source, tasks, policy, budgetTokens);
out.mctsOptions = OPTS;
await policy.close?.();
process.stdout.write(JSON.stringify(out, null, 2) + '\n');

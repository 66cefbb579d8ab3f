/**
 * `reasoner iterate --rounds k`: search → learn → eval, k times (expert iteration / STaR rounds,
 * or rounds of online RL). Fresh training tasks each round; evaluation on a fixed held-out split
 * (greedy pass@1 and pass@k), plus sample diversity and KL to the start policy. Everything a
 * round makes lives under runs/<id>/round-<r>/; iterate.json says which rounds are done, so a
 * stopped run resumes at the first unfinished round from the last round's checkpoint.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ioError, ReasonerError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ScoringPolicy, TrainablePolicy } from '../types/learn.js';
import type { TrajectoryRecord } from '../types/records.js';
import type { Task, TaskSplit } from '../types/task.js';
import { Budget } from './budget.js';
import { evaluate, type EvalReport } from './eval.js';
import { createLearnEnv, requireLearner, requireTrainablePolicy, writeJsonAtomic } from './learn.js';
import { RunStore } from './run-store.js';
import { runGrader, runReward } from './run.js';

export interface IterateOptions {
  rounds: number;
  runId?: string;
  /** Resume this iterate run (its folder name under run.out). */
  resume?: string;
  /** Training tasks searched per round (fresh ones each round). */
  tasksPerRound?: number;
  /** Held-out split and size of the evaluation (fixed across rounds). */
  evalSplit?: TaskSplit;
  evalLimit?: number;
  k?: number;
  temperature?: number;
  /** Prompts × samples of the diversity / KL probe. */
  probePrompts?: number;
  probeSamples?: number;
  signal?: AbortSignal;
  onEvent?: (e: IterateEvent) => void;
}

export type IterateEvent =
  | { phase: 'start'; runId: string; dir: string; resumedRounds: number; rounds: number }
  | { phase: 'search' | 'eval'; round: number; done: number; total: number }
  | { phase: 'learn'; round: number; step: number; loss: number }
  | { phase: 'round'; round: RoundResult }
  | { phase: 'baseline'; eval: RoundEval };

export interface RoundEval {
  greedy: number;
  passAtK: number;
  majAtK: number;
  k: number;
  n: number;
  /** Distinct samples / samples, mean over probe prompts (1 = every sample differs). */
  diversity: number;
  /** Mean per-token KL(π ‖ π_start) on samples of π (k1 estimator), over the probe. */
  klToStart: number;
  tokens: number;
  wallMs: number;
  /** Greedy pass@1 and pass@k per difficulty level (tasks with `meta.level`; see EvalReport). */
  byLevel?: EvalReport['byLevel'];
}

export interface RoundResult extends RoundEval {
  round: number;
  /** Search + training tokens of the round (evaluation not counted). */
  tokens: number;
  searchTokens: number;
  trainTokens: number;
  /** Share of the round's training tasks the search solved (grader); null for an online learner (no search). */
  searchAccuracy: number | null;
  wallMs: number;
  checkpoint: string | null;
  policyId: string;
  learn: { steps: number; metrics: Record<string, number> };
}

export interface IterateState {
  runId: string;
  learner: string;
  startPolicyId: string;
  options: { tasksPerRound: number; evalSplit: TaskSplit; evalLimit: number; k: number; temperature: number };
  start: RoundEval | null;
  rounds: RoundResult[];
}

export interface IterateResult {
  dir: string;
  state: IterateState;
  /** The last round's checkpoint (loadable by the policy's `checkpoint` option). */
  checkpoint: string | null;
}

export const ITERATE_DEFAULTS = { tasksPerRound: 1024, evalSplit: 'test' as TaskSplit, evalLimit: 200, k: 16, temperature: 0.8, probePrompts: 32, probeSamples: 8 };

/** Training tasks of round r: the r-th slice of the train split (stable across resumes). */
async function roundTasks(kernel: Kernel, split: TaskSplit, round: number, n: number): Promise<Task[]> {
  const out: Task[] = [];
  let i = 0;
  for await (const t of kernel.require('task').tasks({ split, limit: round * n })) {
    if (i++ >= (round - 1) * n) out.push(t);
  }
  return out;
}

/**
 * A round's records as the learner gets them, whatever the path (searched now, resumed, read
 * back): the latest line per task (a resume appends re-searched tasks after their failed first
 * try), only the round's tasks when `ids` is given, in taskId order — the file holds them in
 * finishing order, and the learner's seeded shuffle must see the same list every time.
 */
function roundRecords(records: readonly TrajectoryRecord[], ids?: ReadonlySet<string>): TrajectoryRecord[] {
  const latest = new Map<string, TrajectoryRecord>();
  for (const r of records) if (!ids || ids.has(r.taskId)) latest.set(r.taskId, r);
  return [...latest.values()].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}

/** Diversity of samples and KL to the start policy, on the first `prompts` eval tasks. */
async function probe(policy: TrainablePolicy, start: ScoringPolicy, tasks: Task[], samples: number, seed: number, signal: AbortSignal): Promise<{ diversity: number; klToStart: number }> {
  let div = 0, klSum = 0, klTokens = 0, seen = 0;
  for (const [i, t] of tasks.entries()) {
    if (signal.aborted) break;
    // The same seed per prompt in every round, so rounds are compared on matched samples.
    const res = await policy.generate({ prompt: t.prompt, n: samples, temperature: 1, seed: seed + i });
    seen++;
    const texts = res.completions.map((c) => c.text);
    div += new Set(texts).size / Math.max(1, texts.length);
    const batch = { sequences: res.completions.map((c) => ({ prompt: t.prompt, completion: c.text, eos: c.finishReason === 'eos' })) };
    const [now, ref] = await Promise.all([policy.sequenceLogprobs(batch, signal), start.sequenceLogprobs(batch, signal)]);
    now.forEach((s, i) => { klSum += s.sum - ref[i]!.sum; klTokens += s.tokens; });
  }
  return { diversity: seen ? div / seen : 0, klToStart: klTokens ? klSum / klTokens : 0 };
}

export async function iteratePipeline(kernel: Kernel, o: IterateOptions): Promise<IterateResult> {
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new ReasonerError('RSN_ERR_USAGE', `--rounds must be a positive integer (got ${o.rounds})`);
  const learner = requireLearner(kernel);
  const policy = requireTrainablePolicy(kernel, learner.name);
  const tasks = kernel.require('task');
  const reward = runReward(kernel);
  const grader = runGrader(kernel);
  const signal = o.signal ?? new AbortController().signal;
  const outDir = path.resolve(kernel.dir, kernel.config.run.out);
  const runId = o.resume ?? o.runId ?? `iterate-${RunStore.newRunId()}`;
  const dir = path.join(outDir, runId);
  const stateFile = path.join(dir, 'iterate.json');
  const seed = kernel.config.run.seed;

  let state: IterateState;
  let releaseLock: (() => Promise<void>) | undefined;
  // The start policy, frozen before any checkpoint is loaded: KL is measured against it.
  const start = await policy.reference();
  try {
    if (o.resume) {
      if (!existsSync(stateFile)) throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `no iterate run "${o.resume}" in ${outDir}`, { hint: `list runs with \`ls ${outDir}\`; pass the folder name to --resume` });
      state = JSON.parse(await readFile(stateFile, 'utf8')) as IterateState;
      if (state.startPolicyId !== policy.id) {
        throw new ReasonerError('RSN_ERR_CHECKPOINT', `iterate run ${runId} started from policy ${state.startPolicyId}, but the config's policy is ${policy.id}`, {
          hint: 'resume with the config (policy checkpoint) the run started with, or start a new iterate run',
        });
      }
      const last = [...state.rounds].reverse().find((r) => r.checkpoint);
      if (last?.checkpoint) {
        try {
          await policy.load(last.checkpoint);
        } catch (e) {
          throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot load round ${last.round}'s checkpoint ${last.checkpoint}: ${(e as Error).message}`, { hint: 'the checkpoint does not match this policy (other model or format); start a new iterate run' }, { cause: e });
        }
      }
    } else {
      if (existsSync(dir)) throw new ReasonerError('RSN_ERR_USAGE', `run ${runId} already exists in ${outDir}`, { hint: `resume it with --resume ${runId}, or choose another --run-id` });
      await mkdir(dir, { recursive: true });
      state = {
        runId, learner: learner.name, startPolicyId: policy.id, start: null, rounds: [],
        options: {
          tasksPerRound: o.tasksPerRound ?? ITERATE_DEFAULTS.tasksPerRound, evalSplit: o.evalSplit ?? ITERATE_DEFAULTS.evalSplit,
          evalLimit: o.evalLimit ?? ITERATE_DEFAULTS.evalLimit, k: o.k ?? ITERATE_DEFAULTS.k, temperature: o.temperature ?? ITERATE_DEFAULTS.temperature,
        },
      };
      await writeJsonAtomic(stateFile, state);
    }
    // One iterate process per run: a second `--resume` of a live run would learn into the same rounds.
    releaseLock = await RunStore.lock(dir, runId);
    const opt = state.options;
    // The held-out split must stay held out: training tasks come from the train split.
    if (opt.evalSplit === 'train') throw new ReasonerError('RSN_ERR_USAGE', 'iterate evaluates on a held-out split, and "train" is where each round\'s training tasks come from', { hint: '--eval-split test (or validation)' });
    // One read of the eval split: its ids (to refuse overlapping training tasks) and the probe's prompts.
    const probePrompts = o.probePrompts ?? ITERATE_DEFAULTS.probePrompts;
    const heldOut: Task[] = [];
    for await (const t of tasks.tasks({ split: opt.evalSplit, limit: Math.max(opt.evalLimit, probePrompts), signal })) heldOut.push(t);
    const evalIds = new Set(heldOut.slice(0, opt.evalLimit).map((t) => t.id));
    const evalTasks = heldOut.slice(0, probePrompts);
    o.onEvent?.({ phase: 'start', runId, dir, resumedRounds: state.rounds.length, rounds: o.rounds });

    // An evaluation cut short by a stop is not a measurement: callers store nothing (undefined).
    const evalRound = async (round: number): Promise<RoundEval | undefined> => {
      const t0 = Date.now();
      const rep: EvalReport = await evaluate({ tasks, policy, reward, grader, hooks: kernel.hooks }, {
        split: opt.evalSplit, limit: opt.evalLimit, k: opt.k, samples: opt.k, temperature: opt.temperature, concurrency: 8, seed, signal,
        onProgress: (done, total) => o.onEvent?.({ phase: 'eval', round, done, total: total ?? opt.evalLimit }),
      });
      if (signal.aborted) return undefined;
      const pr = await probe(policy, start, evalTasks, o.probeSamples ?? ITERATE_DEFAULTS.probeSamples, seed, signal);
      if (signal.aborted) return undefined;
      await kernel.hooks.evalResult.promise({ task: tasks.name, split: opt.evalSplit, n: rep.n, metrics: { greedy: rep.accuracy, passAtK: rep.passAtK, majAtK: rep.majAtK, round, ...pr } });
      return { greedy: rep.accuracy, passAtK: rep.passAtK, majAtK: rep.majAtK, k: rep.k, n: rep.n, ...pr, tokens: rep.tokens, wallMs: Date.now() - t0, ...(rep.byLevel ? { byLevel: rep.byLevel } : {}) };
    };

    if (!state.start) {
      const ev0 = await evalRound(0);
      if (!ev0) return { dir, state, checkpoint: null };
      state.start = ev0;
      await writeJsonAtomic(stateFile, state);
    }
    o.onEvent?.({ phase: 'baseline', eval: state.start });

    const budget = new Budget(kernel.config.run.budget?.perRun ?? {});
    /** Round r's search, appended to round-r/trajectories.jsonl as records finish; undefined if stopped. */
    const searchRound = async (round: number, rdir: string): Promise<TrajectoryRecord[] | undefined> => {
      const roundId = `round-${round}`;
      const { store, records: kept } = existsSync(rdir) ? await RunStore.resume(dir, roundId) : { store: await RunStore.create(dir, roundId), records: [] as TrajectoryRecord[] };
      try {
        const writes: Promise<void>[] = [];
        let writeError: unknown;
        // Progress counts the records kept from before a stop (known once the round's tasks are read).
        let kept0 = 0, total = 0;
        const env0 = createLearnEnv(kernel, policy, {
          outDir: rdir, signal, seedLabel: `round:${round}`, budget, logRollouts: false,
          progress: { onRecord: (r, n) => { writes.push(store.append(r).catch((e: unknown) => { writeError ??= e; })); o.onEvent?.({ phase: 'search', round, done: kept0 + n, total }); } },
        });
        const all = await roundTasks(kernel, env0.trainSplit, round, opt.tasksPerRound);
        if (all.length === 0) throw new ReasonerError('RSN_ERR_DATASET', `task source "${tasks.name}" has no ${env0.trainSplit} tasks left for round ${round}`, { hint: 'lower --tasks-per-round, or use a task source with a larger training split' });
        const leaked = all.filter((t) => evalIds.has(t.id));
        if (leaked.length) throw new ReasonerError('RSN_ERR_DATASET', `${leaked.length} of round ${round}'s training tasks are also evaluation tasks (e.g. ${leaked[0]!.id}): the ${env0.trainSplit} and ${opt.evalSplit} splits of "${tasks.name}" overlap`, { hint: 'give the task source disjoint train and test data (task-jsonl: one file per split)' });
        // Tasks whose search failed (e.g. the budget ran out mid-task) are searched again.
        const ids = new Set(all.map((t) => t.id));
        const done = new Set(roundRecords(kept, ids).filter((r) => !r.error).map((r) => r.taskId));
        const todo = all.filter((t) => !done.has(t.id));
        kept0 = all.length - todo.length;
        total = all.length;
        const fresh = await env0.rollout(todo);
        await Promise.all(writes);
        if (writeError) throw ioError(writeError, store.trajectoriesFile, `cannot append to ${store.trajectoriesFile}`, 'free disk space or fix the folder\'s permissions, then resume');
        if (signal.aborted) return undefined;
        const records = roundRecords([...kept, ...fresh], ids);
        // A search the run budget cut short is not this round's data: stop before it is marked done.
        const cut = fresh.length < todo.length || fresh.some((r) => r.error?.code === 'RSN_ERR_BUDGET_EXHAUSTED');
        if (budget.exhausted() && cut) {
          throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `round ${round}: the run budget ran out after ${records.filter((r) => !r.error).length} of ${all.length} searched tasks`, {
            hint: `raise run.budget.perRun, or lower --tasks-per-round; then resume with --resume ${runId} (the searched tasks are kept)`,
          });
        }
        await writeFile(path.join(rdir, 'search.done'), String(records.length));
        return records;
      } finally {
        await store.close();
      }
    };
    for (let round = state.rounds.length + 1; round <= o.rounds; round++) {
      if (signal.aborted) break;
      const t0 = Date.now();
      const rdir = path.join(dir, `round-${round}`);
      // 1. search fresh training tasks with the current policy. Records are appended as they
      // finish, so a stop mid-search keeps them and the resume searches only the rest; a round
      // whose search finished (search.done) reuses it as is. Online learners sample for
      // themselves: no search for them.
      let records: TrajectoryRecord[] = [];
      if (learner.online) {
        await mkdir(rdir, { recursive: true });
      } else if (existsSync(path.join(rdir, 'search.done'))) {
        records = roundRecords(await RunStore.read(rdir));
      } else {
        const searched = await searchRound(round, rdir);
        if (!searched) break;
        records = searched;
      }
      const searchTokens = records.reduce((a, r) => a + r.usage.promptTokens + r.usage.completionTokens, 0);
      const searchAccuracy = learner.online ? null : records.length ? records.filter((r) => r.correct).length / records.length : 0;
      // 2. learn on them
      const env = createLearnEnv(kernel, policy, {
        outDir: rdir, records, signal, seedLabel: `round:${round}`, budget,
        onLearnStep: (s) => o.onEvent?.({ phase: 'learn', round, step: s.step, loss: s.loss }),
      });
      const report = await learner.learn(env);
      await writeJsonAtomic(path.join(rdir, 'learn.json'), { learner: learner.name, ...report });
      if (signal.aborted) break;
      // 3. evaluate on the fixed held-out split
      const ev = await evalRound(round);
      if (!ev) break;
      const result: RoundResult = {
        round, ...ev, tokens: searchTokens + (report.tokens ?? 0), searchTokens, trainTokens: report.tokens ?? 0, searchAccuracy,
        wallMs: Date.now() - t0, checkpoint: report.checkpoint ?? null, policyId: policy.id, learn: { steps: report.steps, metrics: report.metrics },
      };
      await writeJsonAtomic(path.join(rdir, 'metrics.json'), result);
      state.rounds.push(result);
      await writeJsonAtomic(stateFile, state);
      o.onEvent?.({ phase: 'round', round: result });
    }
  } finally {
    await releaseLock?.();
    await start.close?.();
  }
  const last = [...state.rounds].reverse().find((r) => r.checkpoint);
  return { dir, state, checkpoint: last?.checkpoint ?? null };
}

/**
 * `reasoner learn`: one learner on a run's records, a JSONL data set, or online, through the
 * kernel's services. Builds the LearnEnv every learner gets.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReasonerError } from '../errors.js';
import { stepFormatOf } from '../kernel/instrument.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Hooks, LearnEpochInfo, LearnStepInfo } from '../types/hooks.js';
import { requireTrainable } from '../policy/trainable.js';
import type { DatasetRecord, LearnEnv, LearnReport, Learner, TrainablePolicy } from '../types/learn.js';
import type { TrajectoryRecord } from '../types/records.js';
import type { Search } from '../types/search.js';
import type { TaskSplit } from '../types/task.js';
import { readJsonl } from '../util/jsonl.js';
import { createRng } from '../util/rng.js';
import { Budget } from './budget.js';
import { rollout, type RolloutProgress } from './rollout.js';
import { RunStore } from './run-store.js';
import { checkOracle, runGrader, runReward } from './run.js';

export interface LearnEnvOptions {
  outDir: string;
  records?: readonly TrajectoryRecord[];
  dataset?: readonly DatasetRecord[];
  signal: AbortSignal;
  trainSplit?: TaskSplit;
  /** Seed label: rounds of `iterate` fork their own streams. */
  seedLabel?: string;
  budget?: Budget;
  progress?: RolloutProgress;
  /** Told of every learn step after the kernel's learnStep hook (progress; hooks are frozen, so not a tap). */
  onLearnStep?: (info: LearnStepInfo) => void;
  /**
   * Append every record the learner's `rollout` makes (online samples, greedy decodes,
   * rationalisations) to `<outDir>/rollouts.jsonl` as it finishes (default true): the failures
   * are kept, one line per record in the schema of a run's trajectories.jsonl. `iterate` turns it off for its round
   * search, which has a run store of its own.
   */
  logRollouts?: boolean;
}

/** A search that explains itself when a learner needs one and the config has none. */
const missingSearch = (kernel: Kernel): Search => ({
  name: 'none',
  async search() {
    throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'this learner searches online, and no search is configured', { file: kernel.file, pointer: '/search', hint: 'add a search plugin, e.g. search: bon({ n: 16, select: "reward" })' });
  },
});

/** The learner of the config, or a clear error. */
export function requireLearner(kernel: Kernel): Learner {
  const l = kernel.service('learn');
  if (!l) throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'no learner configured', { file: kernel.file, pointer: '/learn', hint: 'add a learner, e.g. learn: "@reasoner/plugin-learn-sft" (or learn-dpo, learn-ppo)' });
  return l;
}

/** The policy as a TrainablePolicy, or RSN_ERR_NOT_TRAINABLE pointing to `data export`. */
export function requireTrainablePolicy(kernel: Kernel, learner: string): TrainablePolicy {
  return requireTrainable(kernel.require('policy'), learner);
}

/** Every learn step and epoch of a learner, one JSON line each (TRL's log_history, as a file you can tail). */
export const LEARN_LOG = 'log.jsonl';
/** Every record a learner's own rollouts made, one trajectory record per line. */
export const ROLLOUT_LOG = 'rollouts.jsonl';

/**
 * Appends JSON lines to `file` (folder made on first use, `first` written before the first line).
 * A file that cannot be written is one warning, then silence: what is
 * logged never fails the training it describes.
 */
function jsonlAppender(file: string, logger: Kernel['logger'], consequence: string, first?: () => object): (line: object) => Promise<void> {
  let ready: Promise<unknown> | undefined, failed = false;
  return async (line) => {
    if (failed) return;
    try {
      ready ??= mkdir(path.dirname(file), { recursive: true }).then(() => first && appendFile(file, JSON.stringify(first()) + '\n'));
      await ready;
      await appendFile(file, JSON.stringify(line) + '\n');
    } catch (e) {
      failed = true;
      logger.warn(`cannot write ${file} (${(e as Error).message}); ${consequence}`);
    }
  };
}

/**
 * The kernel's hooks, with `learnStep` / `learnEpoch` also appended to `<outDir>/log.jsonl` and
 * `learnStep` told to `onStep` (progress). Kernel hooks are frozen once set up, so this wraps
 * rather than taps: a Proxy that answers `promise` (what learners call) and forwards everything
 * else to the kernel's hook. A log that cannot be written is a warning, never a failed training.
 */
function withLearnLog(hooks: Hooks, outDir: string, logger: Kernel['logger'], onStep?: (info: LearnStepInfo) => void): Hooks {
  // A new env starts a new section: a resumed round or a reused --out appends after a start line.
  const stamped = (line: object) => ({ ...line, time: new Date().toISOString() });
  const append = jsonlAppender(path.join(outDir, LEARN_LOG), logger, 'training goes on without the step log', () => stamped({ type: 'start' }));
  const write = (line: object) => append(stamped(line));
  const wrap = <H extends Hooks['learnStep'] | Hooks['learnEpoch']>(hook: H, after: (info: Parameters<H['promise']>[0]) => Promise<void>): H =>
    new Proxy(hook, {
      get(target, prop, receiver) {
        if (prop === 'promise') return async (info: Parameters<H['promise']>[0]) => { await target.promise(info as never); await after(info); };
        return Reflect.get(target, prop, receiver);
      },
    });
  return {
    ...hooks,
    learnStep: wrap(hooks.learnStep, async (info) => { await write({ type: 'step', ...info }); onStep?.(info); }),
    learnEpoch: wrap(hooks.learnEpoch, (info) => write({ type: 'epoch', ...info })),
  };
}

/** The LearnEnv of a kernel: services, run budget, seeded RNG, the rollout helper. */
export function createLearnEnv(kernel: Kernel, policy: TrainablePolicy, o: LearnEnvOptions): LearnEnv {
  const tasks = kernel.require('task');
  const reward = runReward(kernel);
  const grader = runGrader(kernel);
  const search = kernel.service('search') ?? missingSearch(kernel);
  const oracle = kernel.service('search') ? checkOracle(kernel, reward, search.usesReward !== false) : false;
  const run = kernel.config.run;
  const budget = o.budget ?? new Budget(run.budget?.perRun ?? {});
  const rng = createRng(run.seed).fork(o.seedLabel ?? 'learn');
  const services = {
    policy, reward, grader, search, hooks: kernel.hooks, budget, perTask: run.budget?.perTask, rng: rng.fork('rollout'), signal: o.signal,
    steps: stepFormatOf(tasks), concurrency: run.concurrency, keepCandidates: run.keep?.candidates ?? 64, oracle,
  };
  return {
    tasks, trainSplit: o.trainSplit ?? 'train', policy, reward,
    grader: grader ?? { grade: async (task, solution, signal) => { const r = await reward.score(task, solution, signal); return { correct: r.correct === true, answer: r.answer }; } },
    search, hooks: withLearnLog(kernel.hooks, o.outDir, kernel.logger, o.onLearnStep), budget, rng, signal: o.signal, logger: kernel.logger, outDir: o.outDir,
    ...(o.records ? { records: o.records } : {}),
    ...(o.dataset ? { dataset: o.dataset } : {}),
    rollout: o.logRollouts === false
      ? (t, opts) => rollout(services, t, { ...o.progress, ...opts })
      : loggedRollout(services, path.join(o.outDir, ROLLOUT_LOG), kernel.logger, o.progress),
  };
}

/** `rollout` with each record appended to `file` as it finishes (a stop mid-rollout keeps what is done). */
function loggedRollout(services: Parameters<typeof rollout>[0], file: string, logger: Kernel['logger'], progress?: RolloutProgress): LearnEnv['rollout'] {
  const append = jsonlAppender(file, logger, 'the learner goes on without keeping its rollouts');
  return async (tasks, opts) => {
    const writes: Promise<void>[] = [];
    try {
      return await rollout(services, tasks, {
        ...progress, ...opts,
        onRecord: (r, done, total) => { writes.push(append(r)); progress?.onRecord?.(r, done, total); },
      });
    } finally {
      await Promise.all(writes);
    }
  };
}

/** Writes JSON atomically (tmp + rename). */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file + '.tmp', JSON.stringify(value, null, 2) + '\n');
  await rename(file + '.tmp', file);
}

/** Reads dataset records from a JSONL file ({prompt, solution, reward, …} per line). */
export async function readDataset(file: string): Promise<DatasetRecord[]> {
  if (!existsSync(file)) throw new ReasonerError('RSN_ERR_DATASET', `no such data file: ${file}`, { hint: 'pass a JSONL file of {prompt, solution, reward} lines (e.g. from `reasoner data export`)' });
  const out: DatasetRecord[] = [];
  for await (const line of readJsonl<Partial<DatasetRecord>>(file)) {
    const r = line.value;
    if (typeof r?.prompt !== 'string' || typeof r.solution !== 'string') {
      throw new ReasonerError('RSN_ERR_DATASET', `${file}:${line.line} is not a dataset record (needs "prompt" and "solution" strings)`, { file, hint: 'each line: {"prompt": "...", "solution": "...", "reward": 1}' });
    }
    out.push({ ...r, prompt: r.prompt, solution: r.solution, reward: typeof r.reward === 'number' ? r.reward : 0 } as DatasetRecord);
  }
  return out;
}

export interface LearnOptions {
  /** A run folder whose records to learn from. */
  run?: string;
  /** A JSONL data set to learn from. */
  data?: string;
  /** Where the checkpoint and learn.json go (default: <run.out>/learn-<stamp>). */
  out?: string;
  signal?: AbortSignal;
  progress?: RolloutProgress;
  onLearnStep?: (info: LearnStepInfo) => void;
}

export interface LearnResult {
  report: LearnReport;
  dir: string;
  learner: string;
  policyBefore: string;
}

/** Runs the configured learner once. */
export async function learnPipeline(kernel: Kernel, o: LearnOptions = {}): Promise<LearnResult> {
  const learner = requireLearner(kernel);
  const policy = requireTrainablePolicy(kernel, learner.name);
  if (o.run && o.data) throw new ReasonerError('RSN_ERR_USAGE', 'pass either --run or --data, not both');
  const records = o.run ? await RunStore.read(path.resolve(o.run)) : undefined;
  const dataset = o.data ? await readDataset(path.resolve(o.data)) : undefined;
  const dir = path.resolve(o.out ?? path.join(kernel.dir, kernel.config.run.out, `learn-${RunStore.newRunId()}`));
  await mkdir(dir, { recursive: true });
  const signal = o.signal ?? new AbortController().signal;
  const policyBefore = policy.id;
  const env = createLearnEnv(kernel, policy, { outDir: dir, records, dataset, signal, progress: o.progress, onLearnStep: o.onLearnStep });
  const t0 = Date.now();
  const report = await learner.learn(env);
  const result = { learner: learner.name, policyBefore, policyAfter: policy.id, source: o.run ?? o.data ?? 'online', ...report, wallMs: report.wallMs ?? Date.now() - t0 };
  await writeJsonAtomic(path.join(dir, 'learn.json'), result);
  return { report: result, dir, learner: learner.name, policyBefore };
}

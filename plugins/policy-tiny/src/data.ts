import { createHooks, createLogger, createRng, loadJsonl, ReasonerError } from '@reasoner/core';
import type { PluginContext, PluginFactory, Rng, Task, TaskSource, TaskVerdict } from '@reasoner/core';

/** One supervised example: the loss covers `solution` + `<eos>`, never the prompt. */
export interface SftRecord {
  prompt: string;
  solution: string;
}

/** Where training examples come from. */
export interface SftData {
  name: string;
  /** Draws one training example. */
  sample(rng: Rng): SftRecord;
  /** Every character the data can contain (for the vocab). */
  alphabet: string;
  /** Validation problems (clean reference solutions give the validation loss). */
  validation: Array<Task & { solution: string }>;
  /** The task's checker, for validation accuracy (absent for plain JSONL). */
  verify?: (task: Task, text: string) => TaskVerdict | Promise<TaskVerdict>;
}

export const TASK_MODULES: Record<string, string> = {
  countdown: '@reasoner/plugin-task-countdown',
  arith: '@reasoner/plugin-task-arith',
};

function uniqueChars(s: string): string {
  return [...new Set(s.split(''))].sort().join('');
}

function headlessContext(name: string, seed: number): PluginContext {
  const closers: Array<() => unknown> = [];
  return {
    hooks: createHooks(),
    logger: createLogger('warn', name),
    configDir: process.cwd(),
    rng: createRng(seed),
    onClose: (fn) => void closers.push(fn),
    service: () => undefined,
  };
}

async function collect(source: TaskSource, split: 'train' | 'validation' | 'test', limit?: number): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of source.tasks({ split, limit })) out.push(t);
  return out;
}

function withSolutions(tasks: Task[], what: string): Array<Task & { solution: string }> {
  const ok = tasks.filter((t): t is Task & { solution: string } => typeof t.solution === 'string' && t.solution.length > 0);
  if (ok.length === 0) throw new ReasonerError('RSN_ERR_DATASET', `${what} has no tasks with reference solutions to train on`, { hint: 'use a task plugin that generates solutions (countdown, arith) or a JSONL of {prompt, solution}' });
  return ok;
}

export interface TaskDataOptions {
  /** Share of examples with Stream-of-Search style perturbations (task plugins that export `noisySolution`). */
  noise?: number;
  /** Share of perturbations that are unrecovered slips (passed to `noisySolution`; its default when unset). */
  unrecovered?: number;
  /** Options for the task plugin (e.g. countdown `{ sizes: [3, 4], trainSize: 50000 }`). */
  taskOptions?: Record<string, unknown>;
  validationSize?: number;
}

/**
 * Training data from a synthetic task plugin (`countdown`, `arith`, or a module name): the train
 * split's reference solutions, perturbed by the plugin's `noisySolution(task, rng, { noise })`
 * when it has one, so the policy also learns to backtrack (and to err, like its data).
 */
export async function taskData(task: string, opts: TaskDataOptions = {}): Promise<SftData> {
  const spec = TASK_MODULES[task] ?? task;
  let mod: Record<string, unknown> & { default?: PluginFactory<Record<string, unknown>, 'task'> };
  try {
    mod = (await import(spec)) as typeof mod;
  } catch (e) {
    throw new ReasonerError('RSN_ERR_DATASET', `cannot load task plugin ${spec}: ${(e as Error).message}`, { hint: `use --task ${Object.keys(TASK_MODULES).join('|')} or --data file.jsonl` });
  }
  const def = mod.default?.definition;
  if (!def || def.kind !== 'task') throw new ReasonerError('RSN_ERR_DATASET', `${spec} is not a task plugin`, { hint: `use --task ${Object.keys(TASK_MODULES).join('|')}` });
  const source = (await def.setup(headlessContext(def.name, 0), (opts.taskOptions ?? {}) as Record<string, unknown>)) as TaskSource;
  const train = withSolutions(await collect(source, 'train'), `${spec} (train split)`);
  const validation = withSolutions(await collect(source, 'validation', opts.validationSize ?? 200), `${spec} (validation split)`);
  const noisy = typeof mod.noisySolution === 'function' ? (mod.noisySolution as (t: Task, r: Rng, o: { noise: number; unrecovered?: number }) => string) : undefined;
  const noise = opts.noise ?? 0;
  const alphabet = typeof mod[`${task}Alphabet`] === 'string' ? (mod[`${task}Alphabet`] as string) : '';
  return {
    name: task,
    alphabet: uniqueChars(alphabet + [...train, ...validation].map((t) => t.prompt + t.solution).join('')),
    validation,
    verify: source.verify?.bind(source),
    sample(rng) {
      const t = train[rng.int(train.length)]!;
      const solution = noisy && noise > 0 ? noisy(t, rng, { noise, ...(opts.unrecovered !== undefined ? { unrecovered: opts.unrecovered } : {}) }) : t.solution;
      return { prompt: t.prompt, solution };
    },
  };
}

/** Training data from a JSONL file of `{prompt, solution}`; a held-out share is the validation set. */
export async function jsonlData(file: string, opts: { validationSize?: number; seed?: number } = {}): Promise<SftData> {
  const rows = await loadJsonl<SftRecord>(file, (v) => {
    const r = v as Partial<SftRecord>;
    return typeof r?.prompt === 'string' && typeof r?.solution === 'string' ? null : 'expected {"prompt": string, "solution": string}';
  });
  if (rows.length < 2) throw new ReasonerError('RSN_ERR_DATASET', `${file} has ${rows.length} records; need at least 2`, { file });
  const rng = createRng(opts.seed ?? 0);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nVal = Math.min(opts.validationSize ?? 200, Math.floor(rows.length / 10) || 1);
  const val = order.slice(0, nVal).map((i, k) => ({ id: `val:${k}`, prompt: rows[i]!.prompt, solution: rows[i]!.solution }));
  const train = order.slice(nVal).map((i) => rows[i]!);
  return {
    name: file,
    alphabet: uniqueChars(rows.map((r) => r.prompt + r.solution).join('')),
    validation: val,
    sample: (r) => train[r.int(train.length)]!,
  };
}

/**
 * A weighted mixture of data sources; validation and the checker come from the first (main) one.
 * The default recipe mixes in short 2-number countdown drills, which carry arithmetic at a
 * fraction of the tokens of a full problem.
 */
export function mixData(parts: Array<{ data: SftData; weight: number }>): SftData {
  const main = parts[0];
  if (!main) throw new ReasonerError('RSN_ERR_DATASET', 'mixData needs at least one source');
  const total = parts.reduce((a, p) => a + p.weight, 0);
  return {
    name: parts.map((p) => p.data.name).join('+'),
    alphabet: uniqueChars(parts.map((p) => p.data.alphabet).join('')),
    validation: main.data.validation,
    verify: main.data.verify,
    sample(rng) {
      let r = rng.next() * total;
      for (const p of parts) if ((r -= p.weight) < 0) return p.data.sample(rng);
      return parts[parts.length - 1]!.data.sample(rng);
    },
  };
}

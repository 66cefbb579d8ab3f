import { ReasonerError } from '../errors.js';
import type { Task, TaskQuery, TaskSource, TaskSplit, TaskVerdict } from '../types/task.js';
import { createRng, hashString, type Rng } from '../util/rng.js';

/**
 * Split assignment shared by the synthetic task plugins (countdown, arith). A problem's split is
 * a hash of its canonical key, independent of the seed, so any seed draws validation / test
 * problems that can never appear in any seed's training split.
 */
export const SPLIT_PERCENT: Readonly<Record<Exclude<TaskSplit, 'train'>, number>> = { validation: 5, test: 5 };

export function splitOfKey(key: string): TaskSplit {
  // A second FNV pass with a salt spreads the low digits of short keys.
  const bucket = hashString('split:' + key, hashString(key)) % 100;
  if (bucket < SPLIT_PERCENT.test) return 'test';
  if (bucket < SPLIT_PERCENT.test + SPLIT_PERCENT.validation) return 'validation';
  return 'train';
}

export interface SyntheticSpec {
  /** Plugin name, for error messages. */
  name: string;
  seed: number;
  /** Default number of tasks per split (the query's `limit` may lower it). */
  sizes: Readonly<Record<TaskSplit, number>>;
  /** Draws one problem; `key` is its canonical form (same problem ⇒ same key). */
  generate(rng: Rng): { task: Task; key: string };
}

export function splitSize(spec: SyntheticSpec, query: TaskQuery = {}): number {
  const size = spec.sizes[query.split ?? 'train'];
  return query.limit === undefined ? size : Math.max(0, Math.min(size, query.limit));
}

/**
 * Streams distinct problems of one split in a stable order: the seed and split fix an RNG
 * stream, problems of other splits and repeats are skipped (rejection keeps the distribution).
 */
export async function* syntheticTasks(spec: SyntheticSpec, query: TaskQuery = {}): AsyncGenerator<Task> {
  const split = query.split ?? 'train';
  const wanted = splitSize(spec, query);
  const rng = createRng(spec.seed).fork(`${spec.name}:${split}`);
  const seen = new Set<string>();
  const maxAttempts = 10_000 + 200 * wanted;
  let attempts = 0;
  while (seen.size < wanted) {
    if (query.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', `${spec.name}: task generation aborted`);
    if (++attempts > maxAttempts) {
      throw new ReasonerError('RSN_ERR_TASK', `${spec.name}: only ${seen.size} distinct ${split} problems found after ${maxAttempts} draws (wanted ${wanted})`, {
        plugin: spec.name,
        hint: 'the options allow too few distinct problems: widen the number/target ranges or lower the split size',
      });
    }
    const { task, key } = spec.generate(rng);
    if (splitOfKey(key) !== split || seen.has(key)) continue;
    seen.add(key);
    yield task;
  }
}

/** `defaults` overridden by the options that are set (tests may call setup without ajv defaults). */
export function withDefaults<O extends object>(defaults: O, options: Partial<O> = {}): O {
  return { ...defaults, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as O;
}

/** A TaskSource over a synthetic spec and the task's own checker. */
export function syntheticSource(
  name: string,
  spec: SyntheticSpec,
  verify: (task: Task, solution: string) => TaskVerdict,
  verifyPartial: (task: Task, lines: readonly string[]) => TaskVerdict,
): TaskSource {
  return {
    name,
    tasks: (query?: TaskQuery): AsyncIterable<Task> => syntheticTasks(spec, query),
    count: async (query?: TaskQuery) => splitSize(spec, query),
    verify: (task, solution) => verify(task, solution),
    verifyPartial: (task, steps) => verifyPartial(task, steps),
  };
}

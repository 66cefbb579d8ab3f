import { ReasonerError } from '../errors.js';
import type { Reward, RewardResult } from '../types/reward.js';
import type { Task, TaskSource, TaskSplit } from '../types/task.js';
import { readJsonl } from '../util/jsonl.js';
import { forEachConcurrent } from './limit.js';

export interface ScoredLine {
  line: number;
  id: string;
  result: RewardResult | null;
  error?: string;
}

export interface ScoreReport {
  n: number;
  correct: number;
  accuracy: number;
  meanReward: number;
  /** Input lines whose task id the task source does not have (in any split searched). */
  unknownIds: string[];
  /** Ids that appear on more than one line: only their first line is scored. */
  duplicateIds: string[];
  /** Tasks of the splits the ids came from with no line in the input. */
  missing: number;
  /** The splits the scored ids were found in. */
  splits: TaskSplit[];
  errors: number;
  wallMs: number;
}

const ID_KEYS = ['id', 'taskId', 'task_id'];
const TEXT_KEYS = ['solution', 'completion', 'text', 'response', 'output'];
const ALL_SPLITS: TaskSplit[] = ['test', 'validation', 'train'];

function field(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof obj[k] === 'string') return obj[k] as string;
  return undefined;
}

export interface ScoreOptions {
  /** Look ids up only in this split. */
  split?: TaskSplit;
  /** Without `split`: splits to look ids up in, in this order, until every id is found (default test, validation, train). */
  splits?: TaskSplit[];
  concurrency?: number;
  onLine?: (s: ScoredLine) => void;
}

/**
 * Scores a JSONL file of solutions produced anywhere (`{ id|taskId|task_id, solution|completion|… }`)
 * against a task source with a reward. Each id counts once (its first line); ids are looked up in
 * the given split, or in every split until all are found.
 */
export async function scoreFile(file: string, tasks: TaskSource, reward: Reward, o: ScoreOptions = {}): Promise<ScoreReport> {
  const t0 = Date.now();
  const lines: Array<{ id: string; text: string; line: number }> = [];
  const firstLine = new Map<string, number>();
  const duplicateIds = new Set<string>();
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file, (v) => {
    if (typeof v !== 'object' || v === null) return 'must be a JSON object';
    if (!field(v as Record<string, unknown>, ID_KEYS)) return `needs a task id (one of ${ID_KEYS.join(', ')})`;
    if (field(v as Record<string, unknown>, TEXT_KEYS) === undefined) return `needs the solution text (one of ${TEXT_KEYS.join(', ')})`;
    return null;
  })) {
    const id = field(value, ID_KEYS)!;
    if (firstLine.has(id)) {
      duplicateIds.add(id);
      continue;
    }
    firstLine.set(id, line);
    lines.push({ id, text: field(value, TEXT_KEYS)!, line });
  }

  // Find each id's task: the given split, else split after split until none is left unknown.
  const byId = new Map<string, Task>();
  const splits: TaskSplit[] = [];
  let splitTasks = 0;
  for (const split of o.split ? [o.split] : [...new Set([...(o.splits ?? []), ...ALL_SPLITS])]) {
    if (byId.size === firstLine.size) break;
    let found = false, size = 0;
    for await (const t of tasks.tasks({ split })) {
      size++;
      if (firstLine.has(t.id) && !byId.has(t.id)) {
        byId.set(t.id, t);
        found = true;
      }
    }
    if (found) {
      splits.push(split);
      splitTasks += size;
    }
  }

  const unknownIds: string[] = [];
  let n = 0, correct = 0, errors = 0, rewardSum = 0;
  await forEachConcurrent((async function* () { yield* lines; })(), o.concurrency ?? 4, async ({ id, text, line }) => {
    const task = byId.get(id);
    if (!task) {
      unknownIds.push(id);
      return;
    }
    n++;
    try {
      const result = await reward.score(task, text);
      if (result.correct) correct++;
      rewardSum += result.value;
      o.onLine?.({ line, id, result });
    } catch (e) {
      errors++;
      o.onLine?.({ line, id, result: null, error: String((e as Error)?.message ?? e) });
    }
  });
  if (n === 0 && unknownIds.length > 0) {
    throw new ReasonerError('RSN_ERR_INPUT', `none of the ${unknownIds.length} ids in ${file} belong to task source "${tasks.name}"${o.split ? ` (split ${o.split})` : ' (any split)'} (first: ${unknownIds[0]})`, {
      file, hint: o.split ? 'drop --split to look the ids up in every split, or pick the task source the solutions were generated for' : 'pick the task source (and its options) the solutions were generated for',
    });
  }
  return {
    n, correct, accuracy: n ? correct / n : 0, meanReward: n ? rewardSum / n : 0, unknownIds, duplicateIds: [...duplicateIds],
    missing: splitTasks - byId.size, splits, errors, wallMs: Date.now() - t0,
  };
}

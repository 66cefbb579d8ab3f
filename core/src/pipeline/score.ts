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
  /** Input lines whose task id the task source does not have. */
  unknownIds: string[];
  /** Tasks of the source with no line in the input. */
  missing: number;
  errors: number;
  wallMs: number;
}

const ID_KEYS = ['id', 'taskId', 'task_id'];
const TEXT_KEYS = ['solution', 'completion', 'text', 'response', 'output'];

function field(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof obj[k] === 'string') return obj[k] as string;
  return undefined;
}

/**
 * Scores a JSONL file of solutions produced anywhere (`{ id|taskId|task_id, solution|completion|… }`)
 * against a task source with a reward.
 */
export async function scoreFile(file: string, tasks: TaskSource, reward: Reward, o: { split?: TaskSplit; concurrency?: number; onLine?: (s: ScoredLine) => void } = {}): Promise<ScoreReport> {
  const t0 = Date.now();
  const byId = new Map<string, Task>();
  for await (const t of tasks.tasks({ split: o.split })) byId.set(t.id, t);
  const seen = new Set<string>();
  const unknownIds: string[] = [];
  let n = 0, correct = 0, errors = 0, rewardSum = 0;
  const lines = readJsonl<Record<string, unknown>>(file, (v) => {
    if (typeof v !== 'object' || v === null) return 'must be a JSON object';
    if (!field(v as Record<string, unknown>, ID_KEYS)) return `needs a task id (one of ${ID_KEYS.join(', ')})`;
    if (field(v as Record<string, unknown>, TEXT_KEYS) === undefined) return `needs the solution text (one of ${TEXT_KEYS.join(', ')})`;
    return null;
  });
  await forEachConcurrent(lines, o.concurrency ?? 4, async ({ value, line }) => {
    const id = field(value, ID_KEYS)!;
    const task = byId.get(id);
    if (!task) {
      unknownIds.push(id);
      return;
    }
    seen.add(id);
    n++;
    try {
      const result = await reward.score(task, field(value, TEXT_KEYS)!);
      if (result.correct) correct++;
      rewardSum += result.value;
      o.onLine?.({ line, id, result });
    } catch (e) {
      errors++;
      o.onLine?.({ line, id, result: null, error: String((e as Error)?.message ?? e) });
    }
  });
  if (n === 0 && unknownIds.length > 0) {
    throw new ReasonerError('RSN_ERR_INPUT', `none of the ${unknownIds.length} ids in ${file} belong to task source "${tasks.name}" (first: ${unknownIds[0]})`, {
      file, hint: 'pick the task source (and split) the solutions were generated for',
    });
  }
  return { n, correct, accuracy: n ? correct / n : 0, meanReward: n ? rewardSum / n : 0, unknownIds, missing: byId.size - seen.size, errors, wallMs: Date.now() - t0 };
}

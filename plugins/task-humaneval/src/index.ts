import { definePlugin, type Task, type TaskQuery, type TaskSource } from '@reasoner/core';
import { HUMANEVAL_FILE, loadHumanEval, type HumanEvalRecord } from './data.js';

export { loadHumanEval, HUMANEVAL_FILE } from './data.js';
export type { HumanEvalRecord } from './data.js';

export interface HumanEvalOptions {
  /** At most this many tasks. */
  limit?: number;
  /** Skip this many tasks first. */
  offset: number;
  /** Only these tasks: `HumanEval/3` or `3`. */
  ids?: Array<string | number>;
}

export const optionsSchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    ids: { type: 'array', items: { type: ['string', 'integer'] } },
  },
  additionalProperties: false,
} as const;

/** A HumanEval record as a Task: the tests call `check(entry_point)`, the solution is the canonical body. */
export function toTask(r: HumanEvalRecord): Task {
  return {
    id: r.task_id,
    prompt: r.prompt,
    tests: { language: 'python', code: `${r.test}\n\ncheck(${r.entry_point})\n`, entryPoint: r.entry_point },
    solution: r.canonical_solution,
    meta: { source: 'humaneval', entryPoint: r.entry_point },
  };
}

function normaliseId(id: string | number): string {
  return typeof id === 'number' || /^\d+$/.test(id) ? `HumanEval/${id}` : id;
}

/** HumanEval has only a test split: asking for train/validation yields nothing. */
export function selectHumanEval(records: HumanEvalRecord[], options: Partial<HumanEvalOptions>, query: TaskQuery = {}): HumanEvalRecord[] {
  if (query.split && query.split !== 'test') return [];
  const wanted = options.ids?.length ? new Set(options.ids.map(normaliseId)) : undefined;
  const chosen = wanted ? records.filter((r) => wanted.has(r.task_id)) : records;
  const limit = Math.min(options.limit ?? Infinity, query.limit ?? Infinity);
  const offset = options.offset ?? 0;
  return chosen.slice(offset, Number.isFinite(limit) ? offset + limit : undefined);
}

export function createHumanEvalSource(options: Partial<HumanEvalOptions> = {}): TaskSource {
  const pick = async (query?: TaskQuery) => selectHumanEval(await loadHumanEval(HUMANEVAL_FILE), options, query);
  return {
    name: 'humaneval',
    async *tasks(query?: TaskQuery) {
      for (const r of await pick(query)) {
        if (query?.signal?.aborted) return;
        yield toTask(r);
      }
    },
    count: async (query?: TaskQuery) => (await pick(query)).length,
  };
}

export default definePlugin<HumanEvalOptions, 'task'>({
  name: 'task-humaneval',
  kind: 'task',
  apiVersion: 1,
  description: 'HumanEval: 164 Python function-completion problems with unit tests (OpenAI, MIT)',
  optionsSchema,
  setup(_ctx, options) {
    return createHumanEvalSource(options);
  },
});

import { definePlugin, type Task, type TaskQuery, type TaskSource } from '@reasoner/core';
import { loadMbpp, type MbppRecord, type MbppVariant } from './data.js';

export { loadMbpp, MBPP_FILES } from './data.js';
export type { MbppRecord, MbppVariant } from './data.js';

export type MbppSplit = 'test' | 'validation' | 'train' | 'prompt' | 'all';

export interface MbppOptions {
  /** `full` (974 tasks) or the hand-verified `sanitized` subset (427). */
  variant: MbppVariant;
  /** Split by task_id as the MBPP paper defines it; a query's split overrides it. */
  split: MbppSplit;
  limit?: number;
  offset: number;
  /** Only these task ids. */
  ids?: number[];
  /** Add `challenge_test_list` asserts to the tests (full variant only). */
  challengeTests: boolean;
}

/** Austin et al. 2021: 1–10 few-shot prompts, 11–510 test, 511–600 validation, 601–974 train. */
export const MBPP_SPLITS: Record<Exclude<MbppSplit, 'all'>, [number, number]> = {
  prompt: [1, 10],
  test: [11, 510],
  validation: [511, 600],
  train: [601, 974],
};

export const optionsSchema = {
  type: 'object',
  properties: {
    variant: { enum: ['full', 'sanitized'], default: 'full' },
    split: { enum: ['test', 'validation', 'train', 'prompt', 'all'], default: 'test' },
    limit: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    ids: { type: 'array', items: { type: 'integer' } },
    challengeTests: { type: 'boolean', default: false },
  },
  additionalProperties: false,
} as const;

/** The function the tests call: the first `def` of the reference code that the first test uses. */
export function entryPointOf(r: MbppRecord): string | undefined {
  const names = [...r.code.matchAll(/^def\s+(\w+)\s*\(/gm)].map((m) => m[1]!);
  const first = r.test_list[0] ?? '';
  return names.find((n) => new RegExp(`\\b${n}\\s*\\(`).test(first)) ?? names[0];
}

/** As in the MBPP paper, the prompt shows a test so the model knows the function's name and signature. */
export function mbppPrompt(r: MbppRecord): string {
  return `${r.text}\nYour code should pass this test:\n${r.test_list[0] ?? ''}\n`;
}

export function toTask(r: MbppRecord, variant: MbppVariant, challengeTests = false): Task {
  const asserts = challengeTests ? [...r.test_list, ...r.challenge_test_list] : r.test_list;
  const entryPoint = entryPointOf(r);
  return {
    id: `mbpp${variant === 'sanitized' ? '-sanitized' : ''}/${r.task_id}`,
    prompt: mbppPrompt(r),
    tests: { language: 'python', code: `${asserts.join('\n')}\n`, ...(entryPoint ? { entryPoint } : {}), ...(r.setup ? { setup: r.setup } : {}) },
    solution: r.code,
    meta: { source: 'mbpp', variant, taskId: r.task_id, text: r.text },
  };
}

export function selectMbpp(records: MbppRecord[], options: Partial<MbppOptions>, query: TaskQuery = {}): MbppRecord[] {
  const split: MbppSplit = query.split ?? options.split ?? 'test';
  const range = split === 'all' ? undefined : MBPP_SPLITS[split];
  const wanted = options.ids?.length ? new Set(options.ids) : undefined;
  const chosen = records.filter((r) => (!range || (r.task_id >= range[0] && r.task_id <= range[1])) && (!wanted || wanted.has(r.task_id)));
  const limit = Math.min(options.limit ?? Infinity, query.limit ?? Infinity);
  const offset = options.offset ?? 0;
  return chosen.slice(offset, Number.isFinite(limit) ? offset + limit : undefined);
}

export function createMbppSource(options: Partial<MbppOptions> = {}): TaskSource {
  const variant = options.variant ?? 'full';
  const pick = async (query?: TaskQuery) => selectMbpp(await loadMbpp(variant), options, query);
  return {
    name: 'mbpp',
    async *tasks(query?: TaskQuery) {
      for (const r of await pick(query)) {
        if (query?.signal?.aborted) return;
        yield toTask(r, variant, options.challengeTests ?? false);
      }
    },
    count: async (query?: TaskQuery) => (await pick(query)).length,
  };
}

export default definePlugin<MbppOptions, 'task'>({
  name: 'task-mbpp',
  kind: 'task',
  apiVersion: 1,
  description: 'MBPP: Mostly Basic Python Problems with assert tests (Google, CC-BY-4.0), full or sanitized',
  optionsSchema,
  setup(_ctx, options) {
    return createMbppSource(options);
  },
});

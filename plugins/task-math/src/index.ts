/**
 * @reasoner/plugin-task-math — MATH-500 (Lightman et al. 2023 held-out MATH test problems, MIT;
 * see data/SOURCE.md). Task: id = unique_id, prompt = problem, answer, solution (with
 * `\boxed{}`), meta = { subject, level }. Only a `test` split exists. Options filter by level
 * and subject.
 */
import { fileURLToPath } from 'node:url';
import { ReasonerError, definePlugin } from '@reasoner/core';
import type { Task, TaskQuery, TaskSource } from '@reasoner/core';
import { countDataset, streamDataset } from '@reasoner/plugin-task-jsonl';
import type { DatasetReader } from '@reasoner/plugin-task-jsonl';

export const MATH_SUBJECTS = ['Algebra', 'Counting & Probability', 'Geometry', 'Intermediate Algebra', 'Number Theory', 'Prealgebra', 'Precalculus'] as const;
export type MathSubject = (typeof MATH_SUBJECTS)[number];

export interface MathRecord {
  problem: string;
  solution: string;
  answer: string;
  subject: string;
  level: number;
  unique_id: string;
}

export interface MathOptions {
  /** Keep only these levels (1–5); empty = all. */
  levels: number[];
  /** Keep only these subjects; empty = all. */
  subjects: MathSubject[];
}

export const math500File = fileURLToPath(new URL('../data/test.jsonl', import.meta.url));

function checkRecord(v: unknown): string | null {
  const r = v as Partial<MathRecord> | null;
  for (const k of ['problem', 'solution', 'answer', 'subject', 'unique_id'] as const) if (typeof r?.[k] !== 'string') return `a MATH record needs a "${k}" string`;
  return typeof r!.level === 'number' ? null : 'a MATH record needs a numeric "level"';
}

export function mathSource(options: Partial<MathOptions> = {}): TaskSource {
  const levels = new Set(options.levels ?? []);
  const subjects = new Set<string>(options.subjects ?? []);
  const reader: DatasetReader = {
    source: 'task-math',
    check: checkRecord,
    toTask(v): Task | undefined {
      const r = v as MathRecord;
      if ((levels.size && !levels.has(r.level)) || (subjects.size && !subjects.has(r.subject))) return undefined;
      return { id: r.unique_id, prompt: r.problem, answer: r.answer, solution: r.solution, meta: { source: 'math500', subject: r.subject, level: r.level } };
    },
  };
  const onlyTest = (query: TaskQuery): void => {
    if ((query.split ?? 'test') !== 'test') {
      throw new ReasonerError('RSN_ERR_TASK', `MATH-500 has only a test split (asked for "${query.split}")`, {
        plugin: 'task-math',
        hint: 'use split "test", or train on another task source (e.g. task-gsm8k or a task-jsonl file)',
      });
    }
  };
  let total: number | undefined;
  return {
    name: 'math500',
    tasks(query: TaskQuery = {}) {
      onlyTest(query);
      return streamDataset(math500File, reader, query);
    },
    async count(query: TaskQuery = {}) {
      onlyTest(query);
      total ??= await countDataset(math500File, reader);
      return Math.min(total, query.limit ?? Infinity);
    },
  };
}

export default definePlugin<MathOptions, 'task'>({
  name: 'task-math',
  kind: 'task',
  apiVersion: 1,
  description: 'MATH-500 competition math problems (test split), filterable by level and subject',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      levels: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 5 }, default: [] },
      subjects: { type: 'array', items: { enum: [...MATH_SUBJECTS] }, default: [] },
    },
  },
  setup: (_ctx, options) => mathSource(options),
});

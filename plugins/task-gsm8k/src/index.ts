/**
 * @reasoner/plugin-task-gsm8k — GSM8K (Cobbe et al. 2021, MIT; see data/SOURCE.md).
 * Task: prompt = question, answer = the number after `####`, solution = the reference answer
 * text. Splits: `test` = test.jsonl (1319); `train` / `validation` = train.jsonl (7473) divided
 * by a hash of the question (`validationPercent`, default 5 %), so they never overlap.
 */
import { fileURLToPath } from 'node:url';
import { definePlugin, hashString } from '@reasoner/core';
import type { Task, TaskQuery, TaskSource, TaskSplit } from '@reasoner/core';
import { countDataset, streamDataset } from '@reasoner/plugin-task-jsonl';
import type { DatasetReader } from '@reasoner/plugin-task-jsonl';

export interface Gsm8kRecord {
  question: string;
  answer: string;
  /** Added by our copy: the text after `####`, commas removed. */
  final: string;
}

export interface Gsm8kOptions {
  /** Share of train.jsonl (by hash of the question) held out as the validation split. */
  validationPercent: number;
}

export const gsm8kFiles: Readonly<Record<'train' | 'test', string>> = {
  train: fileURLToPath(new URL('../data/train.jsonl', import.meta.url)),
  test: fileURLToPath(new URL('../data/test.jsonl', import.meta.url)),
};

/** The final answer of a GSM8K reference solution: the text after `####`, without commas. */
export function gsm8kFinalAnswer(solution: string): string | undefined {
  const m = /####\s*(.+?)\s*$/.exec(solution);
  return m ? m[1]!.replace(/,/g, '') : undefined;
}

function checkRecord(v: unknown): string | null {
  const r = v as Partial<Gsm8kRecord> | null;
  if (typeof r?.question !== 'string' || typeof r.answer !== 'string') return 'a GSM8K record needs "question" and "answer" strings';
  return null;
}

function reader(split: TaskSplit, validationPercent: number): DatasetReader {
  const file = split === 'test' ? 'test' : 'train';
  return {
    source: 'task-gsm8k',
    check: checkRecord,
    toTask(v, line): Task | undefined {
      const r = v as Gsm8kRecord;
      if (file === 'train') {
        const held = hashString(r.question) % 100 < validationPercent;
        if (held !== (split === 'validation')) return undefined;
      }
      return {
        id: `gsm8k/${file}/${line - 1}`,
        prompt: r.question,
        answer: r.final ?? gsm8kFinalAnswer(r.answer),
        solution: r.answer,
        meta: { source: 'gsm8k', file, index: line - 1 },
      };
    },
  };
}

export function gsm8kSource(options: Partial<Gsm8kOptions> = {}): TaskSource {
  const validationPercent = options.validationPercent ?? 5;
  const counts = new Map<TaskSplit, number>();
  const fileOf = (split: TaskSplit): string => gsm8kFiles[split === 'test' ? 'test' : 'train'];
  return {
    name: 'gsm8k',
    tasks: (query: TaskQuery = {}) => streamDataset(fileOf(query.split ?? 'test'), reader(query.split ?? 'test', validationPercent), query),
    async count(query: TaskQuery = {}) {
      const split = query.split ?? 'test';
      if (!counts.has(split)) counts.set(split, await countDataset(fileOf(split), reader(split, validationPercent)));
      return Math.min(counts.get(split)!, query.limit ?? Infinity);
    },
  };
}

export default definePlugin<Gsm8kOptions, 'task'>({
  name: 'task-gsm8k',
  kind: 'task',
  apiVersion: 1,
  description: 'GSM8K grade-school math word problems (train 7473 incl. a hashed validation slice, test 1319)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { validationPercent: { type: 'integer', minimum: 0, maximum: 100, default: 5 } },
  },
  setup: (_ctx, options) => gsm8kSource(options),
});

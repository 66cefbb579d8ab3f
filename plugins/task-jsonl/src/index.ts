/**
 * @reasoner/plugin-task-jsonl — tasks from any JSONL file of dataset records
 * `{ prompt, solution?, answer?, reward?, id?, tests?, meta? }` (schemas/dataset-record.schema.json in this package),
 * validated line by line while streaming; a bad line is RSN_ERR_DATASET naming file and line.
 */
import path from 'node:path';
import { ReasonerError, definePlugin } from '@reasoner/core';
import type { Task, TaskQuery, TaskSource, TaskSplit } from '@reasoner/core';
import { checkDatasetRecord, recordToTask } from './record.js';
import type { DatasetRecordInput } from './record.js';
import { countDataset, streamDataset } from './stream.js';
import type { DatasetReader } from './stream.js';

export { checkDatasetRecord, recordToTask } from './record.js';
export type { DatasetRecordInput } from './record.js';
export { streamDataset, countDataset } from './stream.js';
export type { DatasetReader } from './stream.js';

export interface JsonlTaskOptions {
  /** One file for every split, or a file per split; relative paths resolve against the config's folder. */
  path: string | Partial<Record<TaskSplit, string>>;
}

/** A TaskSource over JSONL dataset files (`configDir` anchors relative paths). */
export function jsonlSource(options: JsonlTaskOptions, configDir = process.cwd()): TaskSource {
  if (options?.path === undefined || options.path === '') {
    throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', 'task-jsonl needs a "path" option', { plugin: 'task-jsonl', hint: "task-jsonl({ path: './data/tasks.jsonl' })" });
  }
  const fileFor = (split: TaskSplit): { shown: string; file: string } => {
    const shown = typeof options.path === 'string' ? options.path : options.path[split];
    if (!shown) {
      throw new ReasonerError('RSN_ERR_TASK', `task-jsonl has no file for the "${split}" split`, {
        plugin: 'task-jsonl',
        hint: `add path.${split}, or give a single path for every split`,
      });
    }
    return { shown, file: path.resolve(configDir, shown) };
  };
  const reader = (shown: string): DatasetReader => {
    const seen = new Map<string, number>();
    return {
      source: 'task-jsonl',
      check: (value) => checkDatasetRecord(value),
      toTask: (value, line) => {
        const task = recordToTask(value as DatasetRecordInput, `${shown}#${line}`);
        const before = seen.get(task.id);
        if (before !== undefined) {
          throw new ReasonerError('RSN_ERR_DATASET', `${shown}:${line}: id "${task.id}" repeats line ${before}`, { file: shown, line, hint: 'ids must be unique within a file (or leave them out: the default is <file>#<line>)' });
        }
        seen.set(task.id, line);
        return task;
      },
    };
  };
  return {
    name: 'jsonl',
    tasks(query: TaskQuery = {}): AsyncIterable<Task> {
      const { shown, file } = fileFor(query.split ?? 'test');
      return streamDataset(file, reader(shown), query);
    },
    async count(query: TaskQuery = {}) {
      const { shown, file } = fileFor(query.split ?? 'test');
      return countDataset(file, reader(shown), query);
    },
  };
}

export default definePlugin<JsonlTaskOptions, 'task'>({
  name: 'task-jsonl',
  kind: 'task',
  apiVersion: 1,
  description: 'Tasks from a JSONL file of dataset records {prompt, solution?, answer?, …}',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: {
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', additionalProperties: false, minProperties: 1, properties: { train: { type: 'string' }, validation: { type: 'string' }, test: { type: 'string' } } },
        ],
      },
    },
  },
  setup: (ctx, options) => jsonlSource(options, ctx.configDir),
});

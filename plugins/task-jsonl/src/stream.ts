import { ReasonerError, isReasonerError, readJsonl } from '@reasoner/core';
import type { Task, TaskQuery } from '@reasoner/core';

export interface DatasetReader {
  /** Name used in errors (`task-gsm8k`). */
  source: string;
  /** Checks one parsed line; returns a problem description, or null if it is fine. */
  check?(value: unknown, line: number): string | null;
  /** Turns a checked line into a task, or undefined to skip it (filters). */
  toTask(value: unknown, line: number): Task | undefined;
}

/**
 * Streams the tasks of one JSONL file, lazily (nothing is read before the first `next()`),
 * honouring `limit` and `signal`. Any unreadable file or bad line becomes RSN_ERR_DATASET naming
 * the file and line.
 */
export async function* streamDataset(file: string, reader: DatasetReader, query: TaskQuery = {}): AsyncGenerator<Task> {
  const limit = query.limit ?? Infinity;
  if (limit <= 0) return;
  let n = 0;
  try {
    for await (const { value, line } of readJsonl(file, reader.check)) {
      if (query.signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', `${reader.source}: reading ${file} aborted`);
      const task = reader.toTask(value, line);
      if (!task) continue;
      yield task;
      if (++n >= limit) return;
    }
  } catch (e) {
    // A bad line (RSN_ERR_INPUT) or an unreadable file (RSN_ERR_IO) is a dataset problem to the user.
    if (isReasonerError(e) && (e.code === 'RSN_ERR_INPUT' || e.code === 'RSN_ERR_IO')) {
      throw new ReasonerError('RSN_ERR_DATASET', `${reader.source}: ${e.message}`, {
        ...e.context,
        hint: e.context.hint ?? 'fix that line of the file (one JSON object per line; see schemas/dataset-record.schema.json)',
      }, { cause: e });
    }
    throw e;
  }
}

/** How many tasks `streamDataset` would yield (reads the file once). */
export async function countDataset(file: string, reader: DatasetReader, query: TaskQuery = {}): Promise<number> {
  let n = 0;
  for await (const _ of streamDataset(file, reader, query)) n++;
  return n;
}

import { fileURLToPath } from 'node:url';
import { loadJsonl } from '@reasoner/core';

/** One line of openai/human-eval `HumanEval.jsonl`. */
export interface HumanEvalRecord {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

export const HUMANEVAL_FILE = fileURLToPath(new URL('../data/HumanEval.jsonl', import.meta.url));

function check(value: unknown): string | null {
  const r = value as Partial<HumanEvalRecord> | null;
  if (!r || typeof r !== 'object') return 'not an object';
  for (const k of ['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point'] as const) {
    if (typeof r[k] !== 'string') return `field "${k}" must be a string`;
  }
  return null;
}

const cache = new Map<string, Promise<HumanEvalRecord[]>>();
/** Reads (once per file) and validates the HumanEval records. */
export function loadHumanEval(file = HUMANEVAL_FILE): Promise<HumanEvalRecord[]> {
  let records = cache.get(file);
  if (!records) {
    records = loadJsonl<HumanEvalRecord>(file, check);
    records.catch(() => cache.delete(file));
    cache.set(file, records);
  }
  return records;
}

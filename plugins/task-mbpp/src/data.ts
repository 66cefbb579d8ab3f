import { fileURLToPath } from 'node:url';
import { loadJsonl } from '@reasoner/core';

/** A record of either MBPP file, reduced to the fields both variants share. */
export interface MbppRecord {
  task_id: number;
  /** Problem statement (`text` in full MBPP, `prompt` in sanitized). */
  text: string;
  code: string;
  test_list: string[];
  /** `test_setup_code` (full) or the `test_imports` lines (sanitized). */
  setup: string;
  challenge_test_list: string[];
}

export type MbppVariant = 'full' | 'sanitized';

export const MBPP_FILES: Record<MbppVariant, string> = {
  full: fileURLToPath(new URL('../data/mbpp.jsonl', import.meta.url)),
  sanitized: fileURLToPath(new URL('../data/sanitized-mbpp.jsonl', import.meta.url)),
};

function check(value: unknown): string | null {
  const r = value as Record<string, unknown> | null;
  if (!r || typeof r !== 'object') return 'not an object';
  if (!Number.isInteger(r.task_id)) return 'field "task_id" must be an integer';
  if (typeof r.code !== 'string') return 'field "code" must be a string';
  if (typeof r.text !== 'string' && typeof r.prompt !== 'string') return 'needs a "text" or "prompt" string';
  if (!Array.isArray(r.test_list) || !r.test_list.every((t) => typeof t === 'string')) return 'field "test_list" must be an array of strings';
  return null;
}

function normalise(r: Record<string, unknown>): MbppRecord {
  const imports = Array.isArray(r.test_imports) ? (r.test_imports as string[]).join('\n') : '';
  return {
    task_id: r.task_id as number,
    text: String(r.text ?? r.prompt),
    code: String(r.code).replace(/\r\n/g, '\n'),
    test_list: r.test_list as string[],
    setup: typeof r.test_setup_code === 'string' && r.test_setup_code ? r.test_setup_code.replace(/\r\n/g, '\n') : imports,
    challenge_test_list: Array.isArray(r.challenge_test_list) ? (r.challenge_test_list as string[]) : [],
  };
}

const cache = new Map<string, Promise<MbppRecord[]>>();
/** Reads (once per file) and validates an MBPP file. */
export function loadMbpp(variant: MbppVariant = 'full', file = MBPP_FILES[variant]): Promise<MbppRecord[]> {
  let records = cache.get(file);
  if (!records) {
    records = loadJsonl<Record<string, unknown>>(file, check).then((rs) => rs.map(normalise));
    records.catch(() => cache.delete(file));
    cache.set(file, records);
  }
  return records;
}

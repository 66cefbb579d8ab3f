import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Task } from '@reasoner/core';

/** The uniform dataset record (this package's schemas/dataset-record.schema.json). */
export interface DatasetRecordInput {
  id?: string | number;
  prompt: string;
  solution?: string;
  answer?: string | number;
  reward?: number;
  tests?: Task['tests'];
  meta?: Record<string, unknown>;
}

const SCHEMA_URL = new URL('../schemas/dataset-record.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

/** The compiled record validator (compiled once, on first use). */
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: false, strict: false, allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return validator;
}

/** Why `value` is not a dataset record (one readable line), or null if it is one. */
export function checkDatasetRecord(value: unknown): string | null {
  const v = validate();
  if (v(value)) return null;
  const e = v.errors?.[0];
  if (!e) return 'not a dataset record';
  if (e.keyword === 'required') return `missing "${(e.params as { missingProperty: string }).missingProperty}" (a dataset record needs at least a "prompt" string)`;
  if (e.keyword === 'type' && e.instancePath === '') return 'a dataset record must be a JSON object';
  return `${e.instancePath.slice(1).replace(/\//g, '.') || 'record'} ${e.message ?? e.keyword}`;
}

/** A validated record as a Task; `defaultId` is used when the record has no id. */
export function recordToTask(r: DatasetRecordInput, defaultId: string): Task {
  const meta = { ...(r.meta ?? {}), ...(r.reward !== undefined ? { reward: r.reward } : {}) };
  return {
    id: r.id === undefined ? defaultId : String(r.id),
    prompt: r.prompt,
    ...(r.answer !== undefined ? { answer: String(r.answer) } : {}),
    ...(r.solution !== undefined ? { solution: r.solution } : {}),
    ...(r.tests ? { tests: r.tests } : {}),
    ...(Object.keys(meta).length ? { meta } : {}),
  };
}

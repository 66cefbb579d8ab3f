import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { ReasonerError, type ErrorCode } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The JSON Schemas shipped inside @reasoner/core (core/schemas/; same depth from src/ and dist/). */
const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}

/** One ajv for the process: compiled validators are cached per schema object. */
const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: false, allowUnionTypes: true, verbose: true }));
const cache = new WeakMap<object, ValidateFunction>();

export function compile(schema: Record<string, unknown>): ValidateFunction {
  let v = cache.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    cache.set(schema, v);
  }
  return v;
}

/** Turns ajv errors into one readable line per problem, with JSON pointers. */
export function describeErrors(errors: ErrorObject[] | null | undefined, base = ''): { pointer: string; message: string }[] {
  const out: { pointer: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // anyOf branches produce noise; the anyOf error itself is enough.
    if (e.schemaPath.includes('/anyOf/')) continue;
    let pointer = base + e.instancePath;
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      pointer = `${pointer}/${key}`;
      // verbose errors carry the schema, so the allowed keys can suggest the nearest one.
      const allowed = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties) ?? {});
      message = `unknown key "${key}"${didYouMean(key, allowed)}`;
    } else if (e.keyword === 'anyOf' && e.schemaPath.includes('pluginRef')) {
      message = 'must be a plugin: a package name or path, { use, options }, or an imported plugin';
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const near = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${near}`;
    } else {
      message = e.message ?? e.keyword;
    }
    const key = pointer + message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer: pointer || '/', message });
  }
  return out;
}

/** Validates (and fills defaults into) `value`; throws `code` naming the first problem and listing all. */
export function validateOrThrow(
  schema: Record<string, unknown>,
  value: unknown,
  code: ErrorCode,
  ctx: { file?: string; plugin?: string; base?: string; what: string; hint?: string },
): void {
  const validate = compile(schema);
  if (validate(value)) return;
  const problems = describeErrors(validate.errors, ctx.base);
  const first = problems[0] ?? { pointer: ctx.base ?? '/', message: 'invalid' };
  const more = problems.length > 1 ? `\n  also: ${problems.slice(1).map((p) => `${p.pointer} ${p.message}`).join('; ')}` : '';
  throw new ReasonerError(code, `${ctx.what}: ${first.pointer} ${first.message}${more}`, {
    file: ctx.file,
    pointer: first.pointer,
    plugin: ctx.plugin,
    problems,
    hint: ctx.hint ?? 'fix or remove the value at that path (see @reasoner/core/schemas/config.schema.json for what is allowed)',
  });
}

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ioError, ReasonerError } from '../errors.js';

export interface JsonlLine<T> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/** Longest line a JSONL reader accepts (a longer one is a wrong file, e.g. /dev/zero, not a record). */
export const MAX_JSONL_LINE = 64 * 1024 * 1024;

/**
 * Streams a JSONL file. Blank lines are skipped; a line that is not JSON (or fails `check`), or
 * is longer than `maxLine` characters, throws RSN_ERR_INPUT naming the file and line; a path that
 * cannot be read (missing, a directory, no permission) throws RSN_ERR_IO naming it.
 */
export async function* readJsonl<T = unknown>(file: string, check?: (value: unknown, line: number) => string | null, maxLine = MAX_JSONL_LINE): AsyncGenerator<JsonlLine<T>> {
  const hint = 'check the path (relative paths resolve against the config file or the working directory)';
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw ioError(e, file, `cannot read ${file}`, hint);
  }
  if (info.isDirectory()) throw new ReasonerError('RSN_ERR_IO', `cannot read ${file}: it is a directory`, { file, path: file, hint: 'pass the JSONL file inside it, e.g. runs/<id>/trajectories.jsonl' });
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => { stream!.once('open', () => resolve()); stream!.once('error', reject); });
  } catch (e) {
    throw ioError(e, file, `cannot read ${file}`, hint);
  }
  let line = 0;
  let rest = '';
  const parse = (text: string): JsonlLine<T> | null => {
    line++;
    if (!text.trim()) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ReasonerError('RSN_ERR_INPUT', `${file}:${line}: not valid JSON (${(e as Error).message})`, { file, line, hint: 'each line must be one JSON object' });
    }
    const problem = check?.(value, line);
    if (problem) throw new ReasonerError('RSN_ERR_INPUT', `${file}:${line}: ${problem}`, { file, line });
    return { value: value as T, line };
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        const text = rest + chunk.slice(start, nl);
        rest = '';
        start = nl + 1;
        if (text.length > maxLine) throw tooLong(file, line + 1, maxLine);
        const r = parse(text.endsWith('\r') ? text.slice(0, -1) : text);
        if (r) yield r;
      }
      rest += chunk.slice(start);
      if (rest.length > maxLine) throw tooLong(file, line + 1, maxLine);
    }
  } catch (e) {
    if (e instanceof ReasonerError) throw e;
    throw ioError(e, file, `cannot read ${file}`, hint);
  } finally {
    stream.destroy();
  }
  const last = parse(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  if (last) yield last;
}

function tooLong(file: string, line: number, max: number): ReasonerError {
  return new ReasonerError('RSN_ERR_INPUT', `${file}:${line}: line is longer than ${Math.round(max / 1024 / 1024)} MB`, {
    file, line, hint: 'this is not a JSONL file of records (one JSON object per line); check the path',
  });
}

/** Reads a whole JSONL file into memory. */
export async function loadJsonl<T = unknown>(file: string, check?: (value: unknown, line: number) => string | null): Promise<T[]> {
  const out: T[] = [];
  for await (const { value } of readJsonl<T>(file, check)) out.push(value);
  return out;
}

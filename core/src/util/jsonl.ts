import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ReasonerError } from '../errors.js';

export interface JsonlLine<T> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Streams a JSONL file. Blank lines are skipped; a line that is not JSON (or fails `check`)
 * throws RSN_ERR_INPUT naming the file and line.
 */
export async function* readJsonl<T = unknown>(file: string, check?: (value: unknown, line: number) => string | null): AsyncGenerator<JsonlLine<T>> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => { stream!.once('open', () => resolve()); stream!.once('error', reject); });
  } catch (e) {
    throw new ReasonerError('RSN_ERR_INPUT', `cannot read ${file}: ${(e as Error).message}`, { file, hint: 'check the path (relative paths resolve against the config file or the working directory)' });
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ReasonerError('RSN_ERR_INPUT', `${file}:${line}: not valid JSON (${(e as Error).message})`, { file, line, hint: 'each line must be one JSON object' });
    }
    const problem = check?.(value, line);
    if (problem) throw new ReasonerError('RSN_ERR_INPUT', `${file}:${line}: ${problem}`, { file, line });
    yield { value: value as T, line };
  }
}

/** Reads a whole JSONL file into memory. */
export async function loadJsonl<T = unknown>(file: string, check?: (value: unknown, line: number) => string | null): Promise<T[]> {
  const out: T[] = [];
  for await (const { value } of readJsonl<T>(file, check)) out.push(value);
  return out;
}

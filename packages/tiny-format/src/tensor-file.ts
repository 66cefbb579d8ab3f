import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReasonerError } from '@reasoner/core';
import { sizeOf } from './arch.js';
import type { CheckpointWeight } from './checkpoint.js';

/** Extra named float32 tensors stored beside a checkpoint (optimizer moments, value head). */
export interface TensorFile {
  tensors: Map<string, CheckpointWeight>;
  meta: Record<string, unknown>;
}

const FORMAT = 'reasoner-tensors';

/** Writes `<dir>/<name>.json` + `<name>.bin` (float32 LE, offsets in elements), each atomically. */
export async function writeTensorFile(dir: string, name: string, file: TensorFile): Promise<void> {
  const entries: Array<{ name: string; shape: number[]; offset: number }> = [];
  let total = 0;
  for (const [n, t] of file.tensors) {
    if (t.data.length !== sizeOf(t.shape)) throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot save ${name}: tensor ${n} has ${t.data.length} values for shape [${t.shape}]`);
    entries.push({ name: n, shape: t.shape, offset: total });
    total += t.data.length;
  }
  const buf = new Float32Array(total);
  let o = 0;
  for (const t of file.tensors.values()) { buf.set(t.data, o); o += t.data.length; }
  await mkdir(dir, { recursive: true });
  const bin = join(dir, `${name}.bin`);
  const json = join(dir, `${name}.json`);
  await writeFile(bin + '.tmp', new Uint8Array(buf.buffer));
  await writeFile(json + '.tmp', JSON.stringify({ format: FORMAT, formatVersion: 1, tensors: entries, meta: file.meta }) + '\n');
  await rename(bin + '.tmp', bin);
  await rename(json + '.tmp', json);
}

/** Reads what `writeTensorFile` wrote; `undefined` when the file is absent; RSN_ERR_CHECKPOINT when corrupt. */
export async function readTensorFile(dir: string, name: string): Promise<TensorFile | undefined> {
  const jsonPath = join(dir, `${name}.json`);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot read ${jsonPath} (${(e as Error).message})`, { file: jsonPath }, { cause: e });
  }
  const bad = (why: string): never => {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `${jsonPath}: ${why}`, { file: jsonPath, hint: `delete ${name}.json and ${name}.bin (the weights stay usable) or re-save the checkpoint` });
  };
  let json: { format?: string; tensors?: Array<{ name: string; shape: number[]; offset: number }>; meta?: Record<string, unknown> };
  try { json = JSON.parse(text); } catch (e) { return bad(`not valid JSON (${(e as Error).message})`); }
  if (json.format !== FORMAT || !Array.isArray(json.tensors)) return bad(`not a ${FORMAT} file`);
  let bytes: Buffer;
  try { bytes = await readFile(join(dir, `${name}.bin`)); } catch (e) { return bad(`${name}.bin is missing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  const all = new Float32Array(bytes.length / 4);
  new Uint8Array(all.buffer).set(bytes.subarray(0, all.length * 4));
  const tensors = new Map<string, CheckpointWeight>();
  for (const t of json.tensors) {
    const size = sizeOf(t.shape);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + size > all.length) bad(`tensor ${t.name} lies outside ${name}.bin (truncated?)`);
    tensors.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + size) });
  }
  return { tensors, meta: json.meta ?? {} };
}

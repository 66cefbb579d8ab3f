import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReasonerError } from '@reasoner/core';

/**
 * Minimal reader of the policy-tiny checkpoint contract (plugins/policy-tiny/CHECKPOINT.md, v1).
 * Kept until policy-tiny exports `loadCheckpoint`; then this file re-exports that one.
 */
export interface TinyArch {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dFF: number;
  contextLength: number;
}

export interface TinyWeight {
  shape: number[];
  data: Float32Array;
}

export interface TinyCheckpoint {
  arch: TinyArch;
  /** Character vocabulary: ids 0, 1, 2 are `<pad>`, `<bos>`, `<eos>`. */
  vocab: string[];
  weights: Map<string, TinyWeight>;
  id: string;
  meta: Record<string, unknown>;
}

export const TINY_FORMAT = 'reasoner-tiny';
export const TINY_FORMAT_VERSION = 1;

export async function readTinyCheckpoint(dir: string): Promise<TinyCheckpoint> {
  const hint = 'pass a directory written by policy-tiny (checkpoint.json + weights.bin), e.g. one made by `reasoner train`';
  let json: any;
  try {
    json = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'));
  } catch (e) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot read checkpoint.json in ${dir}: ${(e as Error).message}`, { hint }, { cause: e });
  }
  if (json?.format !== TINY_FORMAT) throw new ReasonerError('RSN_ERR_CHECKPOINT', `${dir} is not a policy-tiny checkpoint (format ${JSON.stringify(json?.format)})`, { hint });
  if (json.formatVersion !== TINY_FORMAT_VERSION) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${dir} has formatVersion ${json.formatVersion}; this policy-onnx reads version ${TINY_FORMAT_VERSION}`, { hint: 'update @reasoner/plugin-policy-onnx or re-train / re-save the checkpoint with the matching policy-tiny' });
  }
  let bin: Buffer;
  try {
    bin = await readFile(join(dir, 'weights.bin'));
  } catch (e) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot read weights.bin in ${dir}: ${(e as Error).message}`, { hint }, { cause: e });
  }
  // Copy into an aligned buffer: a Buffer from readFile may sit at an odd offset in a pool.
  const all = new Float32Array(bin.byteLength >> 2);
  new Uint8Array(all.buffer).set(bin.subarray(0, all.byteLength));
  const weights = new Map<string, TinyWeight>();
  for (const w of json.weights ?? []) {
    const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
    if (w.offset + size > all.length) throw new ReasonerError('RSN_ERR_CHECKPOINT', `weights.bin in ${dir} is truncated (tensor ${w.name} ends past the file)`, { hint });
    weights.set(w.name, { shape: w.shape, data: all.subarray(w.offset, w.offset + size) });
  }
  return { arch: json.arch, vocab: json.tokenizer?.vocab ?? [], weights, id: json.id, meta: json.training ?? {} };
}

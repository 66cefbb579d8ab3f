import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReasonerError } from '@reasoner/core';
import { type Arch, weightSpecs } from './arch.js';
import { CharTokenizer, type TokenizerSpec } from './tokenizer.js';

export const CHECKPOINT_FORMAT = 'reasoner-tiny';
export const CHECKPOINT_FORMAT_VERSION = 1;

export interface CheckpointWeight {
  shape: number[];
  data: Float32Array;
}

/** Training metadata: free-form (steps, task, createdAt, metrics, recipe …). */
export type CheckpointMeta = Record<string, unknown>;

/** A checkpoint in memory (what policy-onnx imports). */
export interface LoadedCheckpoint {
  arch: Arch;
  tokenizer: CharTokenizer;
  weights: Map<string, CheckpointWeight>;
  /** `tiny-<hash of arch, vocab and weights>`. */
  id: string;
  meta: CheckpointMeta;
  dir: string;
}

interface CheckpointJson {
  format: string;
  formatVersion: number;
  arch: Arch;
  tokenizer: TokenizerSpec;
  weights: Array<{ name: string; shape: number[]; offset: number }>;
  training: CheckpointMeta;
  id: string;
}

const ARCH_KEYS: Array<keyof Arch> = ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'dFF', 'contextLength'];

function fail(dir: string, message: string, hint: string, cause?: unknown): never {
  throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${dir}: ${message}`, { file: dir, hint }, cause === undefined ? undefined : { cause });
}

/** Content hash: the same architecture, vocab and weights always give the same id. */
export function checkpointId(arch: Arch, tokenizer: TokenizerSpec, weightBytes: Uint8Array): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ arch: ARCH_KEYS.map((k) => arch[k]), vocab: tokenizer.vocab }));
  h.update(weightBytes);
  return `tiny-${h.digest('hex').slice(0, 12)}`;
}

export function checkArch(arch: unknown): string | null {
  if (!arch || typeof arch !== 'object') return 'arch is missing';
  for (const k of ARCH_KEYS) {
    const v = (arch as Record<string, unknown>)[k];
    if (!Number.isInteger(v) || (v as number) <= 0) return `arch.${k} must be a positive integer (got ${JSON.stringify(v)})`;
  }
  const a = arch as Arch;
  if (a.dModel % a.nHeads !== 0) return `arch.dModel (${a.dModel}) must be divisible by arch.nHeads (${a.nHeads})`;
  return null;
}

/** Writes `checkpoint.json` + `weights.bin` (atomically per file) and returns the id. */
export async function saveCheckpoint(
  dir: string,
  ckpt: { arch: Arch; tokenizer: CharTokenizer; weights: Map<string, Float32Array | CheckpointWeight>; meta?: CheckpointMeta },
): Promise<string> {
  const specs = weightSpecs(ckpt.arch);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const buf = new Float32Array(total);
  const entries: CheckpointJson['weights'] = [];
  let offset = 0;
  for (const { name, shape } of specs) {
    const w = ckpt.weights.get(name);
    const data = w instanceof Float32Array ? w : w?.data;
    const size = shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== size) throw new ReasonerError('RSN_ERR_CHECKPOINT', `cannot save: weight ${name} is missing or has ${data?.length ?? 0} values (expected ${size})`);
    buf.set(data, offset);
    entries.push({ name, shape, offset });
    offset += size;
  }
  // Float32Array is little-endian on every platform Node supports.
  const bytes = new Uint8Array(buf.buffer);
  const tokenizer = ckpt.tokenizer.toSpec();
  const json: CheckpointJson = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    arch: ckpt.arch,
    tokenizer,
    weights: entries,
    training: ckpt.meta ?? {},
    id: checkpointId(ckpt.arch, tokenizer, bytes),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin.tmp'), bytes);
  await writeFile(join(dir, 'checkpoint.json.tmp'), JSON.stringify(json, null, 1) + '\n');
  await rename(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
  await rename(join(dir, 'checkpoint.json.tmp'), join(dir, 'checkpoint.json'));
  return json.id;
}

/** Reads and validates a checkpoint directory; every problem is an RSN_ERR_CHECKPOINT with a hint. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const jsonPath = join(dir, 'checkpoint.json');
  const binPath = join(dir, 'weights.bin');
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (e) {
    fail(dir, `cannot read ${jsonPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'point the `checkpoint` option at a directory holding checkpoint.json and weights.bin (train one with `reasoner train`)', e);
  }
  let json: CheckpointJson;
  try {
    json = JSON.parse(text) as CheckpointJson;
  } catch (e) {
    fail(dir, `checkpoint.json is not valid JSON (${(e as Error).message})`, 'the file is corrupt: re-save or re-train the checkpoint', e);
  }
  if (json?.format !== CHECKPOINT_FORMAT) fail(dir, `format is ${JSON.stringify(json?.format)}, expected "${CHECKPOINT_FORMAT}"`, 'this is not a policy-tiny checkpoint (ONNX models go to policy-onnx)');
  if (json.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    fail(dir, `formatVersion ${JSON.stringify(json.formatVersion)} is not supported (this build reads version ${CHECKPOINT_FORMAT_VERSION})`, 'use the Reasoner version that wrote it, or re-train the checkpoint with this one');
  }
  const archProblem = checkArch(json.arch);
  if (archProblem) fail(dir, archProblem, 'the architecture block is corrupt: re-train the checkpoint');
  const arch = json.arch;
  let tokenizer: CharTokenizer;
  try {
    tokenizer = CharTokenizer.fromSpec(json.tokenizer);
  } catch (e) {
    fail(dir, (e as Error).message, 'the tokenizer block is corrupt: re-train the checkpoint', e);
  }
  if (tokenizer.size !== arch.vocabSize) fail(dir, `tokenizer has ${tokenizer.size} entries but arch.vocabSize is ${arch.vocabSize}`, 'the checkpoint is inconsistent: re-train it');
  const specs = weightSpecs(arch);
  const listed = new Map((json.weights ?? []).map((w) => [w.name, w]));
  let total = 0;
  for (const s of specs) {
    const w = listed.get(s.name);
    if (!w) fail(dir, `weight ${s.name} is missing (architecture mismatch)`, 'the checkpoint was written for a different architecture version: re-train it');
    if (JSON.stringify(w.shape) !== JSON.stringify(s.shape)) fail(dir, `weight ${s.name} has shape [${w.shape}] but the architecture needs [${s.shape}]`, 'architecture mismatch: re-train the checkpoint');
    total = Math.max(total, w.offset + s.shape.reduce((a, b) => a * b, 1));
  }
  if (listed.size !== specs.length) fail(dir, `checkpoint lists ${listed.size} weights, the architecture has ${specs.length}`, 'architecture mismatch: re-train the checkpoint');
  let bytes: Buffer;
  try {
    const st = await stat(binPath);
    if (st.size !== total * 4) fail(dir, `weights.bin is ${st.size} bytes, the shapes need ${total * 4}`, 'weights.bin is truncated or belongs to another checkpoint: copy both files together or re-train');
    bytes = await readFile(binPath);
  } catch (e) {
    if ((e as { code?: string }).code === 'RSN_ERR_CHECKPOINT') throw e;
    fail(dir, `cannot read ${binPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'a checkpoint needs both checkpoint.json and weights.bin', e);
  }
  const id = checkpointId(arch, json.tokenizer, bytes);
  if (json.id !== undefined && json.id !== id) fail(dir, `content hash ${id} does not match the recorded id ${json.id}`, 'weights.bin was modified or corrupted: restore it or re-train');
  // Copy into an aligned buffer (a Buffer's byteOffset need not be a multiple of 4).
  const all = new Float32Array(total);
  new Uint8Array(all.buffer).set(bytes);
  const weights = new Map<string, CheckpointWeight>();
  for (const s of specs) {
    const w = listed.get(s.name)!;
    weights.set(s.name, { shape: s.shape, data: all.subarray(w.offset, w.offset + s.shape.reduce((a, b) => a * b, 1)) });
  }
  return { arch, tokenizer, weights, id, meta: json.training ?? {}, dir };
}

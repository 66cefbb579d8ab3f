import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTinyToOnnx, exportTinyToOnnxFile, META_VOCAB } from './export-tiny.js';
import { readMetadata } from './lm-session.js';
import { writeRandomTinyCheckpoint } from '@reasoner/tiny-format';
import { loadCheckpoint, type LoadedCheckpoint } from '@reasoner/tiny-format';
import { tfjsReference } from './testing/tfjs-reference.js';

let dir: string;
let ck: LoadedCheckpoint;
let reference: Awaited<ReturnType<typeof tfjsReference>>;
const referenceLogits = (_: unknown, ids: number[]) => reference.logits(ids);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-onnx-export-'));
  ck = await loadCheckpoint(await writeRandomTinyCheckpoint(join(dir, 'ck'), { dModel: 48, nHeads: 4, nLayers: 2, dFF: 96, contextLength: 32 }, 7));
  reference = await tfjsReference(ck);
});
afterAll(async () => {
  reference?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const i64 = (v: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), dims);

/** Runs a left-padded batch through the graph in one call and returns logits [B, S, V]. */
async function runPadded(session: ort.InferenceSession, rows: number[][], kv: boolean): Promise<{ data: Float32Array; S: number; V: number }> {
  const S = Math.max(...rows.map((r) => r.length));
  const ids: number[] = [], mask: number[] = [], pos: number[] = [];
  for (const r of rows) {
    const pad = S - r.length;
    for (let i = 0; i < S; i++) {
      ids.push(i < pad ? 0 : r[i - pad]!);
      mask.push(i < pad ? 0 : 1);
      pos.push(Math.max(0, i - pad));
    }
  }
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids, [rows.length, S]), attention_mask: i64(mask, [rows.length, S]), position_ids: i64(pos, [rows.length, S]) };
  if (kv) for (let l = 0; l < ck.arch.nLayers; l++) for (const k of ['key', 'value']) feeds[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [rows.length, ck.arch.nHeads, 0, ck.arch.dModel / ck.arch.nHeads]);
  const out = await session.run(feeds);
  return { data: out.logits!.data as Float32Array, S, V: out.logits!.dims[2]! };
}

describe('exportTinyToOnnx', () => {
  const rows = [[1, 5, 6, 7, 20, 30, 3, 9], [1, 12], [1, 40, 41, 42, 43]];

  for (const kv of [true, false]) {
    it(`logits match policy-tiny's tfjs forward within 1e-4 (left-padded batch, kvCache: ${kv})`, async () => {
      const session = await ort.InferenceSession.create(exportTinyToOnnx(ck, { kvCache: kv }));
      const { data, S, V } = await runPadded(session, rows, kv);
      let maxErr = 0;
      rows.forEach((r, b) => {
        const ref = referenceLogits(ck, r);
        const pad = S - r.length;
        for (let t = 0; t < r.length; t++) for (let v = 0; v < V; v++) maxErr = Math.max(maxErr, Math.abs(data[(b * S + pad + t) * V + v]! - ref[t]![v]!));
      });
      expect(maxErr).toBeLessThan(1e-4);
      await session.release();
    });
  }

  it('a decode step on the KV cache gives the same logits as the full sequence', async () => {
    const session = await ort.InferenceSession.create(exportTinyToOnnx(ck));
    const seq = rows[0]!;
    const H = ck.arch.nHeads, dh = ck.arch.dModel / H;
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(seq.slice(0, -1), [1, seq.length - 1]), attention_mask: i64(seq.slice(0, -1).map(() => 1), [1, seq.length - 1]), position_ids: i64(seq.slice(0, -1).map((_, i) => i), [1, seq.length - 1]) };
    for (let l = 0; l < 2; l++) for (const k of ['key', 'value']) feeds[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, dh]);
    const first = await session.run(feeds);
    const step: Record<string, ort.Tensor> = { input_ids: i64([seq.at(-1)!], [1, 1]), attention_mask: i64(seq.map(() => 1), [1, seq.length]), position_ids: i64([seq.length - 1], [1, 1]) };
    for (let l = 0; l < 2; l++) for (const k of ['key', 'value']) step[`past_key_values.${l}.${k}`] = first[`present.${l}.${k}`]!;
    const last = (await session.run(step)).logits!.data as Float32Array;
    const ref = referenceLogits(ck, seq).at(-1)!;
    for (let v = 0; v < ref.length; v++) expect(Math.abs(last[v]! - ref[v]!)).toBeLessThan(1e-4);
    await session.release();
  });

  it('carries the vocabulary in metadata and caches the file by checkpoint id', async () => {
    const a = await exportTinyToOnnxFile(ck, { cacheDir: join(dir, 'cache') });
    const b = await exportTinyToOnnxFile(ck, { cacheDir: join(dir, 'cache') });
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(true);
    expect(b.path).toBe(a.path);
    expect(JSON.parse(readMetadata(a.bytes!)[META_VOCAB]!)).toEqual(ck.tokenizer.vocab);
  });
});

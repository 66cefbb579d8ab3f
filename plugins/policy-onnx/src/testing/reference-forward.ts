import type { TinyCheckpoint } from '../tiny-checkpoint.js';

/**
 * The contract's forward pass (CHECKPOINT.md) in plain float64 JavaScript, one unpadded
 * sequence: the independent reference the ONNX export is checked against in tests.
 */
export function referenceLogits(ck: TinyCheckpoint, ids: number[]): Float64Array[] {
  const { dModel: D, nLayers, nHeads: H, dFF: F, vocabSize: V } = ck.arch;
  const dh = D / H;
  const W = (n: string): Float32Array => ck.weights.get(n)!.data;
  const T = ids.length;
  const matmul = (x: Float64Array[], w: Float32Array, inD: number, outD: number, b?: Float32Array): Float64Array[] =>
    x.map((row) => {
      const o = new Float64Array(outD);
      for (let i = 0; i < inD; i++) { const xi = row[i]!; for (let j = 0; j < outD; j++) o[j]! += xi * w[i * outD + j]!; }
      if (b) for (let j = 0; j < outD; j++) o[j]! += b[j]!;
      return o;
    });
  const ln = (x: Float64Array[], p: string): Float64Array[] =>
    x.map((row) => {
      const mean = row.reduce((a, b) => a + b, 0) / D;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / D;
      const g = W(`${p}.g`), b = W(`${p}.b`);
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[i]! + b[i]!);
    });
  const wte = W('wte'), wpe = W('wpe');
  let h = ids.map((id, t) => Float64Array.from({ length: D }, (_, i) => wte[id * D + i]! + wpe[t * D + i]!));
  for (let l = 0; l < nLayers; l++) {
    const p = `h.${l}`;
    const qkv = matmul(ln(h, `${p}.ln1`), W(`${p}.attn.wqkv`), D, 3 * D, W(`${p}.attn.bqkv`));
    const merged = Array.from({ length: T }, () => new Float64Array(D));
    for (let hd = 0; hd < H; hd++) {
      for (let i = 0; i < T; i++) {
        const scores = new Float64Array(i + 1);
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += qkv[i]![hd * dh + c]! * qkv[j]![D + hd * dh + c]!;
          scores[j] = s / Math.sqrt(dh);
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++) for (let c = 0; c < dh; c++) merged[i]![hd * dh + c]! += (e[j]! / z) * qkv[j]![2 * D + hd * dh + c]!;
      }
    }
    const att = matmul(merged, W(`${p}.attn.wo`), D, D, W(`${p}.attn.bo`));
    h = h.map((row, t) => row.map((v, i) => v + att[t]![i]!));
    const f = matmul(ln(h, `${p}.ln2`), W(`${p}.mlp.w1`), D, F, W(`${p}.mlp.b1`))
      .map((row) => row.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))));
    const out = matmul(f, W(`${p}.mlp.w2`), F, D, W(`${p}.mlp.b2`));
    h = h.map((row, t) => row.map((v, i) => v + out[t]![i]!));
  }
  return ln(h, 'lnf').map((row) => {
    const o = new Float64Array(V);
    for (let v = 0; v < V; v++) { let s = 0; for (let i = 0; i < D; i++) s += row[i]! * wte[v * D + i]!; o[v] = s; }
    return o;
  });
}

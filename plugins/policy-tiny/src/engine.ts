import { ReasonerError } from '@reasoner/core';
import type { GenerateRequest, GenerateResult, Policy, Rng } from '@reasoner/core';
import { TinyPolicy } from './policy.js';
import type { TinyModel } from './tiny-model.js';

export type EngineName = 'onnx' | 'tfjs';

/** The part of @reasoner/plugin-policy-onnx this package uses (imported lazily: it is an optional peer). */
type OnnxPolicyLike = Policy & { close(): Promise<void>; scoreTexts(items: Array<{ prompt: string; text: string; eos?: boolean }>, signal?: AbortSignal): Promise<number[][]> };
interface OnnxModule {
  createPolicyFromTinyCheckpoint(dir: string, o: { maxTokens: number; seed: number }): Promise<OnnxPolicyLike>;
  exportTinyToOnnx(ck: unknown, o: { cacheLayout: 'static' }): Uint8Array;
  createOnnxPolicy(o: { model: Uint8Array; tokenizer: unknown; id: string; contextLength: number; maxTokens: number; seed: number }): Promise<OnnxPolicyLike>;
  CharTextTokenizer: new (tok: unknown) => unknown;
}

let onnxModule: Promise<OnnxModule> | undefined;
function loadOnnx(): Promise<OnnxModule> {
  // A name in a variable: policy-onnx is an optional peer, so tsc must not need it to build this package.
  const name = '@reasoner/plugin-policy-onnx';
  onnxModule ??= (import(name) as Promise<unknown>).then((m) => m as OnnxModule).catch((e: Error) => {
    onnxModule = undefined;
    throw new ReasonerError('RSN_ERR_POLICY', `engine "onnx" needs @reasoner/plugin-policy-onnx (${e.message.split('\n')[0]})`, {
      hint: 'npm install @reasoner/plugin-policy-onnx, or set engine: "tfjs"',
    });
  });
  return onnxModule;
}

export interface EngineOptions {
  engine: EngineName;
  maxTokens: number;
  seed: number;
  rng: Rng;
}

/**
 * Who generates for a tiny model. `tfjs`: the live tf.Variables (always current). `onnx`: an
 * onnxruntime session over an export of the weights; after a train step the weights are
 * re-exported lazily, at the next generate (~20 ms for the shipped size), and the old session is
 * released once its in-flight calls finish.
 */
export class GenerationEngine {
  private current?: { policy: Policy & { close?(): unknown }; version: number; inFlight: number; stale: boolean };
  private pending?: Promise<void>;
  exports = 0;

  constructor(
    private readonly opts: EngineOptions,
    /** The tfjs model, when one is loaded (undefined: generate from `dir` without loading tfjs weights). */
    private readonly model: () => TinyModel | undefined,
    private dir: string | undefined,
  ) {}

  /** The weights changed under us (a checkpoint was loaded): the next generate re-creates the session. */
  invalidate(dir?: string): void {
    if (dir !== undefined) this.dir = dir;
    if (this.current) this.retire(this.current);
  }

  private async fresh(): Promise<void> {
    const m = this.model();
    const version = m?.version ?? 0;
    if (this.current && !this.current.stale && this.current.version === version) return;
    if (this.pending) return this.pending;
    this.pending = (async () => {
      let policy: Policy & { close?(): unknown };
      if (this.opts.engine === 'tfjs') {
        if (!m) throw new Error('tfjs engine needs the model loaded');
        policy = new TinyPolicy(m, 'engine', { maxTokens: this.opts.maxTokens, rng: this.opts.rng });
      } else {
        const onnx = await loadOnnx();
        const seed = (this.opts.seed + 7919 * version) >>> 0;
        if (!m && this.dir) policy = await onnx.createPolicyFromTinyCheckpoint(this.dir, { maxTokens: this.opts.maxTokens, seed });
        else {
          const weights = new Map<string, { shape: number[]; data: Float32Array }>();
          for (const [name, v] of m!.params) weights.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
          const ck = { arch: m!.arch, tokenizer: m!.tokenizer, weights, id: `tiny-v${version}` };
          policy = await onnx.createOnnxPolicy({ model: onnx.exportTinyToOnnx(ck, { cacheLayout: 'static' }), tokenizer: new onnx.CharTextTokenizer(m!.tokenizer), id: ck.id, contextLength: m!.arch.contextLength, maxTokens: this.opts.maxTokens, seed });
        }
        this.exports++;
      }
      const old = this.current;
      this.current = { policy, version, inFlight: 0, stale: false };
      if (old) this.retire(old);
    })().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  private retire(e: NonNullable<GenerationEngine['current']>): void {
    e.stale = true;
    // TinyPolicy.close() would dispose the shared model: only sessions are closed.
    if (e.inFlight === 0 && this.opts.engine === 'onnx') void e.policy.close?.();
  }

  async generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    await this.fresh();
    const e = this.current!;
    e.inFlight++;
    try {
      return await e.policy.generate(req, signal);
    } finally {
      e.inFlight--;
      if (e.stale && e.inFlight === 0 && this.opts.engine === 'onnx') void e.policy.close?.();
    }
  }

  /** Whether `score` runs on onnxruntime (else callers score with tfjs). */
  get scoresOnOnnx(): boolean {
    return this.opts.engine === 'onnx';
  }

  /** Teacher-forced logprobs on the onnx session of the current weights (engine onnx only). */
  async score(items: Array<{ prompt: string; text: string; eos?: boolean }>, signal?: AbortSignal): Promise<number[][]> {
    await this.fresh();
    const e = this.current!;
    e.inFlight++;
    try {
      return await (e.policy as unknown as OnnxPolicyLike).scoreTexts(items, signal);
    } finally {
      e.inFlight--;
      if (e.stale && e.inFlight === 0) void e.policy.close?.();
    }
  }

  async close(): Promise<void> {
    await this.pending?.catch(() => undefined);
    const e = this.current;
    this.current = undefined;
    if (e && this.opts.engine === 'onnx') await e.policy.close?.();
  }
}

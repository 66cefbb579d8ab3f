import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createRng, ReasonerError, type Completion, type GenerateRequest, type GenerateResult, type Policy, type PolicyCapabilities } from '@reasoner/core';
import { META_CONTEXT, META_ID, META_VOCAB, exportTinyToOnnxFile } from './export-tiny.js';
import { abortedError, generateRows, scoreIds, scoreRows, type GenRow, type LmRuntime } from './generate.js';
import { openLmSession, type LmSession } from './lm-session.js';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { CharTextTokenizer, loadHfTokenizer, type TextTokenizer } from './tokenizers.js';

export interface OnnxPolicyOptions {
  /** Path of an .onnx file (or its bytes). */
  model: string | Uint8Array;
  /** tokenizer.json path or a tokenizer; default: the vocabulary embedded by our exporter, else tokenizer.json beside the model or in its parent folder. */
  tokenizer?: string | TextTokenizer;
  /** onnxruntime intra-op threads (default 2). */
  threads?: number;
  /** Default completion length when a request does not set `maxTokens` (default 128). */
  maxTokens?: number;
  /** Base seed for requests without their own `seed` (default 0). */
  seed?: number;
  /** Policy id recorded in trajectories (default: the checkpoint id in the model, else the file name). */
  id?: string;
  /** Context window in tokens (default: from our export's metadata; unchecked when unknown). */
  contextLength?: number;
  /** Most sequences run in one batch (default 64); larger `n` is split. */
  maxBatch?: number;
  /** Batch concurrent `generate` calls together (default true). */
  coalesce?: boolean;
}

/** A `Policy` backed by onnxruntime-node; `generateBatch` runs many prompts in one batch. */
export class OnnxPolicy implements Policy {
  readonly capabilities: PolicyCapabilities = { logprobs: true, prefix: true, nativeN: true, trainable: false };
  private calls = 0;
  private readonly rt: LmRuntime;

  constructor(
    readonly id: string,
    private readonly lm: LmSession,
    readonly tokenizer: TextTokenizer,
    private readonly opts: { maxTokens: number; seed: number; contextLength: number | null; maxBatch: number; coalesce: boolean },
  ) {
    this.rt = { session: lm.session, layout: lm.layout, tokenizer };
  }

  get contextLength(): number | null {
    return this.opts.contextLength;
  }

  /** What a request without `maxTokens` gets at most; the kernel reserves budgets with it. */
  get defaultMaxTokens(): number {
    return this.opts.contextLength === null ? this.opts.maxTokens : Math.min(this.opts.maxTokens, this.opts.contextLength);
  }

  /** Prompt tokens as this policy charges them (with its BOS), for budget reservation. */
  countTokens(text: string): number {
    return this.tokenizer.encodePrompt(text).length;
  }

  /** Whether the graph has a KV cache (else every step recomputes the whole sequence). */
  get kvCache(): boolean {
    return this.lm.layout.cache !== 'none';
  }

  /**
   * Concurrent `generate` calls (a search running many tasks at once) are coalesced: requests
   * made in the same tick run as one batch of up to `maxBatch` sequences, which is where the
   * throughput is. Results do not depend on coalescing (each request has its own seed and rows
   * of a batch do not interact).
   */
  generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    let rows: GenRow[];
    try {
      if (signal?.aborted) throw abortedError();
      rows = this.prepare(request);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!this.opts.coalesce) return this.runRows([rows], signal).then((r) => r[0]!);
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, signal, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Several requests (each with its own `n`) batched together; one result per request. */
  async generateBatch(requests: GenerateRequest[], signal?: AbortSignal): Promise<GenerateResult[]> {
    return this.runRows(requests.map((r) => this.prepare(r)), signal);
  }

  private readonly queue: Array<{ rows: GenRow[]; signal?: AbortSignal; resolve(r: GenerateResult): void; reject(e: unknown): void }> = [];
  private flushScheduled = false;

  private async flush(): Promise<void> {
    while (this.queue.length) {
      // Take whole requests up to maxBatch rows (at least one), so results stream back in order.
      const batch: typeof this.queue = [];
      let rows = 0;
      while (this.queue.length && (batch.length === 0 || rows + this.queue[0]!.rows.length <= this.opts.maxBatch)) {
        const entry = this.queue.shift()!;
        if (entry.signal?.aborted) { entry.reject(abortedError()); continue; }
        batch.push(entry);
        rows += entry.rows.length;
      }
      if (!batch.length) continue;
      try {
        const results = await this.runRows(batch.map((b) => b.rows));
        batch.forEach((b, i) => (b.signal?.aborted ? b.reject(abortedError()) : b.resolve(results[i]!)));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.flushScheduled = false;
  }

  /** Rows of one request: its prompt ids, n seeded samplers, clamped maxTokens (throws per request). */
  private prepare(req: GenerateRequest): GenRow[] {
    const n = req.n ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new ReasonerError('RSN_ERR_INPUT', `n must be a positive integer (got ${req.n})`, { hint: 'ask for n ≥ 1 completions' });
    if (req.maxTokens !== undefined && (!Number.isInteger(req.maxTokens) || req.maxTokens < 1)) {
      throw new ReasonerError('RSN_ERR_INPUT', `maxTokens must be a positive integer (got ${req.maxTokens})`, { hint: 'leave maxTokens unset to fill the remaining context' });
    }
    const seed = req.seed ?? (this.opts.seed + this.calls++) >>> 0;
    const rng = createRng(seed);
    const promptIds = [...this.tokenizer.encodePrompt(req.prompt), ...(req.prefix ? this.tokenizer.encodeText(req.prefix) : [])];
    const maxTokens = this.fitMaxTokens(promptIds.length, req.maxTokens);
    const sampling = { temperature: req.temperature ?? 1, topK: req.topK, topP: req.topP };
    return Array.from({ length: n }, (_, i) => ({ promptIds, rng: rng.fork(i), sampling, maxTokens, stop: req.stop, logprobs: req.logprobs }));
  }

  private async runRows(perRequest: GenRow[][], signal?: AbortSignal): Promise<GenerateResult[]> {
    const rows = perRequest.flat();
    const owner = perRequest.flatMap((rs, r) => rs.map(() => r));
    // Without an attention_mask a graph cannot tell padding from tokens: batch only rows of one
    // request (same prompt), never different prompts together.
    const groups: number[][] = [];
    rows.forEach((_, i) => {
      const last = groups[groups.length - 1];
      const sameGroup = last && last.length < this.opts.maxBatch && (this.lm.layout.hasAttentionMask || owner[last[0]!] === owner[i]);
      if (sameGroup) last.push(i);
      else groups.push([i]);
    });
    const completions: Completion[] = new Array(rows.length);
    for (const group of groups) {
      const out = await generateRows(this.rt, group.map((i) => rows[i]!), signal);
      group.forEach((i, j) => { completions[i] = out[j]!; });
    }
    return perRequest.map((myRows, r) => {
      const mine = completions.filter((_, i) => owner[i] === r);
      return {
        completions: mine,
        usage: {
          promptTokens: myRows.reduce((a, row) => a + row.promptIds.length, 0),
          completionTokens: mine.reduce((a, c) => a + c.tokens, 0),
          calls: 1,
        },
      };
    });
  }

  async scoreText(prompt: string, text: string, signal?: AbortSignal): Promise<{ logprobs: number[]; tokens: number }> {
    if (signal?.aborted) throw abortedError();
    const promptIds = this.tokenizer.encodePrompt(prompt);
    const textIds = this.tokenizer.encodeText(text);
    const ctx = this.opts.contextLength;
    if (ctx !== null && promptIds.length + textIds.length > ctx) {
      throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `prompt + text are ${promptIds.length + textIds.length} tokens; the model's context window is ${ctx}`, { hint: 'score a shorter text or use a model with a longer context' });
    }
    if (!textIds.length) return { logprobs: [], tokens: 0 };
    const logprobs = await scoreIds(this.rt, promptIds, textIds);
    return { logprobs, tokens: textIds.length };
  }

  /**
   * Teacher-forced logprobs of many (prompt, text) pairs, batched (`maxBatch` rows per forward);
   * `eos: true` also scores the end-of-sequence token after the text (policy-tiny's trainer
   * counts it as the completion's last token).
   */
  async scoreTexts(items: Array<{ prompt: string; text: string; eos?: boolean }>, signal?: AbortSignal): Promise<number[][]> {
    const rows = items.map((it) => {
      const p = this.tokenizer.encodePrompt(it.prompt);
      const eos = it.eos ? this.tokenizer.eosId : null;
      if (it.eos && eos === null) throw new ReasonerError('RSN_ERR_ONNX_MODEL', 'this model has no end-of-sequence token to score', { hint: 'score with eos: false' });
      const ids = [...p, ...this.tokenizer.encodeText(it.text), ...(eos !== null ? [eos] : [])];
      const ctx = this.opts.contextLength;
      if (ctx !== null && ids.length > ctx) throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `prompt + text are ${ids.length} tokens; the model's context window is ${ctx}`, { hint: 'score a shorter text' });
      return { ids, from: p.length };
    });
    // Similar lengths together: less padding.
    const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.ids.length - rows[b]!.ids.length);
    const out: number[][] = new Array(rows.length);
    for (let s = 0; s < order.length; s += this.opts.maxBatch) {
      if (signal?.aborted) throw abortedError();
      const part = order.slice(s, s + this.opts.maxBatch);
      const res = await scoreRows(this.rt, part.map((i) => rows[i]!));
      part.forEach((i, j) => { out[i] = res[j]!; });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.lm.session.release();
  }

  private fitMaxTokens(promptLen: number, requested: number | undefined): number {
    const ctx = this.opts.contextLength;
    if (ctx === null) return requested ?? this.opts.maxTokens;
    if (promptLen >= ctx) {
      throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `the prompt is ${promptLen} tokens; the model's context window is ${ctx}, which leaves no room to generate`, { hint: 'shorten the prompt (or prefix), or use a model with a longer context' });
    }
    if (requested !== undefined && promptLen + requested > ctx) {
      throw new ReasonerError('RSN_ERR_CONTEXT_LENGTH', `maxTokens ${requested} after a ${promptLen}-token prompt exceeds the context window of ${ctx} tokens`, { hint: `ask for at most ${ctx - promptLen} tokens, or leave maxTokens unset to fill the remaining context` });
    }
    return requested ?? Math.min(this.opts.maxTokens, ctx - promptLen);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** Opens any decoder-only ONNX LM in the common layout (see README) as a `Policy`. */
export async function createOnnxPolicy(options: OnnxPolicyOptions): Promise<OnnxPolicy> {
  const lm = await openLmSession(options.model, { threads: options.threads });
  try {
    let tokenizer: TextTokenizer;
    if (typeof options.tokenizer === 'object') tokenizer = options.tokenizer;
    else if (typeof options.tokenizer === 'string') tokenizer = await loadHfTokenizer(options.tokenizer);
    else if (lm.metadata[META_VOCAB]) tokenizer = CharTextTokenizer.fromVocab(JSON.parse(lm.metadata[META_VOCAB]));
    else {
      const dir = typeof options.model === 'string' ? dirname(options.model) : undefined;
      const candidates = dir ? [join(dir, 'tokenizer.json'), join(dirname(dir), 'tokenizer.json')] : [];
      let found: string | undefined;
      for (const c of candidates) if (await exists(c)) { found = c; break; }
      if (!found) {
        throw new ReasonerError('RSN_ERR_ONNX_MODEL', `no tokenizer for ${typeof options.model === 'string' ? options.model : 'the ONNX model'}: it carries no vocabulary and no tokenizer.json sits beside it`, { hint: 'set the `tokenizer` option to the model\'s tokenizer.json' });
      }
      tokenizer = await loadHfTokenizer(found);
    }
    const ctxMeta = Number(lm.metadata[META_CONTEXT]);
    const id = options.id ?? lm.metadata[META_ID] ?? `onnx:${typeof options.model === 'string' ? basename(options.model) : 'model'}`;
    return new OnnxPolicy(id, lm, tokenizer, {
      maxTokens: options.maxTokens ?? 128,
      seed: options.seed ?? 0,
      contextLength: options.contextLength ?? (Number.isFinite(ctxMeta) && ctxMeta > 0 ? ctxMeta : null),
      maxBatch: options.maxBatch ?? 64,
      coalesce: options.coalesce ?? true,
    });
  } catch (e) {
    await lm.session.release();
    throw e;
  }
}

export interface TinyPolicyOptions {
  threads?: number;
  maxTokens?: number;
  seed?: number;
  /** Export with a KV cache (default true; false recomputes the sequence each step, for benchmarks). */
  kvCache?: boolean;
  /** KV cache layout of the export (default `static`, the fast one; see `ExportOptions`). */
  cacheLayout?: 'common' | 'static';
  /** Where exported .onnx files are cached (default: the OS temp dir). */
  cacheDir?: string;
  maxBatch?: number;
  coalesce?: boolean;
}

/**
 * Exports a policy-tiny checkpoint to ONNX (cached by checkpoint id) and opens it. policy-tiny's
 * `engine: 'onnx'` mode imports this by name: keep the name and signature.
 */
export async function createPolicyFromTinyCheckpoint(dir: string, options: TinyPolicyOptions = {}): Promise<OnnxPolicy> {
  const ckpt = await loadCheckpoint(dir);
  const exported = await exportTinyToOnnxFile(ckpt, { kvCache: options.kvCache, cacheLayout: options.cacheLayout ?? 'static', cacheDir: options.cacheDir });
  return createOnnxPolicy({
    model: exported.bytes ?? exported.path,
    tokenizer: new CharTextTokenizer(ckpt.tokenizer),
    id: ckpt.id,
    contextLength: ckpt.arch.contextLength,
    threads: options.threads,
    maxTokens: options.maxTokens,
    seed: options.seed,
    maxBatch: options.maxBatch,
    coalesce: options.coalesce,
  });
}

import { createRng, ReasonerError } from '@reasoner/core';
import type { GenerateRequest, GenerateResult, Policy, PolicyCapabilities, Rng } from '@reasoner/core';
import { contextIds, generateN, resolveMaxTokens, scoreText } from './generate.js';
import type { TinyModel } from './tiny-model.js';

export interface TinyPolicyOptions {
  /** maxTokens when a request does not say (clamped to what fits in the context). */
  maxTokens?: number;
  /** Source of per-call seeds when a request has none. */
  rng?: Rng;
}

/** The `Policy` service over a TinyModel (tfjs). */
export class TinyPolicy implements Policy {
  readonly capabilities: PolicyCapabilities = { logprobs: true, prefix: true, nativeN: true, trainable: true };
  private readonly seeds: Rng;
  readonly defaultMaxTokens: number;
  private closed = false;

  constructor(readonly model: TinyModel, readonly id: string, opts: TinyPolicyOptions = {}) {
    this.seeds = opts.rng ?? createRng(0);
    this.defaultMaxTokens = opts.maxTokens ?? model.arch.contextLength;
  }

  private check(): void {
    if (this.closed) throw new ReasonerError('RSN_ERR_POLICY', `policy ${this.id} is closed`, { hint: 'do not use a policy after the run ends' });
  }

  async generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    this.check();
    const n = req.n ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new ReasonerError('RSN_ERR_INPUT', `n must be a positive integer (got ${n})`);
    const prefix = req.prefix ?? '';
    const ctxLen = contextIds(this.model, req.prompt, prefix).length;
    const maxTokens = resolveMaxTokens(this.model, ctxLen, req.maxTokens, this.defaultMaxTokens);
    const seed = req.seed ?? this.seeds.int(0x7fffffff);
    const completions = await generateN(this.model, req.prompt, prefix, n, seed, {
      temperature: req.temperature ?? 1,
      topK: req.topK,
      topP: req.topP,
      maxTokens,
      stop: req.stop,
      logprobs: req.logprobs,
      signal,
    });
    return {
      completions,
      usage: { promptTokens: ctxLen, completionTokens: completions.reduce((a, c) => a + c.tokens, 0), calls: 1 },
    };
  }

  async scoreText(prompt: string, text: string): Promise<{ logprobs: number[]; tokens: number }> {
    this.check();
    return scoreText(this.model, prompt, text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.model.dispose();
  }
}

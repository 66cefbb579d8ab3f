/**
 * A Policy over any OpenAI-compatible server through the official `openai` client: chat or
 * completions, native or emulated `n`, logprobs where offered, prefix continuation (completions:
 * prompt + prefix; chat: assistant prefill), the client's retries with backoff on 429/5xx,
 * timeouts, a concurrency limit, and token / cost accounting.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import { ReasonerError, type ChatMessage, type Completion, type GenerateRequest, type GenerateResult, type Policy, type PolicyCapabilities } from '@reasoner/core';

export interface OpenAiPolicyOptions {
  /** e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama), https://api.openai.com/v1. */
  baseURL: string;
  model: string;
  /** API key; else the environment variable named by `apiKeyEnv`; local servers often need none. */
  apiKey?: string;
  apiKeyEnv: string;
  /** `completion` continues raw text (prefix continuation); `chat` sends messages; `auto` probes (completion if the server has it). */
  mode: 'auto' | 'chat' | 'completion';
  /** `auto`: probe whether the server honours `n`; else emulate with parallel calls. */
  nativeN: 'auto' | 'yes' | 'no';
  /** Defaults for requests that do not set them. */
  temperature?: number;
  topP?: number;
  maxTokens: number;
  /** System message prepended in chat mode when the request has no messages. */
  system?: string;
  timeoutMs: number;
  /** Retries of 408/409/429/5xx and connection errors (exponential backoff, honours retry-after). */
  maxRetries: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Probe the server at start-up (models list, a 1-token request) and set capabilities from it. */
  probe: boolean;
  /** Text of the probe requests (must be valid input for the model; default "1 2"). */
  probePrompt?: string;
  /** Price per million tokens, for cost accounting (`stats().costUsd`). */
  pricePerMTokens?: { prompt: number; completion: number };
  /** Extra HTTP headers on every request. */
  headers?: Record<string, string>;
  /** Policy id recorded in trajectories (default `openai:<model>@<host>`). */
  id?: string;
}

export interface OpenAiPolicyStats {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  errors: number;
}

/** What probing found. */
export interface ProbeResult {
  models: string[] | null;
  completions: boolean;
  chat: boolean;
  nativeN: boolean;
  logprobs: boolean;
}

type Msg = { role: 'system' | 'user' | 'assistant'; content: string };

export function policyError(e: unknown, what: string, baseURL: string): ReasonerError {
  if (e instanceof ReasonerError) return e;
  if (e instanceof APIUserAbortError) return new ReasonerError('RSN_ERR_ABORTED', `${what}: aborted`, {});
  if (e instanceof APIConnectionTimeoutError) return new ReasonerError('RSN_ERR_POLICY', `${what}: ${baseURL} did not answer in time`, { hint: 'raise timeoutMs, or check the server' }, { cause: e });
  if (e instanceof APIError) {
    const status = e.status;
    const msg = (e.error as { message?: string } | undefined)?.message ?? e.message;
    const hint = status === 401 || status === 403 ? 'check apiKey (or the env var named by apiKeyEnv)'
      : status === 404 ? 'check baseURL (it usually ends in /v1) and model'
      : status === 429 ? 'the server kept rate-limiting after the retries: lower concurrency or raise maxRetries'
      : status === undefined ? `cannot reach ${baseURL}: is the server running?` : 'see the server\'s message';
    return new ReasonerError('RSN_ERR_POLICY', `${what}: ${status ?? 'connection error'} ${msg}`.trim(), { hint, status }, { cause: e });
  }
  return new ReasonerError('RSN_ERR_POLICY', `${what}: ${(e as Error)?.message ?? String(e)}`, { hint: 'the server sent something that is not an OpenAI-compatible response' }, { cause: e });
}

const malformed = (what: string, detail: string) => new ReasonerError('RSN_ERR_POLICY', `${what}: malformed response (${detail})`, { hint: 'the server is not OpenAI-compatible at this endpoint, or failed mid-response' });

export class OpenAiPolicy implements Policy {
  readonly id: string;
  capabilities: PolicyCapabilities;
  mode: 'chat' | 'completion';
  private serverN: boolean;
  private readonly client: OpenAI;
  private readonly limit: LimitFunction;
  private readonly totals: OpenAiPolicyStats = { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, errors: 0 };

  constructor(readonly options: OpenAiPolicyOptions, client?: OpenAI) {
    const apiKey = options.apiKey ?? process.env[options.apiKeyEnv] ?? 'no-key';
    this.client = client ?? new OpenAI({ baseURL: options.baseURL, apiKey, timeout: options.timeoutMs, maxRetries: options.maxRetries, defaultHeaders: options.headers });
    this.limit = pLimit(options.concurrency);
    this.mode = options.mode === 'chat' ? 'chat' : 'completion';
    this.serverN = options.nativeN !== 'no';
    let host = options.baseURL;
    try { host = new URL(options.baseURL).host; } catch { /* keep as given */ }
    this.id = options.id ?? `openai:${options.model}@${host}`;
    this.capabilities = { logprobs: false, prefix: this.mode === 'completion', nativeN: true, trainable: false };
  }

  /** Totals so far (tokens as the server reports them; cost from pricePerMTokens). */
  stats(): OpenAiPolicyStats {
    return { ...this.totals };
  }

  /** Finds what the server offers with 1-token requests; sets `mode` (auto) and capabilities. */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const o = this.options;
    const r: ProbeResult = { models: null, completions: false, chat: false, nativeN: false, logprobs: false };
    try {
      const page = await this.client.models.list({ signal, maxRetries: 1 });
      r.models = page.data.map((m) => m.id);
    } catch (e) {
      if (e instanceof APIError && e.status === undefined) throw policyError(e, `probing ${o.baseURL}`, o.baseURL);
      if (e instanceof APIError && (e.status === 401 || e.status === 403)) throw policyError(e, `probing ${o.baseURL}`, o.baseURL);
      /* some servers have no /models: go on */
    }
    if (r.models && r.models.length && !r.models.includes(o.model)) {
      throw new ReasonerError('RSN_ERR_POLICY', `model "${o.model}" is not served at ${o.baseURL}`, { hint: `use one of: ${r.models.slice(0, 20).join(', ')}` });
    }
    const errors: string[] = [];
    if (o.mode !== 'chat') {
      try {
        const res = await this.client.completions.create({ model: o.model, prompt: o.probePrompt ?? '1 2', max_tokens: 1, n: 2, logprobs: 1, temperature: 1 }, { signal, maxRetries: 1 });
        r.completions = true;
        r.nativeN = res.choices?.length === 2;
        r.logprobs = !!res.choices?.[0]?.logprobs?.token_logprobs?.length;
      } catch (e) {
        if (o.mode === 'completion') throw policyError(e, `probing /completions of ${o.baseURL}`, o.baseURL);
        errors.push(`completions: ${(e as Error).message}`);
      }
    }
    if (!r.completions) {
      try {
        const res = await this.client.chat.completions.create({ model: o.model, messages: [{ role: 'user', content: o.probePrompt ?? '1 2' }], max_tokens: 1, n: 2, logprobs: true }, { signal, maxRetries: 1 });
        r.chat = true;
        r.nativeN = res.choices?.length === 2;
        r.logprobs = !!res.choices?.[0]?.logprobs?.content?.length;
      } catch (e) {
        try { // servers that reject n or logprobs
          await this.client.chat.completions.create({ model: o.model, messages: [{ role: 'user', content: o.probePrompt ?? '1 2' }], max_tokens: 1 }, { signal, maxRetries: 1 });
          r.chat = true;
        } catch (e2) {
          errors.push(`chat: ${(e2 as Error).message}`);
          throw new ReasonerError('RSN_ERR_POLICY', `${o.baseURL} answered neither /completions nor /chat/completions for model "${o.model}" (${errors.join('; ')})`, { hint: 'check baseURL (usually ending in /v1), model and apiKey' }, { cause: e2 ?? e });
        }
      }
    }
    this.mode = o.mode === 'auto' ? (r.completions ? 'completion' : 'chat') : o.mode;
    this.serverN = o.nativeN === 'auto' ? r.nativeN : o.nativeN === 'yes';
    this.capabilities = { logprobs: r.logprobs, prefix: this.mode === 'completion', nativeN: true, trainable: false };
    return r;
  }

  generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const n = req.n ?? 1;
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new ReasonerError('RSN_ERR_INPUT', `n must be a positive integer (got ${req.n})`, { hint: 'ask for n ≥ 1 completions' }));
    if (signal?.aborted) return Promise.reject(new ReasonerError('RSN_ERR_ABORTED', 'aborted', {}));
    if (n === 1 || this.serverN) return this.limit(() => this.call(req, n, signal));
    // Emulated n: parallel single calls (seeds seed, seed+1, …) under the concurrency limit.
    return Promise.all(Array.from({ length: n }, (_, i) => this.limit(() => this.call({ ...req, seed: req.seed === undefined ? undefined : req.seed + i }, 1, signal)))).then((parts) => ({
      completions: parts.flatMap((p) => p.completions),
      usage: parts.reduce((u, p) => ({ promptTokens: u.promptTokens + p.usage.promptTokens, completionTokens: u.completionTokens + p.usage.completionTokens, calls: u.calls + p.usage.calls }), { promptTokens: 0, completionTokens: 0, calls: 0 }),
    }));
  }

  private async call(req: GenerateRequest, n: number, signal?: AbortSignal): Promise<GenerateResult> {
    if (signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'aborted', {});
    const o = this.options;
    const common = {
      model: o.model, n,
      max_tokens: req.maxTokens ?? o.maxTokens,
      temperature: req.temperature ?? o.temperature,
      top_p: req.topP ?? o.topP,
      stop: req.stop?.length ? req.stop.slice(0, 4) : undefined,
      seed: req.seed,
    };
    const what = `${this.mode === 'chat' ? 'chat' : 'completion'} request to ${o.baseURL} (model ${o.model})`;
    let raw: Array<{ text: string; finish: string | null | undefined; stopReason: unknown; logprobs?: number[] }>;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    try {
      if (this.mode === 'completion') {
        const res = await this.client.completions.create({ ...common, prompt: req.prompt + (req.prefix ?? ''), logprobs: req.logprobs ? 1 : undefined }, { signal });
        if (!res || !Array.isArray(res.choices)) throw malformed(what, 'no choices array');
        raw = res.choices.map((c) => ({ text: c.text, finish: c.finish_reason, stopReason: (c as { stop_reason?: unknown }).stop_reason, logprobs: c.logprobs?.token_logprobs?.filter((x): x is number => typeof x === 'number') }));
        usage = res.usage;
      } else {
        const messages: Msg[] = req.messages?.length ? req.messages.map((m: ChatMessage) => ({ role: m.role, content: m.content })) : [...(o.system ? [{ role: 'system' as const, content: o.system }] : []), { role: 'user' as const, content: req.prompt }];
        if (req.prefix) messages.push({ role: 'assistant', content: req.prefix });
        const res = await this.client.chat.completions.create({ ...common, messages, logprobs: req.logprobs || undefined }, { signal });
        if (!res || !Array.isArray(res.choices)) throw malformed(what, 'no choices array');
        raw = res.choices.map((c) => ({ text: c.message?.content ?? '', finish: c.finish_reason, stopReason: (c as { stop_reason?: unknown }).stop_reason, logprobs: c.logprobs?.content?.map((t) => t.logprob) }));
        usage = res.usage;
      }
    } catch (e) {
      this.totals.errors++;
      throw policyError(e, what, o.baseURL);
    }
    if (raw.some((c) => typeof c.text !== 'string')) {
      this.totals.errors++;
      throw malformed(what, 'a choice has no text');
    }
    const completionTokens = usage?.completion_tokens ?? raw.reduce((a, c) => a + (c.logprobs?.length ?? Math.ceil(c.text.length / 4)), 0);
    const promptTokens = usage?.prompt_tokens ?? Math.ceil((req.prompt.length + (req.prefix?.length ?? 0)) / 4) * n;
    const chars = raw.reduce((a, c) => a + c.text.length, 0) || 1;
    const completions: Completion[] = raw.map((c) => ({
      text: c.text,
      // Per-choice tokens: exact with logprobs, else the reported total shared by text length.
      tokens: c.logprobs?.length || Math.round((completionTokens * c.text.length) / chars),
      ...(req.logprobs && c.logprobs ? { logprobs: c.logprobs } : {}),
      // `stop` covers both EOS and a stop sequence; vLLM-style servers say which in stop_reason.
      finishReason: c.finish === 'length' ? 'length' : typeof c.stopReason === 'string' ? 'stop' : 'eos',
    }));
    this.totals.calls++;
    this.totals.promptTokens += promptTokens;
    this.totals.completionTokens += completionTokens;
    if (o.pricePerMTokens) this.totals.costUsd += (promptTokens * o.pricePerMTokens.prompt + completionTokens * o.pricePerMTokens.completion) / 1e6;
    return { completions, usage: { promptTokens, completionTokens, calls: 1 } };
  }
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiPolicy, type OpenAiPolicyOptions } from './policy.js';

/** A scripted OpenAI-compatible server: each test queues what the next requests get. */
type Script = (req: { url: string; body: Record<string, unknown> }, res: http.ServerResponse) => void | Promise<void>;
let script: Script[] = [];
let fallback: Script;
const seen: Array<{ url: string; body: Record<string, unknown> }> = [];
let inFlight = 0;
let maxInFlight = 0;
let server: http.Server;
let baseURL: string;

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const completion = (body: Record<string, unknown>, text = (i: number) => `answer ${i}`) => ({
  id: 'cmpl-1', object: 'text_completion', created: 0, model: body.model,
  choices: Array.from({ length: Number(body.n ?? 1) }, (_, i) => ({
    index: i, text: text(i), finish_reason: 'stop', stop_reason: body.stop ? (body.stop as string[])[0] : null,
    logprobs: body.logprobs ? { tokens: ['a', 'b'], token_logprobs: [-0.5, -0.25], top_logprobs: null, text_offset: [0, 1] } : null,
  })),
  usage: { prompt_tokens: 5, completion_tokens: 3 * Number(body.n ?? 1), total_tokens: 5 + 3 * Number(body.n ?? 1) },
});
const normal: Script = (req, res) => {
  if (req.url.endsWith('/models')) return json(res, 200, { object: 'list', data: [{ id: 'm1', object: 'model' }] });
  if (req.url.endsWith('/completions') && !req.url.includes('chat')) return json(res, 200, completion(req.body));
  return json(res, 200, { id: 'c', object: 'chat.completion', created: 0, model: 'm1', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 1 } });
};

beforeAll(async () => {
  fallback = normal;
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', async () => {
      const r = { url: req.url ?? '', body: data ? JSON.parse(data) : {} };
      seen.push(r);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      await (script.shift() ?? fallback)(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const make = (o: Partial<OpenAiPolicyOptions> = {}) => new OpenAiPolicy({ baseURL, model: 'm1', apiKeyEnv: 'NO_SUCH_KEY_ENV', mode: 'auto', nativeN: 'auto', maxTokens: 16, timeoutMs: 2000, maxRetries: 3, concurrency: 4, probe: true, ...o });

describe('policy-openai against a scripted server', () => {
  it('probes: completions with native n and logprobs → completion mode, prefix continuation', async () => {
    script = [];
    const p = make();
    const found = await p.probe();
    expect(found).toMatchObject({ models: ['m1'], completions: true, nativeN: true, logprobs: true });
    expect(p.mode).toBe('completion');
    expect(p.capabilities).toMatchObject({ logprobs: true, prefix: true });
    seen.length = 0;
    const r = await p.generate({ prompt: 'Q: ', prefix: '1+1=', n: 3, stop: ['\n'], logprobs: true, seed: 5 });
    expect(seen[0]!.body).toMatchObject({ prompt: 'Q: 1+1=', n: 3, stop: ['\n'], seed: 5, logprobs: 1, max_tokens: 16 });
    expect(r.completions.map((c) => c.text)).toEqual(['answer 0', 'answer 1', 'answer 2']);
    expect(r.completions[0]).toMatchObject({ finishReason: 'stop', logprobs: [-0.5, -0.25], tokens: 2 });
    expect(r.usage).toEqual({ promptTokens: 5, completionTokens: 9, calls: 1 });
  });

  it('unknown model and a server answering neither endpoint are clear RSN_ERR_POLICY errors', async () => {
    await expect(make({ model: 'nope' }).probe()).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('not served') });
    fallback = (_r, res) => json(res, 404, { error: { message: 'no such route' } });
    try {
      await expect(make().probe()).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('neither') });
    } finally {
      fallback = normal;
    }
  });

  it('chat-only servers: chat mode, n emulated by parallel calls, assistant prefill for a prefix', async () => {
    fallback = (req, res) => {
      if (req.url.endsWith('/models')) return json(res, 200, { data: [{ id: 'm1' }] });
      if (!req.url.includes('chat')) return json(res, 404, { error: { message: 'not here' } });
      return json(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: `seed ${req.body.seed ?? '-'}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 2 } });
    };
    try {
      const p = make();
      const found = await p.probe();
      expect(found).toMatchObject({ completions: false, chat: true, nativeN: false });
      expect(p.mode).toBe('chat');
      seen.length = 0;
      const r = await p.generate({ prompt: 'hello', prefix: 'Let me', n: 3, seed: 10 });
      expect(r.completions.map((c) => c.text).sort()).toEqual(['seed 10', 'seed 11', 'seed 12']);
      expect(r.usage).toEqual({ promptTokens: 12, completionTokens: 6, calls: 3 });
      expect(seen[0]!.body.messages).toEqual([{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'Let me' }]);
      expect(r.completions[0]!.finishReason).toBe('eos');
    } finally {
      fallback = normal;
    }
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    const p = make({ probe: false });
    script = [
      (_r, res) => json(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '10' }),
      (_r, res) => json(res, 500, { error: { message: 'oops' } }, { 'retry-after-ms': '10' }),
    ];
    seen.length = 0;
    const r = await p.generate({ prompt: 'x' });
    expect(r.completions).toHaveLength(1);
    expect(seen).toHaveLength(3);
  });

  it('persistent 500s, a slow server and malformed bodies are RSN_ERR_POLICY, not crashes', async () => {
    const p = make({ probe: false, maxRetries: 1, timeoutMs: 300 });
    const fail: Script = (_r, res) => json(res, 503, { error: { message: 'overloaded' } }, { 'retry-after-ms': '5' });
    script = [fail, fail];
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('503') });
    const slow: Script = (req, res) => new Promise((r) => setTimeout(() => { normal(req, res); r(); }, 1500));
    script = [slow, slow];
    const t0 = Date.now();
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('did not answer in time') });
    expect(Date.now() - t0).toBeLessThan(1500);
    script = [(_r, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"choices": [ {"text": '); }];
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY' });
    script = [(_r, res) => json(res, 200, { object: 'text_completion', usage: {} })];
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('malformed') });
    script = [(_r, res) => json(res, 200, { choices: [{ index: 0, finish_reason: 'stop' }] })];
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', message: expect.stringContaining('no text') });
    script = [(_r, res) => json(res, 401, { error: { message: 'bad key' } })];
    await expect(p.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', context: { hint: expect.stringContaining('apiKey') } });
    expect(p.stats().errors).toBe(6);
  });

  it('aborts in flight (RSN_ERR_ABORTED), caps concurrency, accounts tokens and cost', async () => {
    const p = make({ probe: false, concurrency: 2, pricePerMTokens: { prompt: 1, completion: 2 } });
    const slow: Script = (req, res) => new Promise((r) => setTimeout(() => { normal(req, res); r(); }, 300));
    script = [slow];
    const ac = new AbortController();
    const pending = p.generate({ prompt: 'x' }, ac.signal);
    setTimeout(() => ac.abort(), 30);
    await expect(pending).rejects.toMatchObject({ code: 'RSN_ERR_ABORTED' });
    const delayed: Script = (req, res) => new Promise((r) => setTimeout(() => { normal(req, res); r(); }, 40));
    script = Array.from({ length: 6 }, () => delayed);
    await new Promise((r) => setTimeout(r, 300)); // the aborted request's server side has finished
    maxInFlight = 0;
    const before = p.stats();
    await Promise.all(Array.from({ length: 6 }, () => p.generate({ prompt: 'x' })));
    expect(maxInFlight).toBeLessThanOrEqual(2);
    const after = p.stats();
    expect(after.calls - before.calls).toBe(6);
    expect(after.promptTokens - before.promptTokens).toBe(30);
    expect(after.costUsd - before.costUsd).toBeCloseTo((30 * 1 + 18 * 2) / 1e6, 12);
  });
});

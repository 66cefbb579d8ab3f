/**
 * OpenAI-compatible endpoints: GET /v1/models, POST /v1/chat/completions, POST /v1/completions.
 * A model without `+search` generates with the policy (n, stop, max_tokens, temperature, top_p,
 * logprobs, seed); with a search, each choice is one search of the prompt (seed + choice index)
 * and the response carries the trajectory summary under `reasoner`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatMessage, Completion, GenerateRequest, Task, Usage } from '@reasoner/core';
import type { ServerContext } from '../context.js';
import { HttpError, toErrorResponse } from '../openai-errors.js';
import type { SearchSpec } from '../models.js';
import { generateOnce, searchTask } from '../search-task.js';
import { openSse } from '../sse.js';
import { chatSchema, completionSchema } from './schemas.js';

interface SamplingBody {
  model: string;
  n?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  search?: SearchSpec | string;
  budget?: { tokens?: number; calls?: number; ms?: number };
}
interface ChatBody extends SamplingBody {
  messages: Array<{ role: string; content?: string | Array<{ type: string; text?: string }> | null }>;
  logprobs?: boolean | null;
}
interface CompletionBody extends SamplingBody {
  prompt: string | string[];
  logprobs?: number | null;
  echo?: boolean | null;
}

/** One generated choice before it is shaped for chat or completions. */
interface Choice {
  text: string;
  finishReason: 'stop' | 'length';
  /** vLLM-style: the stop sequence that ended the text (null: end of sequence or length). */
  stopReason: string | null;
  logprobs?: number[];
  tokens: number;
  record?: Record<string, unknown>;
}

const finish = (c: Completion): 'stop' | 'length' => (c.finishReason === 'length' ? 'length' : 'stop');

function messageText(content: ChatBody['messages'][number]['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text ?? '' : '')).join('');
}

/** The prompt a text policy sees: the last user message (the whole chat is passed as `messages`). */
function chatPrompt(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  throw new HttpError(400, '`messages` needs at least one message with role "user"', 'invalid_request_error', 'invalid_value', 'messages');
}

/** Per-token logprobs with token texts when tokens are characters (the embedded policy), else unnamed. */
function tokenTexts(text: string, count: number): string[] {
  const chars = [...text];
  return chars.length === count ? chars : Array.from({ length: count }, (_, i) => (i === 0 ? text : ''));
}

async function produce(ctx: ServerContext, req: FastifyRequest, body: SamplingBody, prompts: string[], messages: ChatMessage[] | undefined, logprobs: boolean): Promise<{ choices: Choice[]; usage: Usage; search: string | null }> {
  const n = body.n ?? 1;
  if (n * prompts.length > ctx.options.maxChoices) {
    throw new HttpError(400, `n × prompts = ${n * prompts.length} exceeds this server's limit of ${ctx.options.maxChoices} choices per request`, 'invalid_request_error', 'invalid_value', 'n');
  }
  const model = await ctx.models.resolve(body.model, body.search);
  const stop = body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop.filter(Boolean) : [body.stop];
  const budget = { tokens: ctx.options.maxTokensPerRequest, ...(body.budget ?? {}) };
  budget.tokens = Math.min(budget.tokens, ctx.options.maxTokensPerRequest);
  const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
  const add = (u: Usage) => { usage.promptTokens += u.promptTokens; usage.completionTokens += u.completionTokens; usage.calls += u.calls; };
  const seed = body.seed ?? undefined;
  const perPrompt = await Promise.all(prompts.map(async (prompt, p): Promise<Choice[]> => {
    const task: Task = { id: `${req.id}-p${p}`, prompt };
    if (!model.search) {
      const request: GenerateRequest = {
        prompt, messages, n, stop, logprobs,
        temperature: body.temperature ?? 1, topP: body.top_p ?? undefined,
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined, seed,
      };
      const r = await generateOnce(ctx.kernel, task, request, { signal: req.workSignal, budget, seed });
      add(r.usage);
      // Which stop matched is not reported by the policy: name the first one (enough to tell a step end from EOS).
      return r.completions.map((c) => ({ text: c.text, finishReason: finish(c), stopReason: c.finishReason === 'stop' ? stop?.[0] ?? null : null, logprobs: c.logprobs, tokens: c.tokens }));
    }
    ctx.metrics.searches.inc(n);
    try {
      return await Promise.all(Array.from({ length: n }, async (_, i) => {
        const { record } = await searchTask(ctx.kernel, model.search!, { ...task, id: `${task.id}-${i}` }, { signal: req.workSignal, budget, seed: seed === undefined ? undefined : seed + i });
        add(record.usage);
        return {
          text: record.solution, finishReason: 'stop' as const, stopReason: null, tokens: record.usage.completionTokens,
          record: { taskId: record.taskId, answer: record.answer, reward: record.reward?.value ?? null, correct: record.correct, search: record.search, ms: record.ms },
        };
      }));
    } finally {
      ctx.metrics.searches.dec(n);
    }
  }));
  return { choices: perPrompt.flat(), usage, search: model.searchLabel };
}

const usageJson = (u: Usage) => ({ prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens });

function reasonerExtra(r: { choices: Choice[]; search: string | null }) {
  return r.search ? { reasoner: { search: r.search, records: r.choices.map((c) => c.record) } } : {};
}

/** Errors after an SSE stream opened go into the stream (the status line is already sent). */
async function streamed(reply: FastifyReply, work: (send: (d: unknown) => void) => Promise<void>): Promise<void> {
  const sse = openSse(reply);
  try {
    await work((d) => sse.send(d));
  } catch (e) {
    const { status, body } = toErrorResponse(reply.request.workSignal.aborted ? reply.request.workSignal.reason ?? e : e);
    if (status >= 500) reply.request.log.error({ err: e }, 'stream failed');
    sse.send({ ...body, status });
  }
  sse.raw('[DONE]');
  sse.end();
}

export function openAiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/models', async () => ({
    object: 'list',
    data: ctx.models.list().map((id) => ({ id, object: 'model', created: 0, owned_by: 'reasoner' })),
  }));

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (req) => {
    await ctx.models.resolve(req.params.id);
    return { id: req.params.id, object: 'model', created: 0, owned_by: 'reasoner' };
  });

  app.post<{ Body: ChatBody }>('/v1/chat/completions', { schema: { body: chatSchema } }, async (req, reply) => {
    const body = req.body;
    const messages: ChatMessage[] = body.messages.map((m) => ({ role: (m.role === 'developer' ? 'system' : m.role === 'tool' ? 'user' : m.role) as ChatMessage['role'], content: messageText(m.content) }));
    const prompt = chatPrompt(messages);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const shapeLogprobs = (c: Choice) => (c.logprobs ? { content: tokenTexts(c.text, c.logprobs.length).map((token, i) => ({ token, logprob: c.logprobs![i]!, bytes: [...Buffer.from(token)], top_logprobs: [] })), refusal: null } : null);
    if (!body.stream) {
      const r = await produce(ctx, req, body, [prompt], messages, !!body.logprobs);
      return {
        id, object: 'chat.completion', created, model: body.model, system_fingerprint: null,
        choices: r.choices.map((c, index) => ({ index, message: { role: 'assistant', content: c.text, refusal: null }, logprobs: shapeLogprobs(c), finish_reason: c.finishReason, stop_reason: c.stopReason })),
        usage: usageJson(r.usage), ...reasonerExtra(r),
      };
    }
    await ctx.models.resolve(body.model, body.search); // unknown model → a 404 before the stream opens
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: null, choices, ...extra });
    await streamed(reply, async (send) => {
      const n = body.n ?? 1;
      send(chunk(Array.from({ length: n }, (_, index) => ({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }))));
      const r = await produce(ctx, req, body, [prompt], messages, !!body.logprobs);
      r.choices.forEach((c, index) => send(chunk([{ index, delta: { content: c.text }, logprobs: shapeLogprobs(c), finish_reason: null }])));
      r.choices.forEach((c, index) => send(chunk([{ index, delta: {}, logprobs: null, finish_reason: c.finishReason }])));
      if (body.stream_options?.include_usage) send(chunk([], { usage: usageJson(r.usage), ...reasonerExtra(r) }));
    });
  });

  app.post<{ Body: CompletionBody }>('/v1/completions', { schema: { body: completionSchema } }, async (req, reply) => {
    const body = req.body;
    const prompts = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const wantLogprobs = body.logprobs != null;
    const n = body.n ?? 1;
    const shape = (c: Choice, index: number) => {
      const prompt = prompts[Math.floor(index / n)]!;
      const toks = c.logprobs ? tokenTexts(c.text, c.logprobs.length) : [];
      let offset = body.echo ? prompt.length : 0;
      return {
        index,
        text: body.echo ? prompt + c.text : c.text,
        logprobs: wantLogprobs && c.logprobs
          ? { tokens: toks, token_logprobs: c.logprobs, top_logprobs: null, text_offset: toks.map((t) => { const o = offset; offset += t.length; return o; }) }
          : null,
        finish_reason: c.finishReason,
        stop_reason: c.stopReason,
      };
    };
    if (!body.stream) {
      const r = await produce(ctx, req, body, prompts, undefined, wantLogprobs);
      return { id, object: 'text_completion', created, model: body.model, system_fingerprint: null, choices: r.choices.map(shape), usage: usageJson(r.usage), ...reasonerExtra(r) };
    }
    await ctx.models.resolve(body.model, body.search);
    await streamed(reply, async (send) => {
      const r = await produce(ctx, req, body, prompts, undefined, wantLogprobs);
      r.choices.forEach((c, index) => send({ id, object: 'text_completion', created, model: body.model, choices: [{ ...shape(c, index), finish_reason: null }] }));
      r.choices.forEach((c, index) => send({ id, object: 'text_completion', created, model: body.model, choices: [{ index, text: '', logprobs: null, finish_reason: c.finishReason }] }));
      if (body.stream_options?.include_usage) send({ id, object: 'text_completion', created, model: body.model, choices: [], usage: usageJson(r.usage) });
    });
  });
}

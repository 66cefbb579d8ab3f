/**
 * POST /v1/reason: one task, one search, streamed as it runs. Events (SSE `event:` names):
 * `start` {taskId, model, search}, `select` / `expand` / `evaluate` / `backup` (tree searches'
 * hooks; nodes as {id, parent, depth, step, visits, value, reward, terminal}), `candidate`
 * (every scored solution — best-of-N has no tree), `generate` (a policy call), `best` (best so
 * far, when it improves), then `tree` (tree searches: the final tree, compact) and `record`
 * (the trajectory record, with its graded candidates and kept tree), or `error`. `stream: false` returns {record, tree, candidates} as one JSON body.
 */
import type { FastifyInstance } from 'fastify';
import type { SearchNode, Task } from '@reasoner/core';
import type { ServerContext } from '../context.js';
import type { HubEvent } from '../hub.js';
import type { SearchSpec } from '../models.js';
import { HttpError, toErrorResponse } from '../openai-errors.js';
import { searchTask } from '../search-task.js';
import { openSse } from '../sse.js';
import { reasonSchema } from './schemas.js';

interface ReasonBody {
  model?: string;
  prompt?: string;
  task?: { id?: string; prompt: string; answer?: string; meta?: Record<string, unknown> };
  search?: SearchSpec | string;
  budget?: { tokens?: number; calls?: number; ms?: number };
  seed?: number;
  stream?: boolean;
}

/** A node as streamed: its last step instead of the whole path (the path follows from parents). */
export function nodeJson(n: SearchNode): Record<string, unknown> {
  return { id: n.id, parent: n.parent, depth: n.steps.length, step: n.steps[n.steps.length - 1] ?? '', visits: n.visits, value: n.value, reward: (n as { reward?: number }).reward ?? null, terminal: n.terminal, children: n.children.length };
}

function eventJson(e: HubEvent): Record<string, unknown> {
  switch (e.type) {
    case 'select': return { node: nodeJson(e.node) };
    case 'expand': return { node: nodeJson(e.node), children: e.children.map(nodeJson) };
    case 'evaluate': return { node: nodeJson(e.node), value: e.value };
    case 'backup': return { node: nodeJson(e.node), value: e.value };
    case 'candidate': return { text: e.text, reward: e.reward.value, correct: e.reward.correct ?? null, steps: e.reward.steps ?? null, answer: e.reward.answer ?? null };
    case 'generate': return { completions: e.completions, tokens: e.tokens };
  }
}

export function reasonRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: ReasonBody }>('/v1/reason', { schema: { body: reasonSchema } }, async (req, reply) => {
    const body = req.body;
    const prompt = body.task?.prompt ?? body.prompt;
    if (prompt === undefined) throw new HttpError(400, 'give the task as `task: { prompt, answer? }` or `prompt`', 'invalid_request_error', 'missing_field', 'task');
    const modelId = body.model ?? (ctx.kernel.service('search') ? `${ctx.models.alias}+config` : `${ctx.models.alias}+bon`);
    const model = await ctx.models.resolve(modelId, body.search);
    if (!model.search) throw new HttpError(400, `model \`${modelId}\` names no search; /v1/reason needs one (e.g. \`${ctx.models.alias}+bon16\`, or a \`search\` field)`, 'invalid_request_error', 'invalid_value', 'model');
    const task: Task = { id: body.task?.id ? `${req.id}:${body.task.id}` : String(req.id), prompt, answer: body.task?.answer, meta: body.task?.meta };
    const budget = { tokens: ctx.options.maxTokensPerRequest, ...(body.budget ?? {}) };
    budget.tokens = Math.min(budget.tokens, ctx.options.maxTokensPerRequest);
    const run = () => searchTask(ctx.kernel, model.search!, task, { signal: req.workSignal, budget, seed: body.seed });
    ctx.metrics.searches.inc();
    if (body.stream === false) {
      try {
        const { record, result } = await run();
        return { record, tree: result.tree?.slice(0, 2048).map(nodeJson) ?? null, candidates: result.candidates.map((c) => ({ text: c.text, reward: c.reward?.value ?? null, correct: c.reward?.correct ?? null, steps: c.reward?.steps ?? null })) };
      } finally {
        ctx.metrics.searches.dec();
      }
    }
    const sse = openSse(reply);
    let best = -Infinity;
    const unsubscribe = ctx.hub.subscribe(task.id, (e) => {
      sse.send(eventJson(e), e.type);
      if (e.type === 'candidate' && e.reward.value > best) {
        best = e.reward.value;
        sse.send({ text: e.text, reward: e.reward.value, correct: e.reward.correct ?? null }, 'best');
      }
    });
    sse.send({ taskId: task.id, model: modelId, search: model.searchLabel ?? model.search.name, prompt }, 'start');
    try {
      const { record, result } = await run();
      if (result.tree) sse.send({ nodes: result.tree.length, kept: result.tree.slice(0, 2048).map(nodeJson) }, 'tree');
      sse.send(record, 'record');
    } catch (e) {
      const { status, body: err } = toErrorResponse(req.workSignal.aborted ? req.workSignal.reason ?? e : e);
      if (status >= 500) req.log.error({ err: e }, 'search failed');
      sse.send({ ...err, status }, 'error');
    } finally {
      unsubscribe();
      ctx.metrics.searches.dec();
      sse.end();
    }
  });
}

/** Jobs over HTTP: start, list, progress (JSON and SSE), cancel, download records; runs on disk too. */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ReasonerError, type ReasonerConfig } from '@reasoner/core';
import type { ServerContext } from '../context.js';
import type { JobEvent } from '../jobs.js';
import { openSse } from '../sse.js';
import { runSchema } from './schemas.js';

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Runs written to the runs folder (by this server or by `reasoner run`), newest first. */
export async function runsOnDisk(runsDir: string, max = 200): Promise<Array<{ id: string; dir: string; summary: Record<string, unknown> | null; mtime: number }>> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return [];
  }
  const out = [];
  for (const id of names) {
    const dir = path.join(runsDir, id);
    const s = await stat(path.join(dir, 'trajectories.jsonl')).catch(() => null);
    if (!s) continue;
    out.push({ id, dir, summary: await readJson(path.join(dir, 'summary.json')), mtime: s.mtimeMs });
  }
  return out.sort((a, b) => b.mtime - a.mtime).slice(0, max);
}

export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: { config?: ReasonerConfig; limit?: number; concurrency?: number; runId?: string } }>('/v1/runs', { schema: { body: runSchema } }, async (req, reply) => {
    const job = await ctx.jobs.start(req.body ?? {});
    reply.code(201);
    return job;
  });

  app.get('/v1/runs', async () => ({
    jobs: ctx.jobs.list(),
    runs: (await runsOnDisk(ctx.runsDir)).map(({ id, summary, mtime }) => ({ id, summary, modified: new Date(mtime).toISOString() })),
  }));

  app.get<{ Params: { id: string } }>('/v1/runs/:id', async (req) => {
    const job = ctx.jobs.get(req.params.id);
    if (job) return job.state;
    const dir = ctx.jobs.runDir(req.params.id, ctx.runsDir);
    const summary = await readJson(path.join(dir, 'summary.json'));
    if (!summary && !(await stat(path.join(dir, 'trajectories.jsonl')).catch(() => null))) throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `no job or run "${req.params.id}"`, { hint: 'GET /v1/runs lists them' });
    return { id: req.params.id, status: summary ? 'done' : 'unknown', runId: req.params.id, dir, summary };
  });

  app.delete<{ Params: { id: string } }>('/v1/runs/:id', async (req) => ctx.jobs.cancel(req.params.id));

  app.get<{ Params: { id: string } }>('/v1/runs/:id/events', async (req, reply) => {
    const job = ctx.jobs.require(req.params.id);
    const sse = openSse(reply);
    sse.send({ type: 'status', job: job.state }, 'status');
    if (job.state.finishedAt) {
      sse.send({ type: 'end', job: job.state }, 'end');
      return sse.end();
    }
    const onEvent = (e: JobEvent) => {
      sse.send(e, e.type);
      if (e.type === 'end') { job.off('event', onEvent); sse.end(); }
    };
    job.on('event', onEvent);
    reply.raw.on('close', () => job.off('event', onEvent));
  });

  app.get<{ Params: { id: string }; Querystring: { format?: string; offset?: string; limit?: string } }>('/v1/runs/:id/records', async (req, reply) => {
    const dir = ctx.jobs.runDir(req.params.id, ctx.runsDir);
    const file = path.join(dir, 'trajectories.jsonl');
    if (!(await stat(file).catch(() => null))) throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `run "${req.params.id}" has no records yet`, { hint: 'GET /v1/runs/:id shows its progress' });
    if (req.query.format !== 'json') {
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${path.basename(dir)}-trajectories.jsonl"`);
      return reply.send(createReadStream(file));
    }
    const offset = Math.max(0, Number.parseInt(req.query.offset ?? '0', 10) || 0);
    const limit = Math.min(500, Math.max(1, Number.parseInt(req.query.limit ?? '50', 10) || 50));
    const records: unknown[] = [];
    let total = 0;
    // Read as a live run writes it: a torn last line is skipped, not an error.
    for (const text of (await readFile(file, 'utf8')).split('\n')) {
      if (!text.trim()) continue;
      let value: unknown;
      try { value = JSON.parse(text); } catch { continue; }
      if (total >= offset && records.length < limit) records.push(value);
      total++;
    }
    return { offset, limit, total, records };
  });
}

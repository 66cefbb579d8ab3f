/**
 * The dashboard (GET /, static files in ../public, no build step) and the data it plots
 * (GET /v1/dashboard): accuracy vs compute from every run's summary, plus any JSON file under
 * the runs folder that holds learning rounds (`{ rounds: [{ round, greedy, … }] }`, as
 * `reasoner iterate --json` prints) or accuracy/tokens rows (a compare table).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { runsOnDisk } from './runs.js';

export const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');

interface ComputePoint { label: string; tokensPerTask: number; accuracy: number; tasks: number; source: string }
interface Curve { label: string; source: string; points: Array<{ x: number; y: number; metric: string }> }

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

async function jsonFiles(dir: string, depth: number, out: string[] = []): Promise<string[]> {
  if (depth < 0 || out.length > 400) return out;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await jsonFiles(p, depth - 1, out);
    else if (e.name.endsWith('.json') && !['config.json', 'summary.json'].includes(e.name)) out.push(p);
  }
  return out;
}

/** Reads what other tools wrote; shapes it does not know are ignored, never an error. */
export function extractSeries(value: unknown, source: string): { curves: Curve[]; points: ComputePoint[] } {
  const curves: Curve[] = [];
  const points: ComputePoint[] = [];
  const rows = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((r) => r && typeof r === 'object') as Record<string, unknown>[] : []);
  const visit = (v: unknown, label: string, level: number): void => {
    if (level > 3 || !v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const rounds = rows(o.rounds);
    if (rounds.length) {
      for (const metric of ['greedy', 'accuracy', 'passAtK', 'pass@1']) {
        const pts = rounds.map((r, i) => ({ x: num(r.round) ?? i + 1, y: num(r[metric]) ?? num((r[metric] as Record<string, unknown>)?.['16']), metric })).filter((p): p is { x: number; y: number; metric: string } => p.y !== null);
        if (pts.length) curves.push({ label: `${label} ${metric}`.trim(), source, points: pts });
      }
    }
    const list = Array.isArray(v) ? rows(v) : [];
    for (const r of list) {
      const acc = num(r.accuracy), tok = num(r.tokensPerTask) ?? num(r.tokens);
      if (acc !== null && tok !== null) points.push({ label: String(r.search ?? r.name ?? r.label ?? label), tokensPerTask: tok, accuracy: acc, tasks: num(r.tasks) ?? num(r.n) ?? 0, source });
    }
    if (!Array.isArray(v)) for (const [k, child] of Object.entries(o)) if (k !== 'rounds' && child && typeof child === 'object') visit(child, label || k, level + 1);
  };
  visit(value, '', 0);
  return { curves, points };
}

async function dashboardData(ctx: ServerContext) {
  const points: ComputePoint[] = [];
  const runs = await runsOnDisk(ctx.runsDir, 100);
  for (const r of runs) {
    const s = r.summary as { tasks?: number; accuracy?: number; usage?: { promptTokens: number; completionTokens: number } } | null;
    if (!s?.tasks || !s.usage || typeof s.accuracy !== 'number') continue;
    const cfg = JSON.parse(await readFile(path.join(r.dir, 'config.json'), 'utf8').catch(() => '{}')) as { plugins?: Array<{ kind: string; name: string; options?: Record<string, unknown> }> };
    const search = cfg.plugins?.find((p) => p.kind === 'search');
    const label = search ? `${search.name.replace(/^search-/, '')}${search.options && Object.keys(search.options).length ? ` ${JSON.stringify(search.options)}` : ''}` : r.id;
    points.push({ label, tokensPerTask: (s.usage.promptTokens + s.usage.completionTokens) / s.tasks, accuracy: s.accuracy, tasks: s.tasks, source: `run ${r.id}` });
  }
  const curves: Curve[] = [];
  for (const file of await jsonFiles(ctx.runsDir, 3)) {
    const st = await stat(file).catch(() => null);
    if (!st || st.size > 2_000_000) continue;
    try {
      const found = extractSeries(JSON.parse(await readFile(file, 'utf8')), path.relative(ctx.runsDir, file));
      curves.push(...found.curves);
      points.push(...found.points);
    } catch { /* not JSON we understand */ }
  }
  return { runsDir: ctx.runsDir, points, curves, models: ctx.models.list(), auth: ctx.keys.enabled };
}

export async function dashboardRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/v1/dashboard', async () => dashboardData(ctx));
  if (!ctx.options.dashboard) return;
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: ['index.html'], wildcard: false });
}

/**
 * The HTTP server: Fastify with ajv schemas, pino request logs (request ids), API keys, per-key
 * rate limits, body limits, per-request timeouts and cancellation on disconnect, OpenAI-shaped
 * errors, Prometheus metrics.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ReasonerError, type Kernel } from '@reasoner/core';
import { isLoopbackHost, KeyCheck } from './auth.js';
import { DEFAULT_SERVE_OPTIONS, type ServeOptions, type ServerContext } from './context.js';
import { hubOf, type Hub } from './hub.js';
import { JobManager } from './jobs.js';
import { createMetrics } from './metrics.js';
import { ModelRegistry } from './models.js';
import { errorBody, toErrorResponse } from './openai-errors.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { openAiRoutes } from './routes/openai.js';
import { reasonRoutes } from './routes/reason.js';
import { rewardRoutes } from './routes/reward.js';
import { runRoutes } from './routes/runs.js';

export interface ReasonerServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** http://host:port once listening. */
  url: string;
  close(): Promise<void>;
}

/** Paths that need no key: the health check and the dashboard's static files (they hold no data). */
const PUBLIC = (url: string): boolean => url === '/healthz' || !(url.startsWith('/v1/') || url === '/metrics' || url === '/get_reward');

export async function createServer(kernel: Kernel, opts: Partial<ServeOptions> = {}): Promise<ReasonerServer> {
  const options: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, ...opts };
  const hub: Hub | undefined = hubOf(kernel.hooks);
  if (!hub) {
    throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'the server needs the server-http extension set up in the kernel (it taps the search hooks)', {
      hint: 'add "@reasoner/plugin-server-http" to the config\'s plugins, or start it with `reasoner serve` (which adds it)',
    });
  }
  const keys = new KeyCheck(options.apiKeys);
  if (!keys.enabled && !isLoopbackHost(options.host)) {
    throw new ReasonerError('RSN_ERR_USAGE', `refusing to listen on ${options.host} without an API key: anyone on the network could use this server`, {
      hint: 'set REASONER_API_KEY (or --api-key), or listen on 127.0.0.1',
    });
  }
  const metrics = createMetrics();
  hub.onGenerate((u) => {
    metrics.tokens.inc({ type: 'prompt' }, u.promptTokens);
    metrics.tokens.inc({ type: 'completion' }, u.completionTokens);
    metrics.policyCalls.inc(u.calls || 1);
  });
  const models = new ModelRegistry(kernel, options.searches);
  const jobs = new JobManager(kernel, (d) => metrics.jobs.inc(d));
  const runsDir = path.resolve(kernel.dir, kernel.config.run.out);
  const ctx: ServerContext = { kernel, options, hub, models, metrics, jobs, keys, runsDir };

  let reqSeq = 0;
  const app = Fastify({
    logger: { level: options.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: options.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req-${Date.now().toString(36)}-${(++reqSeq).toString(36)}`;
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, allowUnionTypes: true } },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: true,
  });
  app.decorateRequest('workSignal', null as unknown as AbortSignal);

  app.setErrorHandler((err, req, reply) => {
    const e = req.workSignal?.aborted && (err as { code?: string })?.code === 'RSN_ERR_ABORTED' ? req.workSignal.reason ?? err : err;
    const { status, body } = toErrorResponse(e);
    if (status >= 500 && status !== 502) req.log.error({ err }, 'request failed');
    else req.log.info({ status, code: body.error.code }, body.error.message);
    if (reply.sent || reply.raw.headersSent) return;
    void reply.code(status).header('x-request-id', req.id).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(404, `no route ${req.method} ${req.url.split('?')[0]} (see the README of @reasoner/plugin-server-http)`, 'not_found'));
  });

  // Cancellation and timeouts: the AbortSignal every handler passes to the search and the policy.
  app.addHook('onRequest', async (req, reply) => {
    const ac = new AbortController();
    req.workSignal = ac.signal;
    const started = process.hrtime.bigint();
    metrics.inFlight.inc();
    const timer = options.requestTimeoutMs > 0
      ? setTimeout(() => ac.abort(new ReasonerError('RSN_ERR_TIMEOUT', `the request took longer than ${options.requestTimeoutMs} ms`, { hint: 'ask for less (n, max_tokens, budget) or start the server with a larger --request-timeout' })), options.requestTimeoutMs)
      : null;
    timer?.unref();
    reply.raw.once('close', () => {
      if (timer) clearTimeout(timer);
      const finished = reply.raw.writableFinished;
      if (!finished) ac.abort(new ReasonerError('RSN_ERR_ABORTED', 'the client disconnected', { hint: 'the work for this request was cancelled' }));
      metrics.inFlight.dec();
      const route = req.routeOptions?.url ?? 'unmatched';
      const status = finished ? reply.raw.statusCode : 499;
      metrics.requests.inc({ route, method: req.method, status: String(status) });
      metrics.latency.observe({ route, method: req.method }, Number(process.hrtime.bigint() - started) / 1e9);
      if (!finished) req.log.info({ status: 499 }, 'client closed the request; work cancelled');
    });
    if (!PUBLIC(req.url.split('?')[0]!)) keys.check(req.headers, req.socket.remoteAddress);
  });

  if (options.rateLimit > 0) {
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimit,
      timeWindow: 60_000,
      keyGenerator: (req) => {
        const k = KeyCheck.presented(req.headers);
        return k ? `key:${k}` : `ip:${req.ip}`;
      },
      allowList: (req) => PUBLIC(req.url.split('?')[0]!) && req.url !== '/',
      errorResponseBuilder: (_req, c) => ({ statusCode: 429, ...errorBody(429, `Rate limit reached: ${c.max} requests per ${c.after}; retry later`, 'rate_limit_exceeded') }),
    });
  }

  app.get('/healthz', async () => ({ status: 'ok', policy: kernel.service('policy')?.id ?? null, models: models.list(), uptimeS: Math.round(process.uptime()), jobs: jobs.list().filter((j) => j.status === 'running').length }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  openAiRoutes(app, ctx);
  reasonRoutes(app, ctx);
  runRoutes(app, ctx);
  rewardRoutes(app, ctx);
  await dashboardRoutes(app, ctx);

  const address = await app.listen({ port: options.port, host: options.host });
  const url = address.replace('[::1]', '[::1]');
  let closed = false;
  return {
    app, ctx, url,
    async close() {
      if (closed) return;
      closed = true;
      await jobs.close();
      await app.close();
      await models.close();
    },
  };
}

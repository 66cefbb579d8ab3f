import type { Kernel } from '@reasoner/core';
import type { KeyCheck } from './auth.js';
import type { Hub } from './hub.js';
import type { JobManager } from './jobs.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelRegistry, SearchSpec } from './models.js';

export interface ServeOptions {
  /** Default 8080; 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. A non-loopback host needs an API key. */
  host: string;
  /** API keys (also REASONER_API_KEY, comma-separated). */
  apiKeys: string[];
  /** Largest request body, bytes (413 beyond; default 1 MiB). */
  bodyLimit: number;
  /** Requests per minute per API key (or per client address without keys); 0 = no limit. Default 600. */
  rateLimit: number;
  /** Work per request is cancelled after this many ms (408); default 120 000. */
  requestTimeoutMs: number;
  /** Token budget of one request (every search / generation it starts); default 200 000. */
  maxTokensPerRequest: number;
  /** Most completions one request may ask for (n × prompts); default 64. */
  maxChoices: number;
  /** Log level of the server's pino logger. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Serve the dashboard at GET / (default true). */
  dashboard: boolean;
  /** More models: `{ fast: { use: '@reasoner/plugin-search-bon', options: { n: 4 } } }` serves `<policy>+fast`. */
  searches: Record<string, SearchSpec>;
}

export const DEFAULT_SERVE_OPTIONS: ServeOptions = {
  port: 8080, host: '127.0.0.1', apiKeys: [], bodyLimit: 1024 * 1024, rateLimit: 600, requestTimeoutMs: 120_000,
  maxTokensPerRequest: 200_000, maxChoices: 64, logLevel: 'info', dashboard: true, searches: {},
};

/** What every route gets. */
export interface ServerContext {
  kernel: Kernel;
  options: ServeOptions;
  hub: Hub;
  models: ModelRegistry;
  metrics: ServerMetrics;
  jobs: JobManager;
  keys: KeyCheck;
  /** Folder runs are written to (the config's run.out). */
  runsDir: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborted when the client disconnects (RSN_ERR_ABORTED) or the request times out (RSN_ERR_TIMEOUT). */
    workSignal: AbortSignal;
  }
}

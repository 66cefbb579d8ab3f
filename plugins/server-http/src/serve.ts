/** `reasoner serve`: starts the server on the loaded kernel and runs until SIGINT/SIGTERM. */
import { ReasonerError, type Kernel } from '@reasoner/core';
import { isLoopbackHost, parseKeys } from './auth.js';
import { DEFAULT_SERVE_OPTIONS, type ServeOptions } from './context.js';
import { createServer, type ReasonerServer } from './server.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  apiKey?: string;
  rateLimit?: string;
  bodyLimit?: string;
  requestTimeout?: string;
  maxTokens?: string;
  dashboard?: boolean;
  logLevel?: string;
}

/** Commander flags of `reasoner serve` (core registers the command with these). */
export const serveFlags: Array<[flags: string, description: string, defaultValue?: string]> = [
  ['--port <n>', 'port (0 = any free port)', String(DEFAULT_SERVE_OPTIONS.port)],
  ['--host <host>', 'address to listen on; anything but loopback needs an API key', DEFAULT_SERVE_OPTIONS.host],
  ['--api-key <keys>', 'API key(s), comma-separated (also REASONER_API_KEY); none = loopback clients only'],
  ['--rate-limit <n>', 'requests per minute per key (0 = off)', String(DEFAULT_SERVE_OPTIONS.rateLimit)],
  ['--body-limit <bytes>', 'largest request body', String(DEFAULT_SERVE_OPTIONS.bodyLimit)],
  ['--request-timeout <ms>', 'cancel a request\'s work after this long (408)', String(DEFAULT_SERVE_OPTIONS.requestTimeoutMs)],
  ['--max-tokens <n>', 'token budget of one request', String(DEFAULT_SERVE_OPTIONS.maxTokensPerRequest)],
  ['--no-dashboard', 'do not serve the dashboard at /'],
];

function int(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ReasonerError('RSN_ERR_USAGE', `${flag} must be an integer ≥ ${min} (got "${v}")`, { hint: `e.g. ${flag} ${Math.max(min, 1) * 10}` });
  return n;
}

export function optionsFromFlags(f: ServeFlags, env: NodeJS.ProcessEnv = process.env): Partial<ServeOptions> {
  const level = f.logLevel as ServeOptions['logLevel'] | undefined;
  return {
    port: int(f.port, '--port', 0),
    host: f.host,
    apiKeys: parseKeys(env.REASONER_API_KEY, f.apiKey),
    rateLimit: int(f.rateLimit, '--rate-limit', 0),
    bodyLimit: int(f.bodyLimit, '--body-limit', 1024),
    requestTimeoutMs: int(f.requestTimeout, '--request-timeout', 0),
    maxTokensPerRequest: int(f.maxTokens, '--max-tokens', 1),
    dashboard: f.dashboard !== false,
    ...(level ? { logLevel: level } : {}),
  };
}

/** Starts the server and resolves when `signal` aborts (then closes it: jobs cancelled, connections ended). */
export async function serve(kernel: Kernel, flags: ServeFlags, signal: AbortSignal, onListening?: (s: ReasonerServer) => void): Promise<void> {
  const opts = Object.fromEntries(Object.entries(optionsFromFlags(flags)).filter(([, v]) => v !== undefined)) as Partial<ServeOptions>;
  const server = await createServer(kernel, opts);
  const o = server.ctx.options;
  kernel.logger.info(`serving ${server.ctx.models.list().join(', ')} at ${server.url}${o.dashboard ? ` (dashboard: ${server.url}/)` : ''}`);
  if (!server.ctx.keys.enabled) kernel.logger.warn(`no API key configured: answering loopback clients only (${isLoopbackHost(o.host) ? o.host : '?'}); set REASONER_API_KEY or --api-key to serve others`);
  onListening?.(server);
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  kernel.logger.info('server stopped (jobs cancelled, connections closed)');
}

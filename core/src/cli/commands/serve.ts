import type { Command } from 'commander';
import { ReasonerError } from '../../errors.js';
import type { ReasonerConfig } from '../../config/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, withKernel } from '../shared.js';

const SERVER_PACKAGE = '@reasoner/plugin-server-http';

interface ServerModule {
  default: unknown;
  serve(kernel: Kernel, flags: Record<string, unknown>, signal: AbortSignal): Promise<void>;
  serveFlags: Array<[string, string, string?]>;
}

async function loadServer(): Promise<ServerModule> {
  try {
    return (await import(SERVER_PACKAGE)) as ServerModule;
  } catch (e) {
    throw new ReasonerError('RSN_ERR_PLUGIN_NOT_FOUND', `reasoner serve needs ${SERVER_PACKAGE} (${(e as Error).message.split('\n')[0]})`, {
      plugin: SERVER_PACKAGE, hint: `npm install ${SERVER_PACKAGE}`,
    });
  }
}

/** Flags are declared here (the server package loads only when the command runs); they match its serveFlags. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the config over HTTP: OpenAI-compatible API, streamed search, jobs, reward endpoint, dashboard')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--host <host>', 'address to listen on; anything but loopback needs an API key', '127.0.0.1')
    .option('--api-key <keys>', 'API key(s), comma-separated (also REASONER_API_KEY); none = loopback clients only')
    .option('--rate-limit <n>', 'requests per minute per key (0 = off)', '600')
    .option('--body-limit <bytes>', 'largest request body', '1048576')
    .option('--request-timeout <ms>', 'cancel a request\'s work after this long (408)', '120000')
    .option('--max-tokens <n>', 'token budget of one request', '200000')
    .option('--no-dashboard', 'do not serve the dashboard at /')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const g = globals(cmd);
      const mod = await loadServer();
      // The server's extension taps the search hooks, so it must be set up with the kernel.
      const addServer = (c: ReasonerConfig): ReasonerConfig => {
        const plugins = [...((c.plugins ?? []) as unknown[])];
        const named = plugins.some((p) => p === SERVER_PACKAGE || (typeof p === 'object' && p !== null && ((p as { use?: string }).use === SERVER_PACKAGE || (p as { definition?: { name?: string } }).definition?.name === 'server-http')));
        if (!named) plugins.push(mod.default);
        return { ...c, plugins } as ReasonerConfig;
      };
      const { checkpoint, ...serveOpts } = opts;
      await withKernel(g, (kernel, signal) => mod.serve(kernel, { ...serveOpts, logLevel: g.logLevel ?? (g.debug ? 'debug' : undefined) }, signal), checkpointOverride(checkpoint as string | undefined, addServer));
    });
}

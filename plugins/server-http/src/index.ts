/**
 * @reasoner/plugin-server-http — `reasoner serve`: an OpenAI-compatible API over the configured
 * policy and searches, streamed searches (/v1/reason), jobs (/v1/runs), an OpenRLHF-style reward
 * endpoint, /healthz, /metrics and a live dashboard at GET /.
 *
 * As a plugin it is an extension that taps the search, reward and generate hooks (hooks freeze
 * after setup, so the server routes those calls to its streams from here).
 */
import { definePlugin } from '@reasoner/core';
import { tapHub } from './hub.js';

export { createServer, type ReasonerServer } from './server.js';
export { serve, serveFlags, type ServeFlags } from './serve.js';
export { DEFAULT_SERVE_OPTIONS, type ServeOptions } from './context.js';
export { ModelRegistry, policyAlias, type SearchSpec } from './models.js';
export { hubOf, tapHub, type Hub, type HubEvent } from './hub.js';
export { searchTask, generateOnce } from './search-task.js';
export { toErrorResponse, errorBody, HttpError } from './openai-errors.js';
export { extractSeries } from './routes/dashboard.js';

export default definePlugin<Record<string, never>, 'extension'>({
  name: 'server-http',
  kind: 'extension',
  apiVersion: 1,
  description: 'reasoner serve: OpenAI-compatible API, streamed search, jobs, reward endpoint, dashboard',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  setup(ctx) {
    tapHub(ctx.hooks);
  },
});

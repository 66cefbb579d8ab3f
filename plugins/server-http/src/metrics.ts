/** Prometheus metrics (prom-client), one registry per server so several servers can share a process. */
import client from 'prom-client';

export interface ServerMetrics {
  registry: client.Registry;
  requests: client.Counter<'route' | 'method' | 'status'>;
  latency: client.Histogram<'route' | 'method'>;
  tokens: client.Counter<'type'>;
  policyCalls: client.Counter;
  inFlight: client.Gauge;
  searches: client.Gauge;
  jobs: client.Gauge;
}

export function createMetrics(): ServerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'reasoner_process_' });
  const m: ServerMetrics = {
    registry,
    requests: new client.Counter({ name: 'reasoner_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    latency: new client.Histogram({
      name: 'reasoner_http_request_duration_seconds', help: 'HTTP request latency (to the last byte, streams included)', labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
    }),
    tokens: new client.Counter({ name: 'reasoner_tokens_total', help: 'Tokens processed by the policy (prompt, completion)', labelNames: ['type'], registers: [registry] }),
    policyCalls: new client.Counter({ name: 'reasoner_policy_calls_total', help: 'Policy generate calls', registers: [registry] }),
    inFlight: new client.Gauge({ name: 'reasoner_requests_in_flight', help: 'Requests accepted and not answered yet (queue depth)', registers: [registry] }),
    searches: new client.Gauge({ name: 'reasoner_searches_in_flight', help: 'Searches running', registers: [registry] }),
    jobs: new client.Gauge({ name: 'reasoner_jobs_running', help: 'Jobs (/v1/runs) running', registers: [registry] }),
  };
  return m;
}

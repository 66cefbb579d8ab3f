/**
 * server-http load benchmark (loopback only, bounded): requests/s and p50/p99 latency of
 * POST /v1/completions on the embedded tiny policy at 1, 16 and 64 concurrent clients
 * (autocannon), errors counted; the same generate calls made directly on the policy (no HTTP) as
 * the baseline measured in this run; a search model (tiny+bon16) at 16 clients; then an RSS soak.
 * Env: BENCH_QUICK=1 shortens every phase; SERVER_BENCH_SECONDS (per level, default 8),
 * SERVER_SOAK_SECONDS (default 45, at most 60).
 */
import os from 'node:os';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type autocannon from 'autocannon';
import { kernelFromConfig, type ReasonerConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';
import serverHttp, { createServer } from '../src/index.js';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = Number(process.env.SERVER_BENCH_SECONDS ?? (QUICK ? 3 : 8));
const SOAK = Math.min(60, Number(process.env.SERVER_SOAK_SECONDS ?? (QUICK ? 10 : 45)));
const PROMPT = '3 7 25 4>89\n';
const BODY = { model: 'tiny', prompt: PROMPT, max_tokens: 64, temperature: 0.8 };

interface Level { clients: number; reqPerS: number; tokensPerS: number; p50Ms: number; p99Ms: number; requests: number; errors: number; non2xx: number }

/** autocannon in a child process (the load generator must not share the server's event loop). */
function fire(url: string, path: string, body: unknown, connections: number, seconds: number): Promise<autocannon.Result> {
  const args = [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', JSON.stringify(body), url + path];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 2 ** 20, timeout: (seconds + 60) * 1000 }, (err, stdout) => {
      if (err) return reject(err);
      try { resolve(JSON.parse(stdout) as autocannon.Result); } catch (e) { reject(e); }
    });
  });
}

export default {
  name: 'server-http',
  async run(): Promise<Record<string, unknown>> {
    const kernel = await kernelFromConfig({ policy: tiny(), tasks: countdown(), search: bon({ n: 16, select: 'reward', temperature: 0.8 }), plugins: [serverHttp()], run: { out: os.tmpdir() + '/rsn-bench-runs' } } as ReasonerConfig, process.cwd());
    const server = await createServer(kernel, { port: 0, logLevel: 'silent', rateLimit: 0, requestTimeoutMs: 60_000 });
    const policy = kernel.require('policy');
    const out: Record<string, unknown> = { loadAverage: os.loadavg().map((x) => +x.toFixed(1)), cpus: os.cpus().length, secondsPerLevel: SECONDS };
    try {
      await fire(server.url, '/v1/completions', BODY, 8, 1); // warm-up
      // Baseline: the same requests straight into the policy, `c` at a time, no HTTP.
      const direct: Record<string, number> = {};
      for (const c of [1, 64]) {
        let done = 0;
        await Promise.all(Array.from({ length: c }, () => policy.generate({ prompt: PROMPT, maxTokens: 64, temperature: 0.8, n: 1 })));
        const t0 = performance.now();
        const until = t0 + SECONDS * 1000;
        await Promise.all(Array.from({ length: c }, async () => {
          while (performance.now() < until) {
            await policy.generate({ prompt: PROMPT, maxTokens: 64, temperature: 0.8, n: 1 });
            done++;
          }
        }));
        direct[`c${c}`] = +(done / ((performance.now() - t0) / 1000)).toFixed(1);
      }
      out.directPolicyReqPerS = direct;
      const levels: Level[] = [];
      for (const clients of [1, 16, 64]) {
        const r = await fire(server.url, '/v1/completions', BODY, clients, SECONDS);
        levels.push({
          clients, reqPerS: +r.requests.average.toFixed(1), tokensPerS: 0, p50Ms: r.latency.p50, p99Ms: r.latency.p99,
          requests: r.requests.total, errors: r.errors + r.timeouts, non2xx: r.non2xx,
        });
      }
      // Completion tokens per request, measured once (same sampling settings as the load).
      const sample = await (await fetch(`${server.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...BODY, n: 16 }) })).json() as { usage: { completion_tokens: number } };
      const tokPerReq = sample.usage.completion_tokens / 16;
      for (const l of levels) l.tokensPerS = Math.round(l.reqPerS * tokPerReq);
      out.completions = levels;
      out.batching = {
        throughput64over1: +(levels[2]!.reqPerS / levels[0]!.reqPerS).toFixed(1),
        httpOverDirectAt1: +(levels[0]!.reqPerS / direct.c1!).toFixed(2),
        httpOverDirectAt64: +(levels[2]!.reqPerS / direct.c64!).toFixed(2),
      };
      const s = await fire(server.url, '/v1/completions', { ...BODY, model: 'tiny+bon16' }, 16, SECONDS);
      out.searchBon16At16 = { reqPerS: +s.requests.average.toFixed(2), samplesPerS: Math.round(s.requests.average * 16), p50Ms: s.latency.p50, p99Ms: s.latency.p99, errors: s.errors + s.timeouts, non2xx: s.non2xx };
      // Soak: 16 clients for SOAK seconds, RSS sampled every second.
      global.gc?.();
      const rss: number[] = [process.memoryUsage().rss];
      const timer = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      const soak = await fire(server.url, '/v1/completions', BODY, 16, SOAK);
      clearInterval(timer);
      global.gc?.();
      rss.push(process.memoryUsage().rss);
      const mb = (b: number) => +(b / 2 ** 20).toFixed(1);
      const half = Math.floor(rss.length / 2);
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      out.soak = {
        seconds: SOAK, clients: 16, requests: soak.requests.total, errors: soak.errors + soak.timeouts, non2xx: soak.non2xx,
        rssStartMb: mb(rss[0]!), rssMaxMb: mb(Math.max(...rss)), rssEndMb: mb(rss[rss.length - 1]!),
        rssFirstHalfMeanMb: mb(mean(rss.slice(1, half))), rssSecondHalfMeanMb: mb(mean(rss.slice(half, -1))),
      };
    } finally {
      await server.close();
      await kernel.close();
    }
    return out;
  },
};

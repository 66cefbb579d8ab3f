/**
 * policy-openai pointed at `reasoner serve` (the embedded tiny policy behind the OpenAI API):
 * a whole `reasoner run` from a JSON config, every policy call going over HTTP.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelFromConfig, type Kernel, type ReasonerConfig } from '@reasoner/core';
import { CLI, REPO_ROOT, tempProject, type TempProject } from '@reasoner/core/testing';
import serverHttp, { createServer, type ReasonerServer } from '@reasoner/plugin-server-http';
import tiny from '@reasoner/plugin-policy-tiny';
import { OpenAiPolicy } from './policy.js';
import countdown from '@reasoner/plugin-task-countdown';

const KEY = 'e2e-key-0123456789';
let kernel: Kernel;
let server: ReasonerServer;
let proj: TempProject;

beforeAll(async () => {
  proj = tempProject('policy-openai');
  kernel = await kernelFromConfig({ policy: tiny(), tasks: countdown(), plugins: [serverHttp()], run: { out: path.join(proj.dir, 'served-runs') } } as ReasonerConfig, REPO_ROOT);
  server = await createServer(kernel, { port: 0, apiKeys: [KEY], logLevel: 'silent', rateLimit: 0 });
});
afterAll(async () => {
  await server?.close();
  await kernel?.close();
  proj?.cleanup();
});

describe('policy-openai → reasoner serve', () => {
  it('runs a whole `reasoner run` from a JSON config over the OpenAI API', async () => {
    const cfg = proj.write('reasoner.config.json', JSON.stringify({
      policy: { use: '@reasoner/plugin-policy-openai', options: { baseURL: `${server.url}/v1`, model: 'tiny', apiKey: KEY, maxTokens: 96, concurrency: 8 } },
      tasks: '@reasoner/plugin-task-countdown',
      search: { use: '@reasoner/plugin-search-bon', options: { n: 4, select: 'reward', temperature: 0.8 } },
      run: { out: 'runs', limit: 6, concurrency: 3, seed: 1 },
    }));
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'run', '--config', cfg, '--json', '--run-id', 'remote'], { cwd: proj.dir, timeout: 60_000 });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ tasks: 6, errors: 0 });
    const records = readFileSync(path.join(proj.dir, 'runs', 'remote', 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(6);
    for (const r of records) {
      expect(r.policyId).toBe(`openai:tiny@${new URL(server.url).host}`);
      expect(r.candidates).toHaveLength(4);
      expect(r.solution.length).toBeGreaterThan(0);
    }
    // Every sample went through the server: its completion-token counter saw them all.
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
    const served = Number(/reasoner_tokens_total\{type="completion"\} (\d+)/.exec(metrics)?.[1]);
    expect(served).toBeGreaterThanOrEqual(summary.usage.completionTokens);
  });

  it('probing finds completions, native n and logprobs; a wrong key is RSN_ERR_POLICY with a hint', async () => {
    const opts = { baseURL: `${server.url}/v1`, model: 'tiny', apiKeyEnv: 'NONE', mode: 'auto', nativeN: 'auto', maxTokens: 16, timeoutMs: 10_000, maxRetries: 0, concurrency: 2, probe: true } as const;
    const ok = new OpenAiPolicy({ ...opts, apiKey: KEY });
    expect(await ok.probe()).toMatchObject({ completions: true, nativeN: true, logprobs: true, models: expect.arrayContaining(['tiny', 'tiny+bon16']) });
    const r = await ok.generate({ prompt: '3 7 25 4>89\n', prefix: '25+4=29\n', stop: ['\n'], n: 2, logprobs: true });
    expect(r.completions).toHaveLength(2);
    expect(r.completions.every((c) => c.finishReason === 'stop' || c.finishReason === 'length')).toBe(true);
    await expect(new OpenAiPolicy({ ...opts, apiKey: 'wrong-key-123456' }).probe()).rejects.toMatchObject({ code: 'RSN_ERR_POLICY', context: { hint: expect.stringContaining('apiKey') } });
  });
});

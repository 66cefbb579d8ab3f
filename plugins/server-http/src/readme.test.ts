/** Runs every ```bash block of the README's "Try it with curl" section against a live server with a key. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './fixtures/start.js';

const KEY = 'readme-key-0123456789';
const readme = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Try it with curl'), readme.indexOf('\n## ', readme.indexOf('## Try it with curl') + 5));
const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
let t: Awaited<ReturnType<typeof startTestServer>>;
let cwd: string;

beforeAll(async () => {
  t = await startTestServer({ apiKeys: [KEY] });
  cwd = mkdtempSync(path.join(os.tmpdir(), 'rsn-readme-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('README curl examples', () => {
  it('has the examples', () => expect(blocks.length).toBeGreaterThanOrEqual(4));
  it.each(blocks.map((b, i) => [i, b] as const))('block %i runs and every request succeeds (curl -f)', async (_i, block) => {
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block], { cwd, env: { ...process.env, URL: t.url, REASONER_API_KEY: KEY }, timeout: 30_000 });
    expect(stdout.length).toBeGreaterThan(0);
    expect(stdout).not.toMatch(/event: error|\{"error":\{/);
    if (block.includes('/v1/reason')) expect(stdout).toContain('event: record');
    if (block.includes('get_reward')) expect(stdout).toContain('"rewards":[1,0]');
    if (block.includes('/v1/runs')) expect(stdout).toMatch(/5 records\.jsonl/);
  });
});

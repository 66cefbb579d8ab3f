/**
 * verl's custom reward function (`reasoner_reward.py`, written by `data export --format verl`)
 * against a live `reasoner serve`: verl calls compute_score(data_source, solution_str,
 * ground_truth, extra_info) with the Parquet row's fields, and gets the served verifier's reward.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '@reasoner/core';
import { startTestServer } from './fixtures/start.js';

const run = promisify(execFile);
const KEY = 'verl-key-0123456789';
const dir = mkdtempSync(path.join(tmpdir(), 'verl-reward-'));
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => { t = await startTestServer({ apiKeys: [KEY] }); });
afterAll(async () => { await t?.close(); rmSync(dir, { recursive: true, force: true }); });

const prompt = '3 4 5>35\n';
const groups = [{ taskId: 'a', prompt, gold: '35', candidates: [] }];

/** Runs Python the way verl would load the file (by path), with the row's fields as arguments. */
async function score(fn: string, env: Record<string, string>, ...args: unknown[]): Promise<{ out: unknown; err: string }> {
  const code = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location("reasoner_reward", ${JSON.stringify(path.join(dir, 'reasoner_reward.py'))})`,
    'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
    'try:',
    `    print(json.dumps(getattr(m, ${JSON.stringify(fn)})(*json.loads(sys.argv[1]))))`,
    'except RuntimeError as e:',
    '    print(json.dumps({"error": str(e)}))',
  ].join('\n');
  const { stdout, stderr } = await run('/usr/bin/python3', ['-c', code, JSON.stringify(args)], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
  return { out: JSON.parse(stdout), err: stderr };
}

describe('verl export: reasoner_reward.py scores with the served reward', () => {
  it('compute_score and compute_score_batch return the verifier\'s rewards for a row\'s fields', async () => {
    const file = path.join(dir, 'train.parquet');
    const res = await writeExport('verl', groups, file, { dataSource: 'task-countdown' });
    expect(res.rewardFunction).toBe(path.join(dir, 'reasoner_reward.py'));
    // The fields verl hands the function come from the Parquet row as written.
    const { parquetReadObjects } = await import('hyparquet');
    const buf = readFileSync(file);
    const [row] = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as Array<{ data_source: string; reward_model: { ground_truth: string }; extra_info: { split: string; index: bigint; prompt: string } }>;
    const extra = { split: row!.extra_info.split, index: Number(row!.extra_info.index), prompt: row!.extra_info.prompt };
    expect(extra.prompt).toBe(prompt);
    const env = { REASONER_URL: t.url, REASONER_API_KEY: KEY };
    const right = '3+4=7\n7*5=35\n=35\n', wrong = '3*4=12\n12+5=17\n=17\n';
    expect((await score('compute_score', env, row!.data_source, right, row!.reward_model.ground_truth, extra)).out).toBe(1);
    expect((await score('compute_score', env, row!.data_source, wrong, row!.reward_model.ground_truth, extra)).out).toBe(0);
    expect((await score('compute_score_batch', env, [row!.data_source, row!.data_source], [right, wrong], ['35', '35'], [extra, extra])).out).toEqual([1, 0]);
    // A one-element list as the gold answer is read as that answer.
    expect((await score('compute_score', env, row!.data_source, right, ['35'], extra)).out).toBe(1);
    // No prompt (extra_info not the export's dict): Countdown cannot check without its numbers — a
    // clear 400 from the server, raised as a RuntimeError that says so.
    expect((await score('compute_score', env, row!.data_source, right, '35', 'not a dict')).out).toMatchObject({ error: expect.stringMatching(/answered 400.*not a countdown problem/) });
  });

  it('a wrong key or no server is a clear RuntimeError naming what to do, not a traceback', async () => {
    const extra = { prompt };
    const denied = await score('compute_score', { REASONER_URL: t.url, REASONER_API_KEY: 'nope' }, 'x', 'y', '35', extra);
    expect(denied.out).toMatchObject({ error: expect.stringContaining('answered 401') });
    const down = await score('compute_score', { REASONER_URL: 'http://127.0.0.1:9' }, 'x', 'y', '35', extra);
    expect(down.out).toMatchObject({ error: expect.stringContaining('reasoner serve') });
  });
});

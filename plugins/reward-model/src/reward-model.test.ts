import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@reasoner/core';
import { loadRewardCheckpoint } from './checkpoint.js';
import { stepEndPositions } from './features.js';
import { fitHead, headLogits } from './head.js';
import { auc } from './metrics.js';
import { remoteRewards } from './remote.js';
import { aggregateScores } from './index.js';
import { examplesFromRecords } from './train-command.js';

const tmp = await mkdtemp(join(tmpdir(), 'rm-test-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('features', () => {
  it('step ends index the last character of each step after <bos> and the prompt', () => {
    // [BOS] "3 4>7\n" = positions 1..6; "3+4=7" = 7..11; "\n" = 12; "=7" = 13..14
    expect(stepEndPositions('3 4>7\n', ['3+4=7', '=7'], '\n')).toEqual([11, 14]);
  });
});

describe('head', () => {
  const toy = (n: number, seed: number) => {
    const rng = createRng(seed);
    const rows = new Float32Array(n * 4), labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const y = rng.next() < 0.3 ? 1 : 0;
      for (let j = 0; j < 4; j++) rows[i * 4 + j] = (rng.next() - 0.5) + (j === 0 ? 1.5 * y : 0);
      labels[i] = y;
    }
    return { rows, labels };
  };

  it('binary cross-entropy learns a separable signal (held-out AUC > 0.9)', async () => {
    const tr = toy(400, 1), te = toy(200, 2);
    const { head, losses } = await fitHead(tr.rows, 400, 4, { labels: tr.labels }, { epochs: 40, hidden: 8, batch: 100 });
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const z = headLogits(head, te.rows, 200);
    expect(auc(z, Array.from(te.labels, (v) => v > 0.5))).toBeGreaterThan(0.9);
  });

  it('Bradley–Terry pairs learn to rank chosen above rejected', async () => {
    const tr = toy(400, 3);
    const pos = [...tr.labels.keys()].filter((i) => tr.labels[i]! > 0.5), neg = [...tr.labels.keys()].filter((i) => tr.labels[i]! < 0.5);
    const pairs = pos.slice(0, 60).map((p, k) => [p, neg[k]!] as [number, number]);
    const { head } = await fitHead(tr.rows, 400, 4, { pairs }, { epochs: 40, hidden: 8, batch: 100 });
    const z = headLogits(head, tr.rows, 400);
    const won = pairs.filter(([c, r]) => z[c]! > z[r]!).length;
    expect(won / pairs.length).toBeGreaterThan(0.9);
  });

  it('aggregates step scores', () => {
    expect(aggregateScores([0.9, 0.2, 0.8], 'min')).toBe(0.2);
    expect(aggregateScores([0.9, 0.2, 0.8], 'last')).toBe(0.8);
    expect(aggregateScores([0.5, 0.5], 'prod')).toBe(0.25);
    expect(aggregateScores([], 'min')).toBe(0);
  });
});

describe('checkpoint', () => {
  it('a missing or foreign checkpoint is RSN_ERR_CHECKPOINT', async () => {
    await expect(loadRewardCheckpoint(join(tmp, 'nope'))).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
    await mkdir(join(tmp, 'bad'), { recursive: true });
    await writeFile(join(tmp, 'bad', 'reward-model.json'), '{"format":"other"}');
    await expect(loadRewardCheckpoint(join(tmp, 'bad'))).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
    await writeFile(join(tmp, 'bad', 'reward-model.json'), '{not json');
    await expect(loadRewardCheckpoint(join(tmp, 'bad'))).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
  });
});

describe('examples from a run', () => {
  it('every kept candidate becomes an outcome example graded by the grader', () => {
    const rec = { taskId: 't', prompt: 'p\n', candidates: [{ text: 'a\nb', correct: true, answer: null, reward: 1, tokens: 3 }, { text: 'c', correct: false, answer: null, reward: 0, tokens: 1 }] };
    const ex = examplesFromRecords([rec as never], (t) => t.split('\n'));
    expect(ex).toEqual([
      { taskId: 't', prompt: 'p\n', steps: ['a', 'b'], labels: [0, 1], correct: true },
      { taskId: 't', prompt: 'p\n', steps: ['c'], labels: [0], correct: false },
    ]);
  });
});

describe('remote reward service (OpenRLHF protocol)', () => {
  it('posts { query, prompts, labels } and reads { rewards }; a malformed answer is RSN_ERR_REWARD', async () => {
    let mode = 'ok';
    const seen: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const j = JSON.parse(body) as { query: string[] };
        seen.push(j);
        res.setHeader('content-type', 'application/json');
        if (mode === 'ok') res.end(JSON.stringify({ rewards: j.query.map((q) => q.length), extra_logs: {} }));
        else if (mode === 'short') res.end(JSON.stringify({ rewards: [1] }));
        else { res.statusCode = 500; res.end('{}'); }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/get_reward`;
    try {
      const items = [{ task: { id: 'a', prompt: 'P', answer: '5' }, text: 'xy' }, { task: { id: 'b', prompt: 'Q' }, text: 'z' }];
      expect(await remoteRewards({ url }, items)).toEqual([3, 2]);
      expect(seen[0]).toEqual({ query: ['Pxy', 'Qz'], prompts: ['P', 'Q'], labels: ['5', ''] });
      mode = 'short';
      await expect(remoteRewards({ url }, items)).rejects.toMatchObject({ code: 'RSN_ERR_REWARD' });
      mode = '500';
      await expect(remoteRewards({ url }, items)).rejects.toMatchObject({ code: 'RSN_ERR_REWARD' });
      await expect(remoteRewards({ url: 'http://127.0.0.1:1/x', timeoutMs: 2000 }, items)).rejects.toMatchObject({ code: 'RSN_ERR_REWARD' });
    } finally {
      server.close();
    }
  });
});

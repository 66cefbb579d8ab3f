import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './fixtures/browser.js';
import { readSse, startTestServer } from './fixtures/start.js';
import { extractSeries } from './routes/dashboard.js';

let t: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer();
  // A finished run (real) and a learning-rounds file in the shape `reasoner iterate --json` prints.
  const job = await (await fetch(`${t.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ limit: 4 }) })).json();
  await readSse(await fetch(`${t.url}/v1/runs/${job.id}/events`), (e) => e.event === 'end');
  mkdirSync(path.join(t.server.ctx.runsDir, 'iterate-demo'), { recursive: true });
  writeFileSync(path.join(t.server.ctx.runsDir, 'iterate-demo', 'iterate.json'), JSON.stringify({ rounds: [{ round: 1, greedy: 0.25 }, { round: 2, greedy: 0.33 }, { round: 3, greedy: 0.41 }] }));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard in headless chromium', () => {
  it('loads, streams a search into the tree viewer, shows runs, charts and a trajectory with step rewards', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(t.url + '/');
    await page.waitForSelector('#model option[value="tiny+tree"]', { state: 'attached' });
    await page.selectOption('#model', 'tiny+tree');
    await page.click('#reason-go');
    await page.waitForFunction(() => document.querySelectorAll('#tree .node').length >= 4 && /grader/.test(document.querySelector('#best')!.textContent ?? ''), null, { timeout: 20_000 });
    expect(await page.locator('#tree .edge').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#candidates li').count()).toBe(5); // every reward call: 3 step prefixes + 2 solutions
    // Best-of-N has no tree: its candidates appear as leaves of the prompt.
    await page.selectOption('#model', 'tiny+bon16');
    await page.click('#reason-go');
    await page.waitForFunction(() => document.querySelectorAll('#candidates li').length === 16 && /grader/.test(document.querySelector('#best')!.textContent ?? ''), null, { timeout: 20_000 });
    expect(await page.locator('#tree .node').count()).toBe(17);
    // Runs, charts and trajectories.
    await page.waitForSelector('#runs tbody tr');
    await page.waitForSelector('#compute-chart circle');
    await page.waitForSelector('#learn-chart polyline');
    await page.locator('#runs tbody tr').first().click();
    await page.waitForSelector('#records tbody tr');
    expect(await page.locator('#records tbody tr').count()).toBe(4);
    await page.waitForSelector('#record-detail .step');
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads learning rounds and accuracy/tokens tables from unknown JSON, ignoring the rest', () => {
    const s = extractSeries({ rounds: [{ round: 1, greedy: 0.2 }, { round: 2, greedy: 0.3 }], table: [{ search: 'bon16', tokens: 900, accuracy: 0.5 }, { nope: 1 }] }, 'x.json');
    expect(s.curves).toEqual([{ label: 'greedy', source: 'x.json', points: [{ x: 1, y: 0.2, metric: 'greedy' }, { x: 2, y: 0.3, metric: 'greedy' }] }]);
    expect(s.points).toEqual([{ label: 'bon16', tokensPerTask: 900, accuracy: 0.5, tasks: 0, source: 'x.json' }]);
    expect(extractSeries('garbage', 'y.json')).toEqual({ curves: [], points: [] });
  });
});

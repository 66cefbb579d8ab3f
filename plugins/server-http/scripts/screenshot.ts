/**
 * Regenerates docs/dashboard.png: the default pipeline served (tiny policy, Countdown), a real
 * 20-task run, then a tree search (`tiny+mcts` when search-mcts is installed, else
 * `tiny+bon16`) streamed into the dashboard in headless chromium.
 *   node --conditions=source --import tsx plugins/server-http/scripts/screenshot.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { kernelFromConfig, type ReasonerConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';
import serverHttp, { createServer } from '../src/index.js';
import { launchChromium } from '../src/fixtures/browser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'docs', 'dashboard.png');
const kernel = await kernelFromConfig({
  policy: tiny(), tasks: countdown(), search: bon({ n: 16, select: 'reward', temperature: 0.8 }),
  plugins: [serverHttp()], run: { out: mkdtempSync(path.join(os.tmpdir(), 'rsn-shot-')), concurrency: 8, seed: 1, limit: 20 },
} as ReasonerConfig, process.cwd());
const server = await createServer(kernel, { port: 0, logLevel: 'warn', rateLimit: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url + '/');
  await page.fill('#run-limit', '20');
  await page.click('#run-form button');
  await page.waitForFunction(() => [...document.querySelectorAll('#runs tbody td')].some((td) => td.textContent === 'done'), null, { timeout: 120_000 });
  const models = await page.$$eval('#model option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  const model = models.find((m) => m.endsWith('+mcts')) ?? 'tiny+bon16';
  await page.selectOption('#model', model);
  await page.click('#reason-go');
  await page.waitForFunction(() => /grader|error/.test(document.querySelector('#best')?.textContent ?? ''), null, { timeout: 120_000 });
  await page.locator('#runs tbody tr').first().click();
  await page.waitForSelector('#record-detail .step');
  await page.waitForTimeout(300);
  await page.screenshot({ path: out, fullPage: true });
  const stats = await page.textContent('#tree-stats');
  console.log(`wrote ${out} (model ${model}: ${stats})`);
} finally {
  await browser.close();
  await server.close();
  await kernel.close();
}

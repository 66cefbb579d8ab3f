import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempProject } from '../testing/temp-project.js';
import { comparePlotSvg, seriesOf } from './compare-plot.js';
import type { CompareReport } from './compare.js';

const p = tempProject('compare');
afterAll(() => p.cleanup());
p.write('mem/policy.ts', `export { memoryPolicy as default } from '@reasoner/core/testing';\n`);
p.write('mem/tasks.ts', `export { memoryTasks as default } from '@reasoner/core/testing';\n`);
p.write('mem/search.ts', `export { memorySearch as default } from '@reasoner/core/testing';\n`);
p.write('reasoner.config.yaml', `policy: { use: ./mem/policy.ts, options: { accuracy: 0.6 } }
tasks: { use: ./mem/tasks.ts, options: { count: 10 } }
search: ./mem/search.ts
run: { out: runs, concurrency: 2, seed: 3 }
`);

describe('reasoner compare', () => {
  it('writes a JSON table, an SVG and an HTML page: greedy, best-of-N, majority, searches at budgets', () => {
    const searches = JSON.stringify([{ name: 'one-sample', search: './mem/search.ts' }]);
    const r = spawnSync(process.execPath, [CLI, 'compare', '--json', '--samples', '8', '--budgets', '100,1000', '--searches', searches, '--limit', '10'], { cwd: p.dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as CompareReport & { files: string[] };
    const methods = out.rows.map((x) => `${x.method}${x.n ?? ''}${x.budget ?? ''}`);
    expect(methods).toEqual(['greedy1', 'bon1', 'bon2', 'bon4', 'bon8', 'majority1', 'majority2', 'majority4', 'majority8', 'one-sample100', 'one-sample1000']);
    expect(out.tasks).toBe(10);
    const bon = out.rows.filter((x) => x.method === 'bon');
    // More samples never cost fewer tokens, and best-of-N by the checker never gets worse on the same pool.
    for (let i = 1; i < bon.length; i++) {
      expect(bon[i]!.tokens).toBeGreaterThan(bon[i - 1]!.tokens);
      expect(bon[i]!.accuracy).toBeGreaterThanOrEqual(bon[i - 1]!.accuracy);
    }
    const json = JSON.parse(readFileSync(path.join(p.dir, 'compare', 'compare.json'), 'utf8')) as CompareReport;
    expect(json.rows).toEqual(out.rows);
    expect(readFileSync(path.join(p.dir, 'compare', 'compare.svg'), 'utf8')).toMatch(/^<svg[\s\S]*polyline[\s\S]*<\/svg>\n$/);
    expect(readFileSync(path.join(p.dir, 'compare', 'compare.html'), 'utf8')).toContain('<table>');
  });

  it('bad flags are RSN_ERR_USAGE', () => {
    const r = spawnSync(process.execPath, [CLI, 'compare', '--budgets', '10,x'], { cwd: p.dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('RSN_ERR_USAGE');
  });

  it('plots one series per method, sorted by tokens', () => {
    const report: CompareReport = { split: 'test', tasks: 2, samples: 2, temperature: 1, budgets: [1], seed: 0, policy: 'p<x>', wallMs: 1, rows: [
      { method: 'bon', n: 2, accuracy: 0.5, tokens: 20, tasks: 2 }, { method: 'bon', n: 1, accuracy: 0, tokens: 10, tasks: 2 }, { method: 'greedy', n: 1, accuracy: 1, tokens: 9, tasks: 2 },
    ] };
    const s = seriesOf(report.rows);
    expect(s.map((x) => x.name)).toEqual(['best-of-N (reward)', 'greedy']);
    expect(s[0]!.points.map((x) => x.n)).toEqual([1, 2]);
    const svg = comparePlotSvg(report);
    expect(svg).toContain('p&lt;x&gt;');
    expect(svg.match(/<circle/g)?.length).toBe(3);
  });
});

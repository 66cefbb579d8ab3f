/**
 * The README's 5-minute tour, copied literally: the config of step 1 and the plugin of step 2
 * validate together (the tour's config names only files the tour writes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempProject } from '../testing/temp-project.js';
import { main } from './main.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const tour = readme.slice(readme.indexOf('## A 5-minute tour'), readme.indexOf('### 3. Tap a hook'));
const blocks = [...tour.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const p = tempProject('tour');
afterAll(() => p.cleanup());

describe('README tour', () => {
  it('step 1 config + step 2 plugin, written as the README shows them, pass `reasoner validate`', async () => {
    expect(blocks).toHaveLength(2);
    const pluginFile = /^\/\/ (plugins-local\/\S+)/.exec(blocks[1]!)?.[1];
    expect(pluginFile).toBe('plugins-local/length-penalty/index.ts');
    p.write('reasoner.config.ts', blocks[0]!);
    p.write(pluginFile!, blocks[1]!);
    const out: string[] = [];
    const err: string[] = [];
    const wo = process.stdout.write.bind(process.stdout);
    const we = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    const prev = process.cwd();
    process.chdir(p.dir);
    let code: number;
    try {
      code = await main(['node', 'reasoner', 'validate']);
    } finally {
      process.chdir(prev);
      process.stdout.write = wo;
      process.stderr.write = we;
    }
    expect(code, err.join('')).toBe(0);
    expect(out.join('')).toMatch(/\/plugins\/0\s+extension\s+length-penalty/);
  }, 60_000);
});

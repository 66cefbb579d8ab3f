import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ReasonerError } from '../../errors.js';
import { findPackage } from '../../kernel/resolve.js';
import { loadKernel } from '../../kernel/load.js';
import { runCompare, type CompareSearch } from '../../pipeline/compare.js';
import { createLogger } from '../../util/logger.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, intFlag, printJson, withKernel, temperatureFlag } from '../shared.js';

/** The searches compared by default: the repo's tree searches that are installed. */
export function defaultSearches(dir: string): CompareSearch[] {
  const has = (name: string) => findPackage(name, dir) !== null;
  const out: CompareSearch[] = [];
  if (has('@reasoner/plugin-search-beam')) out.push({ name: 'beam', search: { use: '@reasoner/plugin-search-beam' } });
  if (has('@reasoner/plugin-search-mcts')) out.push({ name: 'mcts', search: { use: '@reasoner/plugin-search-mcts' } });
  // Beam guided by the learned PRM alone (no checker at search time), when the reward model is installed.
  if (has('@reasoner/plugin-search-beam') && has('@reasoner/plugin-reward-model')) out.push({ name: 'beam+prm', search: { use: '@reasoner/plugin-search-beam' }, reward: { use: '@reasoner/plugin-reward-model' } });
  if (has('@reasoner/plugin-search-refine')) out.push({ name: 'refine', search: { use: '@reasoner/plugin-search-refine', options: { temperature: 0.8 } } });
  return out;
}

function parseSearches(value: string | undefined, dir: string): CompareSearch[] {
  if (!value) return defaultSearches(dir);
  if (value === 'none') return [];
  let text = value;
  if (existsSync(path.resolve(value))) text = readFileSync(path.resolve(value), 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ReasonerError('RSN_ERR_USAGE', `--searches is neither a JSON file nor JSON: ${(e as Error).message}`, { hint: `e.g. --searches '[{"name":"beam","search":{"use":"@reasoner/plugin-search-beam"}}]'` });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((s, i) => {
    const o = s as Partial<CompareSearch>;
    if (!o || typeof o !== 'object' || typeof o.name !== 'string' || !o.search) {
      throw new ReasonerError('RSN_ERR_USAGE', `--searches[${i}] needs a "name" and a "search" plugin spec`, { hint: `e.g. {"name":"beam","search":{"use":"@reasoner/plugin-search-beam","options":{"width":4}}}` });
    }
    return o as CompareSearch;
  });
}

function parseBudgets(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ReasonerError('RSN_ERR_USAGE', `--budgets must be comma-separated positive integers (got "${value}")`, { hint: 'e.g. --budgets 160,320,630,1260' });
  }
  return list;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('accuracy against compute: greedy, best-of-N / majority@N for N = 1…samples, and searches at several per-task token budgets; writes compare.json, compare.svg, compare.html')
    .option('--split <split>', 'train | validation | test')
    .option('--limit <n>', 'tasks compared', '200')
    .option('--samples <n>', 'largest N for best-of-N and majority@N (0 = skip)', '64')
    .option('--temperature <t>', 'sampling temperature of the best-of-N pool', '0.8')
    .option('--max-tokens <n>', 'maxTokens of each sample')
    .option('--budgets <list>', 'per-task token budgets the searches run at', '160,320,630,1260')
    .option('--searches <json|file>', 'searches to compare: [{name, search, reward?}] (default: beam, mcts, beam+prm, refine when installed; "none" = only sampling)')
    .option('--concurrency <n>', 'tasks at once', '16')
    .option('--out <dir>', 'output folder (relative to the config)', 'compare')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const g = globals(cmd);
      const temperature = temperatureFlag(opts.temperature)!;
      await withKernel(g, async (kernel, signal) => {
        const { report, files } = await runCompare(kernel, {
          split: opts.split as 'test' | undefined,
          limit: intFlag(opts.limit, '--limit'),
          samples: intFlag(opts.samples, '--samples', 0),
          temperature,
          maxTokens: intFlag(opts.maxTokens, '--max-tokens'),
          budgets: parseBudgets(opts.budgets ?? '630'),
          searches: parseSearches(opts.searches, kernel.dir),
          concurrency: intFlag(opts.concurrency, '--concurrency'),
          out: opts.out ?? 'compare',
          signal,
          kernelFor: (override) => loadKernel({ config: kernel.file ?? g.config, cwd: kernel.dir, logger: createLogger('warn', 'reasoner', false), override }),
          onProgress: (what) => { if (!g.json) kernel.logger.debug?.(what); },
        });
        if (g.json) printJson({ ...report, files });
        else {
          for (const r of report.rows) {
            const what = r.method + (r.n !== undefined ? `@${r.n}` : '') + (r.budget !== undefined ? ` (budget ${r.budget})` : '');
            process.stdout.write(`${what.padEnd(28)} ${(r.accuracy * 100).toFixed(1).padStart(5)} %  ${Math.round(r.tokens).toString().padStart(6)} tokens/task${r.errors ? `  ${r.errors} errors` : ''}${r.oracle ? '  (oracle)' : ''}\n`);
          }
          process.stdout.write(`wrote ${files.join(', ')}\n`);
        }
      }, checkpointOverride(opts.checkpoint));
    });
}

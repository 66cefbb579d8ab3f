import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReasonerError } from '../../errors.js';
import { findPackage } from '../../kernel/resolve.js';

const CONFIG = `import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';

// The default pipeline: the embedded tiny policy searches Countdown problems with best-of-N,
// scored by the task's own verifier. Swap any line for another plugin.
export default defineConfig({
  policy: tiny(),
  tasks: countdown({ sizes: [3, 4] }),
  search: bon({ n: 8, select: 'reward' }), // Countdown's checker needs only the prompt: fair to select by it
  plugins: ['./plugins-local/my-logger'],
  hooks: {
    // A hook tapped from the config: runs after every search.
    afterSearch: async (result) => result,
  },
  run: { out: 'runs', concurrency: 4, seed: 1, limit: 50 },
});
`;

const PLUGIN = `import { definePlugin } from '@reasoner/core';

/** A local extension plugin: counts solved tasks and prints a line at the end of a run. */
export default definePlugin<{ every: number }, 'extension'>({
  name: 'my-logger',
  kind: 'extension',
  apiVersion: 1,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { every: { type: 'integer', minimum: 1, default: 10 } },
  },
  setup(ctx, options) {
    let solved = 0;
    ctx.hooks.taskEnd.tapPromise('my-logger', async (record) => {
      if (record.correct) solved++;
    });
    ctx.hooks.runEnd.tapPromise('my-logger', async (_run, summary) => {
      ctx.logger.info(\`my-logger: \${solved} solved of \${summary.tasks}\`);
    });
  },
});
`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold reasoner.config.ts and a local plugin skeleton in the current folder')
    .option('--force', 'overwrite existing files')
    .action(async (opts: { force?: boolean }) => {
      const cwd = process.cwd();
      const files: Array<[string, string]> = [
        ['reasoner.config.ts', CONFIG],
        [path.join('plugins-local', 'my-logger', 'index.ts'), PLUGIN],
      ];
      for (const [rel] of files) {
        if (existsSync(path.join(cwd, rel)) && !opts.force) {
          throw new ReasonerError('RSN_ERR_USAGE', `${rel} already exists`, { file: path.join(cwd, rel), hint: 'pass --force to overwrite, or run init in an empty folder' });
        }
      }
      for (const [rel, text] of files) {
        await mkdir(path.dirname(path.join(cwd, rel)), { recursive: true });
        await writeFile(path.join(cwd, rel), text);
        process.stdout.write(`wrote ${rel}\n`);
      }
      // Only name the install when the starter packages are not there yet (npm create has installed them).
      const starters = ['@reasoner/core', '@reasoner/plugin-policy-tiny', '@reasoner/plugin-task-countdown', '@reasoner/plugin-search-bon'];
      const missing = starters.filter((p) => !findPackage(p, cwd));
      process.stdout.write(`next: ${missing.length ? `npm install ${missing.join(' ')}, then ` : ''}npx reasoner validate && npx reasoner run\n`);
    });
}

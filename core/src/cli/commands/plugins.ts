import type { Command } from 'commander';
import { isReasonerError } from '../../errors.js';
import { discoverPlugins } from '../../kernel/discovery.js';
import { globals, printJson } from '../shared.js';

export function registerPlugins(program: Command): void {
  program
    .command('plugins')
    .description('list the plugins Reasoner can find: installed npm packages (keyword reasoner-plugin), workspace packages, local folders named in the config')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { plugins, configError } = await discoverPlugins({ config: g.config });
      if (g.json) return printJson({ plugins, configError: configError ? String((configError as Error).message) : null });
      const w = Math.max(4, ...plugins.map((p) => p.name.length));
      process.stdout.write(`${'name'.padEnd(w)}  kind       version  origin     path\n`);
      for (const p of plugins) {
        process.stdout.write(`${p.name.padEnd(w)}  ${p.kind.padEnd(9)}  ${(p.version ?? '-').padEnd(7)}  ${p.origin.padEnd(9)}  ${p.path}\n`);
      }
      if (configError && !(isReasonerError(configError) && configError.code === 'RSN_ERR_CONFIG_NOT_FOUND')) {
        process.stderr.write(`note: local plugins of the config were not listed: ${(configError as Error).message}\n`);
      }
    });
}

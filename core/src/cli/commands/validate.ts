import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { validateConfig } from '../../config/validate.js';
import { resolveConfigPlugins } from '../../kernel/kernel.js';
import { checkPlugins } from '../../kernel/resolve.js';
import { globals, printJson } from '../shared.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('load and check the config, every plugin\'s options and the resources they name (plugins\' check()), without running anything')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const loaded = await loadConfigFile({ file: g.config });
      const config = validateConfig(loaded.config, loaded.file);
      const plugins = await resolveConfigPlugins(config, loaded.dir, loaded.file);
      await checkPlugins(plugins, { dir: loaded.dir, file: loaded.file });
      const rows = plugins.map((p) => ({ pointer: p.pointer, name: p.definition.name, kind: p.definition.kind, source: p.source }));
      if (g.json) printJson({ ok: true, file: loaded.file, plugins: rows });
      else {
        process.stdout.write(`ok: ${loaded.file}\n`);
        for (const r of rows) process.stdout.write(`  ${r.pointer.padEnd(12)} ${r.kind.padEnd(9)} ${r.name}  (${r.source})\n`);
      }
    });
}

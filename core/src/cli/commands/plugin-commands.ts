import { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { validateConfig } from '../../config/validate.js';
import { resolveConfigPlugins } from '../../kernel/kernel.js';
import type { PluginCommand } from '../../types/plugin.js';
import { globals, withKernel } from '../shared.js';

/** Commands contributed by the config's plugins (e.g. policy-tiny's `train`). */
export async function registerPluginCommands(program: Command, configFile: string | undefined, taken: Set<string>): Promise<void> {
  const loaded = await loadConfigFile({ file: configFile });
  const plugins = await resolveConfigPlugins(validateConfig(loaded.config, loaded.file), loaded.dir, loaded.file);
  for (const p of plugins) {
    for (const c of (p.definition.commands ?? []) as PluginCommand[]) {
      if (taken.has(c.name)) continue;
      taken.add(c.name);
      const cmd = program.command(c.args ? `${c.name} ${c.args}` : c.name).description(`${c.description} (from ${p.definition.name})`);
      for (const [flags, desc, def] of c.options ?? []) cmd.option(flags, desc, def);
      cmd.action(async (...all: unknown[]) => {
        const self = all[all.length - 1] as Command;
        const g = globals(self);
        await withKernel(g, async (kernel, signal) => {
          const code = await c.run({
            options: self.opts(), args: self.args, service: kernel.service, hooks: kernel.hooks,
            logger: kernel.logger.child(c.name), configDir: kernel.dir, json: !!g.json, signal,
          });
          if (typeof code === 'number') process.exitCode = code;
        }, undefined, false, c.needs);
      });
    }
  }
}

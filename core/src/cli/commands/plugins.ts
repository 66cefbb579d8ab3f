import type { Command } from 'commander';
import { isReasonerError, ReasonerError } from '../../errors.js';
import { describePlugin, discoverPlugins, matchPlugins, optionRows, type DiscoveredPlugin } from '../../kernel/discovery.js';
import { didYouMean } from '../../util/suggest.js';
import { globals, printJson } from '../shared.js';

export function registerPlugins(program: Command): void {
  program
    .command('plugins [name]')
    .description('list the plugins Reasoner can find (installed npm packages with keyword reasoner-plugin, workspace packages, local folders named in the config); with a name: that plugin\'s options and defaults')
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { plugins, configError } = await discoverPlugins({ config: g.config });
      if (name !== undefined) return showOne(plugins, name, !!g.json);
      if (g.json) {
        // --json loads each plugin for its options schema (what option errors point at).
        const described = await Promise.all(plugins.map(describePlugin));
        return printJson({ plugins: described, configError: configError ? String((configError as Error).message) : null });
      }
      const w = Math.max(4, ...plugins.map((p) => p.name.length));
      process.stdout.write(`${'name'.padEnd(w)}  kind       version  origin     path\n`);
      for (const p of plugins) {
        process.stdout.write(`${p.name.padEnd(w)}  ${p.kind.padEnd(9)}  ${(p.version ?? '-').padEnd(7)}  ${p.origin.padEnd(9)}  ${p.path}\n`);
      }
      process.stdout.write('options of one plugin: reasoner plugins <name>\n');
      if (configError && !(isReasonerError(configError) && configError.code === 'RSN_ERR_CONFIG_NOT_FOUND')) {
        process.stderr.write(`note: local plugins of the config were not listed: ${(configError as Error).message}\n`);
      }
    });
}

async function showOne(plugins: DiscoveredPlugin[], name: string, json: boolean): Promise<void> {
  let found = matchPlugins(plugins, name);
  if (!found.length) {
    // The definition name (e.g. "search-bon") is only known after loading.
    const described = await Promise.all(plugins.map(describePlugin));
    found = matchPlugins(described, name);
  }
  if (!found.length) {
    throw new ReasonerError('RSN_ERR_PLUGIN_NOT_FOUND', `no plugin named "${name}" is installed or named in the config${didYouMean(name, plugins.flatMap((p) => [p.name, p.name.replace(/^.*plugin-/, '')]))}`, {
      plugin: name, hint: '`reasoner plugins` lists what can be found; install the package (npm install <name>) or fix the name',
    });
  }
  const p = await describePlugin(found[0]!);
  if (p.loadError) throw new ReasonerError('RSN_ERR_PLUGIN_INVALID', `plugin "${p.name}" failed to load: ${p.loadError}`, { plugin: p.name, hint: 'run with --debug, or reinstall the package' });
  const rows = optionRows(p.optionsSchema);
  if (json) return printJson({ ...p, options: rows });
  const out: string[] = [`${p.name}${p.plugin && p.plugin !== p.name ? ` (plugin "${p.plugin}")` : ''}  ${p.kind}  ${p.version ?? ''}  ${p.origin}`, `  ${p.path}`];
  if (p.description) out.push(`  ${p.description}`);
  if (!rows.length) out.push('options: none');
  else {
    out.push('options:');
    const kw = Math.max(...rows.map((r) => r.key.length));
    const tw = Math.min(40, Math.max(...rows.map((r) => r.type.length)));
    for (const r of rows) {
      const def = r.default === undefined ? (r.required ? 'required' : '') : `default ${JSON.stringify(r.default)}`;
      out.push(`  ${r.key.padEnd(kw)}  ${r.type.padEnd(tw)}  ${def}${r.description ? `  ${r.description}` : ''}`);
    }
  }
  out.push(`schema: reasoner plugins ${name} --json`);
  process.stdout.write(out.join('\n') + '\n');
}

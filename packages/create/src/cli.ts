import { parseArgs } from 'node:util';
import { CreateError, createProject } from './create.js';

const USAGE = `usage: npm create @reasoner@latest [folder] [-- --no-install] [--tarballs <dir>]

Creates a Reasoner project in <folder> (default: my-reasoner): package.json with @reasoner/core and
the offline starter plugins, reasoner.config.ts, a local plugin in plugins-local/, then npm install.
  --no-install        only write package.json, tsconfig.json, .gitignore
  --tarballs <dir>    install @reasoner/* from npm pack tarballs in <dir> (offline)
`;

/** Returns the exit code; errors print a message and a fix, no stack. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'no-install': { type: 'boolean' }, tarballs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`RSN_ERR_USAGE: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    process.stderr.write(`RSN_ERR_USAGE: one folder name, got ${parsed.positionals.length}\n${USAGE}`);
    return 2;
  }
  try {
    const r = await createProject({
      dir: parsed.positionals[0] ?? 'my-reasoner',
      install: !parsed.values['no-install'],
      tarballs: parsed.values.tarballs,
      log: (l) => process.stdout.write(`${l}\n`),
    });
    process.stdout.write(`\ncreated ${r.dir}\nnext: ${r.next}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CreateError) {
      process.stderr.write(`RSN_ERR_CREATE: ${e.message}\n  fix: ${e.hint}\n`);
      return 1;
    }
    process.stderr.write(`RSN_ERR_INTERNAL: ${(e as Error)?.message ?? e}\n`);
    return 1;
  }
}

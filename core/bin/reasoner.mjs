#!/usr/bin/env node
// The `reasoner` command: the compiled CLI under plain node (TS configs load through jiti).
let mod;
try {
  mod = await import('../dist/cli/main.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/dist/cli/main.js')) throw e;
  process.stderr.write('RSN_ERR_INTERNAL: @reasoner/core is not built (dist/ is missing)\n  fix: run `npm run build` in the Reasoner repository (npm install does it), or reinstall @reasoner/core\n');
  process.exit(1);
}
process.exitCode = await mod.main(process.argv);

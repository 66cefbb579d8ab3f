#!/usr/bin/env node
// The CLI from the TypeScript sources, for tests and development (no build needed):
//   node scripts/reasoner-src.mjs <command> …
// The published bin (core/bin/reasoner.mjs) runs the compiled dist/ under plain node instead.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./source-condition.mjs', import.meta.url);
registerTsx();
const { main } = await import('../core/src/cli/main.ts');
process.exitCode = await main(process.argv);

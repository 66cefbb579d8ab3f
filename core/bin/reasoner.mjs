#!/usr/bin/env node
// Registers tsx so the CLI, TS configs and TS plugins load under plain node (no global tools).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);

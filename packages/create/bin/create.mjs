#!/usr/bin/env node
// `npm create @reasoner@latest my-reasoner` runs this (package @reasoner/create).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));

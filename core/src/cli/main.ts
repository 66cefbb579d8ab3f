import { Command, CommanderError } from 'commander';
import { ioError, isIoError, isReasonerError } from '../errors.js';
import { registerInit } from './commands/init.js';
import { registerPluginCommands } from './commands/plugin-commands.js';
import { registerPlugins } from './commands/plugins.js';
import { registerRun } from './commands/run.js';
import { registerValidate } from './commands/validate.js';
import { registerEval } from './commands/eval.js';
import { registerScore } from './commands/score.js';
import { registerData } from './commands/data.js';
import { registerLearn } from './commands/learn.js';
import { registerIterate } from './commands/iterate.js';
import { registerCompare } from './commands/compare.js';
import { registerServe } from './commands/serve.js';

function peekConfig(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config' || argv[i] === '-c') return argv[i + 1];
    if (argv[i]!.startsWith('--config=')) return argv[i]!.slice('--config='.length);
  }
  return undefined;
}

export function buildProgram(): Command {
  const program = new Command('reasoner')
    .description('Reasoner: policy, reward, search and learning as plugins — search, learn, evaluate, serve')
    .option('-c, --config <file>', 'config file (default: reasoner.config.* found from the current folder)')
    .option('--json', 'machine-readable output on stdout')
    .option('--debug', 'show stack traces and debug logs')
    .option('--log-level <level>', 'debug | info | warn | error | silent')
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerEval(program);
  registerCompare(program);
  registerScore(program);
  registerData(program);
  registerLearn(program);
  registerIterate(program);
  registerServe(program);
  registerValidate(program);
  registerPlugins(program);
  registerInit(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print `RSN_ERR_*` and a fix, stacks only with --debug. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  const builtins = new Set(program.commands.map((c) => c.name()).concat('help'));
  const first = argv.slice(2).find((a, i, all) => !a.startsWith('-') && !['--config', '-c', '--log-level'].includes(all[i - 1] ?? ''));
  if (first === undefined || !builtins.has(first)) {
    try {
      await registerPluginCommands(program, peekConfig(argv), builtins);
    } catch (e) {
      // Only fatal when the user asked for a plugin command; `reasoner --help` still works without a config.
      if (first !== undefined) return report(e, debug);
    }
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    return report(e, debug);
  }
}

function report(e: unknown, debug: boolean): number {
  // A file-system refusal (EACCES on runs/, ENOENT folder, EROFS…) is the user's environment, not a bug.
  if (isIoError(e)) e = ioError(e, undefined, `cannot ${e.syscall ?? 'access'} ${e.path ?? 'a file'}`);
  if (isReasonerError(e)) {
    process.stderr.write(e.format() + '\n');
    if (debug) process.stderr.write(`${(e as Error).stack}\n${(e as Error).cause ? `cause: ${((e as Error).cause as Error)?.stack ?? (e as Error).cause}\n` : ''}`);
    return e.code === 'RSN_ERR_USAGE' ? 2 : e.code === 'RSN_ERR_ABORTED' ? 130 : 1;
  }
  process.stderr.write(`RSN_ERR_INTERNAL: ${(e as Error)?.message ?? e}\n  fix: this is a bug in Reasoner or a plugin; rerun with --debug and report the stack\n`);
  if (debug) process.stderr.write(`${(e as Error)?.stack}\n`);
  return 1;
}

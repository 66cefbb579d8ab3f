import type { Command } from 'commander';
import path from 'node:path';
import { runReward } from '../../pipeline/run.js';
import { scoreFile } from '../../pipeline/score.js';
import { globals, intFlag, openOutput, pluginFlag, printJson, splitFlag, withKernel } from '../shared.js';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score a JSONL file of solutions made anywhere ({id, solution} per line) and report accuracy')
    .requiredOption('--input <file>', 'JSONL with a task id (id|taskId|task_id) and the text (solution|completion|text) per line')
    .option('--tasks <plugin>', 'task source (package or path); default: the config\'s')
    .option('--tasks-options <json>', 'options for --tasks')
    .option('--reward <plugin>', 'reward (package or path); default: the config\'s, else the task\'s own verifier')
    .option('--reward-options <json>', 'options for --reward')
    .option('--split <split>', 'task split the ids come from (default: the config\'s run.split, then every other split)')
    .option('--out <file>', 'write one scored line per input line here')
    .option('--concurrency <n>', 'solutions scored at once', '4')
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const g = globals(cmd);
      const tasks = pluginFlag(opts.tasks, opts.tasksOptions, '--tasks');
      const reward = pluginFlag(opts.reward, opts.rewardOptions, '--reward');
      await withKernel(g, async (kernel) => {
        const out = opts.out ? await openOutput(opts.out) : null;
        const report = await scoreFile(path.resolve(opts.input!), kernel.require('task'), runReward(kernel), {
          split: splitFlag(opts.split),
          splits: [kernel.config.run.split],
          concurrency: intFlag(opts.concurrency, '--concurrency'),
          onLine: (s) => out?.write(JSON.stringify(s) + '\n'),
        });
        await out?.close();
        if (report.duplicateIds.length) {
          kernel.logger.warn(`${report.duplicateIds.length} ids appear on more than one line (first: ${report.duplicateIds[0]}); each id was scored once, from its first line`);
        }
        if (g.json) printJson(report);
        else process.stdout.write(`scored ${report.n}: ${report.correct} correct (${(report.accuracy * 100).toFixed(2)} %), mean reward ${report.meanReward.toFixed(4)}, ${report.errors} errors, ${report.unknownIds.length} unknown ids, ${report.missing} tasks without a solution${report.splits.length ? ` (split ${report.splits.join(', ')})` : ''}, ${(report.wallMs / 1000).toFixed(1)} s\n`);
      }, (c) => ({ ...c, ...(tasks ? { tasks } : {}), ...(reward ? { reward } : {}), policy: undefined, search: undefined, learn: undefined }), true);
    });
}

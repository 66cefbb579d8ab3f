import type { Command } from 'commander';
import { evaluate } from '../../pipeline/eval.js';
import { runReward, runGrader } from '../../pipeline/run.js';
import { createProgress } from '../progress.js';
import { ReasonerError } from '../../errors.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, intFlag, pluginFlag, printJson, splitFlag, temperatureFlag, withKernel } from '../shared.js';
import { percent, percentWithCi } from '../../util/stats.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('greedy pass@1, unbiased pass@k and maj@k of the configured policy on a task split')
    .option('--split <split>', 'train | validation | test', 'test')
    .option('--limit <n>', 'evaluate the first n tasks')
    .option('--k <k>', 'k for pass@k and maj@k', '16')
    .option('--samples <n>', 'samples per task (≥ k; default k)')
    .option('--temperature <t>', 'sampling temperature for pass@k', '1')
    .option('--concurrency <n>', 'tasks at once (batched policies merge their calls)', '8')
    .option('--tasks <plugin>', 'task plugin (package or path) instead of the config\'s')
    .option('--tasks-options <json>', 'options for --tasks')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const g = globals(cmd);
      splitFlag(opts.split);
      temperatureFlag(opts.temperature);
      const k = intFlag(opts.k, '--k');
      const samples = intFlag(opts.samples, '--samples');
      if (samples !== undefined && k !== undefined && samples < k) {
        throw new ReasonerError('RSN_ERR_USAGE', `--samples ${samples} is fewer than --k ${k}: pass@${k} needs at least ${k} samples per task`, { hint: `use --samples ${k} (or more, for a lower-variance estimate), or a smaller --k` });
      }
      const tasksSpec = pluginFlag(opts.tasks, opts.tasksOptions, '--tasks');
      await withKernel(g, async (kernel, signal) => {
        const bar = createProgress('eval', !g.json && process.stderr.isTTY === true);
        const tasks = kernel.require('task');
        bar.start(await tasks.count?.({ split: opts.split as 'test', limit: intFlag(opts.limit, '--limit') }));
        const report = await evaluate(
          { tasks, policy: kernel.require('policy'), reward: runReward(kernel), grader: runGrader(kernel), hooks: kernel.hooks },
          {
            split: opts.split as 'test', limit: intFlag(opts.limit, '--limit'), k,
            samples, temperature: temperatureFlag(opts.temperature),
            concurrency: intFlag(opts.concurrency, '--concurrency'), seed: kernel.config.run.seed, signal,
            onProgress: (d) => bar.update(d),
          },
        );
        bar.stop();
        const limit = intFlag(opts.limit, '--limit');
        // A limit past the split's end evaluates the whole split: say so, or n is misread.
        if (limit !== undefined && report.n < limit && !signal.aborted) {
          kernel.logger.warn(`--limit ${limit}: the ${opts.split} split of "${tasks.name}" has ${report.n} tasks; all ${report.n} were evaluated`);
        }
        const { accuracyCi95: [accuracyLow, accuracyHigh], byLevel, ...numbers } = report;
        await kernel.hooks.evalResult.promise({ task: tasks.name, split: opts.split, n: report.n, metrics: { ...numbers, accuracyLow, accuracyHigh } });
        if (g.json) printJson(report);
        else {
          process.stdout.write(`${tasks.name} ${opts.split} (${report.n} tasks): greedy pass@1 ${percentWithCi(report.accuracy, report.n)}  pass@${report.k} ${percent(report.passAtK)}  maj@${report.k} ${percent(report.majAtK)}  sampled pass@1 ${percent(report.passAt1Sampled)}  ${report.tokens} tokens  ${(report.wallMs / 1000).toFixed(1)} s\n`);
          for (const [level, b] of Object.entries(byLevel ?? {})) process.stdout.write(`  level ${level} (${b.n} tasks): greedy pass@1 ${percent(b.accuracy)}  pass@${report.k} ${percent(b.passAtK)}\n`);
        }
      }, checkpointOverride(opts.checkpoint, (c) => (tasksSpec ? { ...c, tasks: tasksSpec } : c)));
    });
}

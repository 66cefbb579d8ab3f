import type { Command } from 'commander';
import { runPipeline } from '../../pipeline/run.js';
import { createProgress } from '../progress.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, intFlag, printJson, withKernel } from '../shared.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('search every task with the configured policy, reward and search; write runs/<id>/')
    .option('--resume <run-id>', 'continue a stopped run: skips recorded tasks, never writes one twice')
    .option('--run-id <id>', 'name the run folder (default: timestamp)')
    .option('--limit <n>', 'stop after n tasks')
    .option('--concurrency <n>', 'tasks searched at once (overrides run.concurrency)')
    .option('--sanity', 'first score a calibration batch with known outcomes and report how well the reward separates them (AUC); warn if weakly')
    .option('--strict', 'like --sanity, but refuse to run (RSN_ERR_SANITY) unless the reward separates correct from incorrect')
    .option('--sanity-tasks <n>', 'calibration tasks for --sanity/--strict (default 16, from the validation split)')
    .option('--sanity-samples <n>', 'policy samples per calibration task (default 4)')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: { resume?: string; runId?: string; limit?: string; concurrency?: string; sanity?: boolean; strict?: boolean; sanityTasks?: string; sanitySamples?: string; checkpoint?: string }, cmd: Command) => {
      const g = globals(cmd);
      const limit = intFlag(opts.limit, '--limit');
      const concurrency = intFlag(opts.concurrency, '--concurrency');
      const sanity = opts.sanity || opts.strict
        ? { strict: !!opts.strict, tasks: intFlag(opts.sanityTasks, '--sanity-tasks'), samples: intFlag(opts.sanitySamples, '--sanity-samples') }
        : undefined;
      await withKernel(g, async (kernel, signal) => {
        const bar = createProgress('run', !g.json && process.stderr.isTTY === true);
        let correct = 0;
        const { summary, dir, sanity: check } = await runPipeline(kernel, {
          resume: opts.resume, runId: opts.runId, limit, concurrency, signal, sanity,
          onStart: (info, total) => {
            if (!g.json) kernel.logger.info(`${info.resumed ? 'resuming' : 'starting'} run ${info.runId}${info.resumed ? ` (${info.done} tasks already done)` : ''} → ${info.dir}`);
            bar.start(total, info.done);
          },
          onProgress: (done, _total, rec) => {
            if (rec.correct) correct++;
            bar.update(done, { acc: `${((correct / Math.max(1, done)) * 100).toFixed(1)}%` });
          },
        });
        bar.stop();
        if (g.json) printJson({ ...summary, dir, ...(check ? { sanity: check } : {}) });
        else {
          const pct = (summary.accuracy * 100).toFixed(1);
          kernel.logger.info(`done: ${summary.correct}/${summary.tasks} correct (${pct} %), ${summary.errors} errors, ${summary.usage.completionTokens} tokens, ${(summary.wallMs / 1000).toFixed(1)} s${summary.stoppedBy ? `, stopped by ${summary.stoppedBy}` : ''}`);
          const stats = Object.entries(summary.searchStats).map(([k, v]) => `${k} ${+v.toFixed(2)}`).join(', ');
          if (stats) kernel.logger.info(`search (mean per task): ${stats}`);
          kernel.logger.info(`records: ${dir}/trajectories.jsonl  summary: ${dir}/summary.json`);
        }
        if (summary.stoppedBy === 'abort') process.exitCode = 130;
      }, checkpointOverride(opts.checkpoint));
    });
}

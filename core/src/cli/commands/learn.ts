import type { Command } from 'commander';
import { learnPipeline } from '../../pipeline/learn.js';
import { createProgress, every, LEARN_LOG_MS } from '../progress.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, printJson, withKernel } from '../shared.js';

export function registerLearn(program: Command): void {
  program
    .command('learn')
    .description('train the policy with the configured learner: on a run\'s records (--run), a JSONL data set (--data), or online (search → update)')
    .option('--run <dir>', 'learn from this run folder\'s records (runs/<id>), or a JSONL file of trajectory records (e.g. another learner\'s rollouts.jsonl)')
    .option('--data <file>', 'learn from a JSONL of {prompt, solution, reward} (e.g. from `reasoner data export`)')
    .option('--out <dir>', 'where the checkpoint and learn.json go (default: <run.out>/learn-<stamp>)')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: { run?: string; data?: string; out?: string; checkpoint?: string }, cmd: Command) => {
      const g = globals(cmd);
      await withKernel(g, async (kernel, signal) => {
        const bar = createProgress('search', !g.json && process.stderr.isTTY === true);
        let started = false;
        const due = every(LEARN_LOG_MS);
        const { report, dir, learner, policyBefore } = await learnPipeline(kernel, {
          ...opts, signal,
          onLearnStep: (s) => { if (!g.json && due()) { kernel.logger.info(`learn: step ${s.step}, loss ${s.loss.toFixed(4)}${s.lr === undefined ? "" : `, lr ${s.lr.toExponential(2)}`}`); } },
          progress: { onRecord: (_r, done, total) => { if (!started) { bar.start(total); started = true; } bar.update(done); if (done === total) { bar.stop(); started = false; } } },
        });
        bar.stop();
        if (g.json) printJson({ learner, dir, policyBefore, ...report });
        else {
          const m = report.metrics;
          kernel.logger.info(`${learner}: ${report.steps} steps, ${report.tokens ?? 0} tokens (${Math.round(m.tokensPerSec ?? 0)} tok/s), loss ${(m.loss ?? NaN).toFixed(4)}, ${((report.wallMs ?? 0) / 1000).toFixed(1)} s`);
          kernel.logger.info(`checkpoint: ${report.checkpoint ?? '(none)'}  report: ${dir}/learn.json`);
          if (report.checkpoint) kernel.logger.info(`use it: \`reasoner eval --checkpoint ${report.checkpoint}\` (or policy: tiny({ checkpoint: '${report.checkpoint}' }) in the config)`);
        }
      }, checkpointOverride(opts.checkpoint));
    });
}

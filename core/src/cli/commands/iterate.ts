import type { Command } from 'commander';
import { iteratePipeline, type RoundEval } from '../../pipeline/iterate.js';
import { createProgress, every, LEARN_LOG_MS } from '../progress.js';
import { CHECKPOINT_HELP, checkpointOverride, globals, intFlag, printJson, splitFlag, temperatureFlag, withKernel } from '../shared.js';
import { percent as pct, percentWithCi, wilsonInterval } from '../../util/stats.js';

export function registerIterate(program: Command): void {
  program
    .command('iterate')
    .description('search → learn → eval, k rounds: fresh training tasks each round, a fixed held-out evaluation; resumable')
    .option('--rounds <k>', 'rounds', '3')
    .option('--resume <id>', 'continue a stopped iterate run (its folder under run.out)')
    .option('--run-id <id>', 'name the run folder (default: iterate-<stamp>)')
    .option('--tasks-per-round <n>', 'training tasks searched per round (default 1024; online learners — PPO/GRPO — sample their own and ignore it)')
    .option('--eval-split <split>', 'held-out split for evaluation', 'test')
    .option('--eval-limit <n>', 'evaluation tasks (default 200)')
    .option('--k <k>', 'k of pass@k (default 16)')
    .option('--temperature <t>', 'sampling temperature of pass@k (default 0.8)')
    .option('--checkpoint <dir>', CHECKPOINT_HELP)
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const g = globals(cmd);
      const rounds = intFlag(opts.rounds, '--rounds')!;
      const evalSplit = splitFlag(opts.evalSplit, '--eval-split');
      const temperature = temperatureFlag(opts.temperature);
      await withKernel(g, async (kernel, signal) => {
        const tty = !g.json && process.stderr.isTTY === true;
        let bar = createProgress('', false);
        let phase = '';
        const due = every(LEARN_LOG_MS);
        const levels = (e: RoundEval) => Object.entries(e.byLevel ?? {}).map(([l, b]) => `  [level ${l}: ${pct(b.accuracy)} / ${pct(b.passAtK)}]`).join('');
        const line = (label: string, e: RoundEval) => kernel.logger.info(`${label}: greedy ${percentWithCi(e.greedy, e.n)}  pass@${e.k} ${pct(e.passAtK)}  diversity ${e.diversity.toFixed(2)}  KL to start ${e.klToStart.toFixed(4)}${levels(e)}`);
        const res = await iteratePipeline(kernel, {
          rounds, resume: opts.resume, runId: opts.runId, signal,
          tasksPerRound: intFlag(opts.tasksPerRound, '--tasks-per-round'), evalSplit,
          evalLimit: intFlag(opts.evalLimit, '--eval-limit'), k: intFlag(opts.k, '--k'),
          temperature,
          onEvent: (e) => {
            if (g.json) return;
            if (e.phase === 'start') kernel.logger.info(`${e.resumedRounds ? `resuming ${e.runId} after round ${e.resumedRounds}` : `starting ${e.runId}`} → ${e.dir}`);
            else if (e.phase === 'baseline') line('start', e.eval);
            else if (e.phase === 'search' || e.phase === 'eval') {
              const label = `round ${e.round} ${e.phase}`;
              if (label !== phase) { bar.stop(); bar = createProgress(label, tty); bar.start(e.total); phase = label; }
              bar.update(e.done);
            } else if (e.phase === 'learn') {
              if (phase) { bar.stop(); phase = ''; }
              if (due()) kernel.logger.info(`round ${e.round} learn: step ${e.step}, loss ${e.loss.toFixed(4)}`);
            } else if (e.phase === 'round') {
              bar.stop(); phase = '';
              const r = e.round;
              line(`round ${r.round}`, r);
              kernel.logger.info(`  ${r.searchAccuracy === null ? 'online learner (no search)' : `search solved ${pct(r.searchAccuracy)} of its tasks`}; ${r.learn.steps} learn steps; ${r.tokens} tokens; ${(r.wallMs / 1000).toFixed(0)} s; checkpoint ${r.checkpoint}`);
            }
          },
        });
        bar.stop();
        const ci = (e: RoundEval) => wilsonInterval(Math.round(e.greedy * e.n), e.n);
        const rows = res.state.rounds.map((r) => ({ round: r.round, greedy: r.greedy, greedyCi95: ci(r), passAtK: r.passAtK, tokens: r.tokens, wallMs: r.wallMs, checkpoint: r.checkpoint, diversity: r.diversity, klToStart: r.klToStart, searchAccuracy: r.searchAccuracy, ...(r.byLevel ? { byLevel: r.byLevel } : {}) }));
        const start = res.state.start && { ...res.state.start, greedyCi95: ci(res.state.start) };
        if (g.json) printJson({ rounds: rows, checkpoint: res.checkpoint, start, dir: res.dir });
        else kernel.logger.info(`done: ${res.state.rounds.length} rounds in ${res.dir}; last checkpoint ${res.checkpoint ?? '(none)'}${res.checkpoint ? ` (\`reasoner eval --checkpoint ${res.checkpoint}\`, or the policy's checkpoint option)` : ''}`);
        if (signal.aborted) process.exitCode = 130;
      }, checkpointOverride(opts.checkpoint));
    });
}

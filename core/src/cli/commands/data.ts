import type { Command } from 'commander';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { ReasonerError } from '../../errors.js';
import { RunStore } from '../../pipeline/run-store.js';
import type { DatasetRecord } from '../../types/learn.js';
import type { TaskSource, TaskSplit } from '../../types/task.js';
import { exportFormatted, FORMAT_HELP } from './data-formats.js';
import { globals, intFlag, openOutput, pluginFlag, printJson, splitFlag, withKernel } from '../shared.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('dataset records: {prompt, solution, reward, …} JSONL (roadmap phase 0)');
  data
    .command('export')
    .description('write dataset records from a task source\'s reference solutions, or from a run\'s trajectories (--run)')
    .requiredOption('--out <file>', 'output JSONL')
    .option('--tasks <plugin>', 'task source (package or path); default: the config\'s')
    .option('--tasks-options <json>', 'options for --tasks')
    .option('--split <split>', 'train | validation | test', 'train')
    .option('--limit <n>', 'at most n records')
    .option('--run <dir>', 'export a run folder (runs/<id>), or a JSONL of trajectory records (e.g. a learner\'s rollouts.jsonl), instead: one record per trajectory, reward = its reward value')
    .option('--format <name>', FORMAT_HELP)
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      if (opts.format) return exportFormatted(opts, cmd);
      const g = globals(cmd);
      const limit = intFlag(opts.limit, '--limit') ?? Infinity;
      splitFlag(opts.split);
      const out = await openOutput(opts.out!);
      let n = 0;
      const write = (r: DatasetRecord) => { out.write(JSON.stringify(r) + '\n'); n++; };
      if (opts.run) {
        for (const t of await RunStore.read(path.resolve(opts.run))) {
          if (n >= limit) break;
          if (t.error) continue;
          // `answer` is the gold answer, as in a task export (learners read it as such); the policy's own is `meta.predicted`.
          write({ id: t.taskId, prompt: t.prompt, solution: t.solution, reward: t.reward?.value ?? 0, answer: t.gold ?? undefined, meta: { correct: t.correct, predicted: t.answer, policyId: t.policyId, search: t.search.name } });
        }
      } else {
        const tasksSpec = pluginFlag(opts.tasks, opts.tasksOptions, '--tasks');
        await withKernel(g, async (kernel) => {
          const tasks = kernel.require('task');
          for await (const t of tasks.tasks({ split: opts.split as 'train', limit: Number.isFinite(limit) ? limit : undefined })) {
            if (t.solution === undefined) {
              throw new ReasonerError('RSN_ERR_DATASET', `task source "${tasks.name}" has no reference solution for ${t.id}`, { hint: 'export a run instead (--run runs/<id>), whose solutions come from search' });
            }
            write({ id: t.id, prompt: t.prompt, solution: t.solution, reward: 1, answer: t.answer, meta: t.meta });
          }
          if (n === 0 && limit > 0) {
            const has = await splitsWithTasks(tasks);
            await out.close();
            await unlink(out.path).catch(() => {});
            throw new ReasonerError('RSN_ERR_DATASET', `task source "${tasks.name}" has no ${opts.split} split${has.length ? `; it has: ${has.join(', ')}` : ' (it yields no tasks at all)'}`, {
              hint: has.length ? `pass --split ${has[0]}` : 'check the task source\'s options',
            });
          }
        }, (c) => ({ ...c, ...(tasksSpec ? { tasks: tasksSpec } : {}), policy: undefined, reward: undefined, search: undefined, learn: undefined }), true);
      }
      await out.close();
      if (g.json) printJson({ records: n, out: out.path });
      else process.stdout.write(`wrote ${n} records to ${opts.out}\n`);
    });
}

/** The splits of a source that yield at least one task. */
export async function splitsWithTasks(tasks: TaskSource): Promise<TaskSplit[]> {
  const out: TaskSplit[] = [];
  for (const split of ['train', 'validation', 'test'] as const) {
    for await (const _ of tasks.tasks({ split, limit: 1 })) {
      out.push(split);
      break;
    }
  }
  return out;
}

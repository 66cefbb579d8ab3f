/** `data export --format …` (TRL / OpenRLHF / verl layouts; see pipeline/export-formats.ts). */
import path from 'node:path';
import { ReasonerError } from '../../errors.js';
import { stepFormatOf } from '../../kernel/instrument.js';
import { EXPORT_FORMATS, writeExport, type ExportFormat, type ExportOptions } from '../../pipeline/export-formats.js';
import { groupsFromRecords, type CandidateGroup } from '../../pipeline/learn-data.js';
import { runReward } from '../../pipeline/run.js';
import { RunStore } from '../../pipeline/run-store.js';
import { globals, intFlag, pluginFlag, printJson, withKernel } from '../shared.js';
import type { Command } from 'commander';

export const FORMAT_HELP = `export in a training engine's layout: ${EXPORT_FORMATS.join(' | ')} (verl writes Parquet)`;

export async function exportFormatted(opts: Record<string, string | undefined>, cmd: Command): Promise<void> {
  const g = globals(cmd);
  const format = opts.format as ExportFormat;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ReasonerError('RSN_ERR_USAGE', `unknown --format "${format}"`, { hint: `use one of: ${EXPORT_FORMATS.join(', ')}` });
  const limit = intFlag(opts.limit, '--limit') ?? Infinity;
  const out = path.resolve(opts.out!);
  const tasksSpec = pluginFlag(opts.tasks, opts.tasksOptions, '--tasks');
  let result: { records: number; skipped: number; rewardFunction?: string } | undefined;
  // The config (if any) gives the task's step format and process scorer (trl-prm labels).
  await withKernel(g, async (kernel) => {
    const tasks = kernel.service('task');
    const o: ExportOptions = { split: opts.split, dataSource: tasks?.name, ...(tasks ? { splitSteps: stepFormatOf(tasks).split } : {}) };
    if (format === 'trl-prm' && tasks) {
      const reward = kernel.service('reward') ?? (tasks.verify ? runReward(kernel) : undefined);
      if (reward?.scoreSteps) o.scoreSteps = (task, steps) => reward.scoreSteps!(task, steps);
    }
    let groups: CandidateGroup[];
    if (opts.run) {
      groups = groupsFromRecords(await RunStore.read(path.resolve(opts.run)));
    } else {
      if (!tasks) throw new ReasonerError('RSN_ERR_USAGE', 'nothing to export: pass --run runs/<id>, or --tasks <plugin> (or a config with tasks)');
      groups = [];
      for await (const t of tasks.tasks({ split: (opts.split ?? 'train') as 'train', limit: Number.isFinite(limit) ? limit : undefined })) {
        groups.push({ taskId: t.id, prompt: t.prompt, gold: t.answer ?? null, candidates: t.solution ? [{ text: t.solution, answer: t.answer ?? null, reward: 1, correct: true, tokens: 0 }] : [] });
      }
    }
    if (Number.isFinite(limit)) groups = groups.slice(0, limit);
    result = await writeExport(format, groups, out, o);
  }, (c) => ({ ...c, ...(tasksSpec ? { tasks: tasksSpec } : {}), policy: undefined, search: undefined, learn: undefined }), true);
  if (g.json) printJson({ format, ...result, out });
  else {
    process.stdout.write(`wrote ${result!.records} ${format} records to ${opts.out}${result!.skipped ? ` (${result!.skipped} incorrect solutions left out: no process scorer to label their steps)` : ''}\n`);
    if (result!.rewardFunction) {
      process.stdout.write(`verl reward function: ${result!.rewardFunction} — start \`reasoner serve\` with this config, then train with\n`
        + `  custom_reward_function.path=${result!.rewardFunction} custom_reward_function.name=compute_score (REASONER_URL, REASONER_API_KEY)\n`);
    }
  }
}

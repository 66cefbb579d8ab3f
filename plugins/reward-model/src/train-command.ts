import { isAbsolute, resolve } from 'node:path';
import { RunStore, ReasonerError, type PluginCommand, type TrajectoryRecord } from '@reasoner/core';
import { DEFAULT_CHECKPOINT, TinyModel, useBackend } from '@reasoner/plugin-policy-tiny';
import { loadCheckpoint } from '@reasoner/tiny-format';
import type { RewardModelKind } from './checkpoint.js';
import type { StepExample } from './label.js';
import { trainRewardModel } from './pipeline.js';

/** Outcome examples from a run's records: every kept candidate with its grader verdict. */
export function examplesFromRecords(records: TrajectoryRecord[], split: (text: string) => string[]): StepExample[] {
  const out: StepExample[] = [];
  for (const r of records) {
    for (const c of r.candidates ?? []) {
      const steps = split(c.text);
      if (steps.length) out.push({ taskId: r.taskId, prompt: r.prompt, steps, labels: steps.map((_, i) => (i === steps.length - 1 && c.correct ? 1 : 0)), correct: c.correct });
    }
  }
  return out;
}

/** `reasoner train-reward`: Monte-Carlo labels from the config's policy and tasks (or a run's records) → a reward model. */
export const trainRewardCommand: PluginCommand = {
  name: 'train-reward',
  description: 'train a reward model: a PRM from Monte-Carlo rollouts of the config\'s policy, or an outcome / Bradley–Terry model from a run\'s graded candidates',
  options: [
    ['--kind <kind>', 'prm (step values from rollouts) | orm (graded outcomes) | bt (Bradley–Terry pairs)', 'prm'],
    ['--from-run <dir>', 'train on the graded candidates of runs/<id> (orm or bt) instead of sampling'],
    ['--tasks <n>', 'train-split tasks to label with rollouts', '400'],
    ['--samples <n>', 'solutions sampled per task', '8'],
    ['--rollouts <n>', 'rollouts per step prefix', '4'],
    ['--labels <file>', 'reuse / write the Monte-Carlo labels (JSONL)'],
    ['--base <dir>', 'policy-tiny checkpoint whose features the model reads (default: the shipped policy)'],
    ['--epochs <n>', 'training epochs of the head', '40'],
    ['--out <dir>', 'where to write the reward model', 'checkpoints/reward-model'],
  ],
  needs: ['task', 'policy'],
  async run(ctx) {
    const o = ctx.options as Record<string, string | undefined>;
    const kind = (o.kind ?? 'prm') as RewardModelKind;
    if (!['prm', 'orm', 'bt'].includes(kind)) throw new ReasonerError('RSN_ERR_USAGE', `--kind must be prm, orm or bt (got ${kind})`);
    const num = (k: string, d: number): number => {
      const v = Number(o[k] ?? d);
      if (!Number.isInteger(v) || v < 1) throw new ReasonerError('RSN_ERR_USAGE', `--${k} must be a positive integer (got ${o[k]})`);
      return v;
    };
    const abs = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.configDir, p));
    const tasks = ctx.service('task');
    const policy = ctx.service('policy');
    if (!tasks || !policy) throw new ReasonerError('RSN_ERR_CONFIG_INVALID', 'train-reward needs `tasks` and `policy` in the config');
    const baseDir = o.base ? abs(o.base) : DEFAULT_CHECKPOINT;
    await useBackend('wasm');
    const base = TinyModel.fromCheckpoint(await loadCheckpoint(baseDir));
    let labelsFile = o.labels ? abs(o.labels) : undefined;
    if (o.fromRun) {
      if (kind === 'prm') throw new ReasonerError('RSN_ERR_USAGE', 'a run\'s records carry outcomes, not step values: use --kind orm or bt with --from-run', { hint: 'or drop --from-run to label steps with rollouts' });
      const records = await RunStore.read(abs(o.fromRun));
      const split = tasks.stepFormat?.split ?? ((t: string) => t.split('\n').map((s) => s.trim()).filter(Boolean));
      const examples = examplesFromRecords(records, split);
      if (examples.length === 0) throw new ReasonerError('RSN_ERR_DATASET', `${o.fromRun} has no kept candidates to learn from`, { hint: 'run with run.keep.candidates > 0 (the default keeps 64)' });
      const { writeFile } = await import('node:fs/promises');
      labelsFile = resolve(abs(o.fromRun), `reward-${kind}-examples.jsonl`);
      await writeFile(labelsFile, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    const r = await trainRewardModel({
      policy, tasks, baseDir, base, baseRef: o.base ? abs(o.base) : 'default', out: abs(o.out ?? 'checkpoints/reward-model'), kind,
      tasksCount: num('tasks', 400), samples: num('samples', 8), rollouts: num('rollouts', 4), temperature: 0.8,
      labelsFile, epochs: num('epochs', 40), signal: ctx.signal, log: (m) => ctx.logger.info(m),
    });
    base.dispose();
    if (ctx.json) process.stdout.write(JSON.stringify(r) + '\n');
    else ctx.logger.info(`reward model → ${r.dir}: step AUC ${r.metrics.stepAuc?.toFixed(3)}, outcome AUC ${r.metrics.outcomeAuc?.toFixed(3)} on ${r.metrics.heldOutSolutions} held-out solutions`);
  },
};

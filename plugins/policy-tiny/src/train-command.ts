import { isAbsolute, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { ReasonerError } from '@reasoner/core';
import type { PluginCommand, PluginCommandContext } from '@reasoner/core';
import { BACKENDS, type BackendName } from './backend.js';
import { jsonlData, taskData, TASK_MODULES } from './data.js';
import { DEFAULT_RECIPE, MODEL_SIZES, train, type TrainProgress } from './train.js';

const num = (v: unknown, name: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ReasonerError('RSN_ERR_USAGE', `--${name} must be a number (got ${String(v)})`);
  return n;
};

function progressReporter(ctx: PluginCommandContext, steps: number): { update(p: TrainProgress): void; stop(): void } {
  if (!ctx.json && process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: 'train [{bar}] {value}/{total} | eta {eta_formatted} | {info}', stream: process.stderr, hideCursor: true, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
    bar.start(steps, 0, { info: '' });
    return {
      update: (p) => bar.update(p.step, { info: `loss ${p.loss.toFixed(3)} ${p.tokensPerSec.toFixed(0)} tok/s` + (p.valLoss !== undefined ? ` val ${p.valLoss.toFixed(3)} acc ${p.valAccuracy?.toFixed(2) ?? '-'}` : '') }),
      stop: () => bar.stop(),
    };
  }
  return {
    update: (p) => {
      if (p.valLoss !== undefined) ctx.logger.info(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} val_loss ${p.valLoss.toFixed(4)} val_acc ${p.valAccuracy ?? '-'} ${p.tokensPerSec.toFixed(0)} tok/s`);
    },
    stop: () => {},
  };
}

/** `reasoner train`: SFT of a policy-tiny model on a task plugin's solutions or a JSONL file. */
export const trainCommand: PluginCommand = {
  name: 'train',
  description: 'train a policy-tiny checkpoint (SFT on task-generated solutions or a JSONL of {prompt, solution})',
  // The checkpoint the config points at may not exist yet: set up no service, only extensions.
  needs: [],
  options: [
    ['--task <name>', `task plugin to draw training data from (${Object.keys(TASK_MODULES).join('|')} or a module name)`, 'countdown'],
    ['--data <file>', 'JSONL of {"prompt","solution"} records (instead of --task)'],
    ['--steps <n>', 'optimizer steps (upper bound with --max-minutes)', String(DEFAULT_RECIPE.steps)],
    ['--batch <n>', 'sequences per step', String(DEFAULT_RECIPE.batchSize)],
    ['--lr <x>', 'peak learning rate (warmup then cosine)', String(DEFAULT_RECIPE.lr)],
    ['--out <dir>', 'checkpoint directory to write', 'checkpoints/tiny'],
    ['--resume <dir>', 'continue from this checkpoint'],
    ['--noise <p>', 'share of Stream-of-Search style noisy solutions (task plugins with noisySolution)', String(DEFAULT_RECIPE.noise)],
    ['--backend <name>', `tfjs backend (${BACKENDS.join('|')})`, 'wasm'],
    ['--size <name>', `model size (${Object.keys(MODEL_SIZES).join('|')}|default)`, 'default'],
    ['--max-minutes <m>', 'wall-time budget (LR decay follows it; 0 = none)', '0'],
    ['--eval-every <n>', 'validation every n steps', String(DEFAULT_RECIPE.evalEvery)],
    ['--seed <n>', 'seed of initialisation and data order', String(DEFAULT_RECIPE.seed)],
  ],
  async run(ctx) {
    const o = ctx.options;
    const path = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.configDir, p));
    const backend = String(o.backend ?? 'wasm') as BackendName;
    const sizeName = String(o.size ?? 'default');
    const size = sizeName === 'default' ? DEFAULT_RECIPE.size : MODEL_SIZES[sizeName];
    if (!size) throw new ReasonerError('RSN_ERR_USAGE', `unknown --size ${sizeName}`, { hint: `use one of: default, ${Object.keys(MODEL_SIZES).join(', ')}` });
    const data = o.data ? await jsonlData(path(String(o.data))) : await taskData(String(o.task ?? 'countdown'), { noise: num(o.noise ?? DEFAULT_RECIPE.noise, 'noise'), unrecovered: DEFAULT_RECIPE.unrecovered });
    const steps = num(o.steps, 'steps');
    const bar = progressReporter(ctx, steps);
    let result;
    try {
      result = await train({
        ...DEFAULT_RECIPE,
        data,
        size,
        steps,
        batchSize: num(o.batch, 'batch'),
        lr: num(o.lr, 'lr'),
        seed: num(o.seed, 'seed'),
        evalEvery: num(o.evalEvery, 'eval-every'),
        maxMinutes: num(o.maxMinutes ?? 0, 'max-minutes') || undefined,
        out: path(String(o.out ?? 'checkpoints/tiny')),
        resume: o.resume ? path(String(o.resume)) : undefined,
        backend,
        hooks: ctx.hooks,
        logger: ctx.logger,
        signal: ctx.signal,
        onProgress: (p) => bar.update(p),
        meta: { noise: o.data ? undefined : Number(o.noise), source: o.data ? String(o.data) : String(o.task) },
      });
    } finally {
      bar.stop();
    }
    const summary = { id: result.id, dir: result.dir, steps: result.steps, wallMs: Math.round(result.wallMs), tokens: result.tokens, loss: result.loss, valLoss: result.valLoss, valAccuracy: result.valAccuracy, parameters: result.parameters };
    result.model.dispose();
    if (ctx.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else ctx.logger.info(`wrote ${summary.dir} (${summary.id}): ${summary.steps} steps, val_loss ${summary.valLoss?.toFixed(4)}, val_acc ${summary.valAccuracy ?? '-'}`);
    return 0;
  },
};

/**
 * The committed recipe of the shipped countdown checkpoint (`npm run train:default`).
 *
 *   node --import tsx plugins/policy-tiny/scripts/train-default.ts [--out dir] [--max-minutes 25] [--resume dir]
 *
 * Data: the countdown plugin's train split (sizes 3–4, default options), Stream-of-Search style
 * noisy solutions (`noise` 0.3: detours with backtracking, fixed slips, some unrecovered slips),
 * so the policy is capable but fallible. The LR schedule and the stop follow a wall-time budget
 * (see TrainOptions.maxMinutes), so on a busier machine the run takes fewer steps.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '@reasoner/core';
import { taskData } from '../src/data.js';
import { DEFAULT_RECIPE, train } from '../src/train.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    'max-minutes': { type: 'string', default: String(DEFAULT_RECIPE.maxMinutes) },
    steps: { type: 'string', default: String(DEFAULT_RECIPE.steps) },
    backend: { type: 'string', default: 'wasm' },
    resume: { type: 'string' },
    lr: { type: 'string', default: String(DEFAULT_RECIPE.lr) },
  },
});
const logger = createLogger('info', 'train-default');
const data = await taskData('countdown', { noise: DEFAULT_RECIPE.noise });
const result = await train({
  ...DEFAULT_RECIPE,
  data,
  steps: Number(values.steps),
  lr: Number(values.lr),
  maxMinutes: Number(values['max-minutes']),
  backend: values.backend as 'wasm',
  out: values.out,
  resume: values.resume,
  logger,
  meta: { recipe: 'plugins/policy-tiny/scripts/train-default.ts', noise: DEFAULT_RECIPE.noise },
  onProgress: (p) => {
    if (p.step % 10 === 0 || p.valLoss !== undefined) {
      logger.info(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(2)} ${p.tokensPerSec.toFixed(0)} tok/s ${(p.elapsedMs / 60000).toFixed(1)} min` + (p.valLoss !== undefined ? ` val_loss ${p.valLoss.toFixed(4)} val_acc ${p.valAccuracy?.toFixed(3)}` : ''));
    }
  },
});
logger.info(`done: ${result.id} in ${(result.wallMs / 60000).toFixed(1)} min, ${result.steps} steps, val_loss ${result.valLoss?.toFixed(4)} val_acc ${result.valAccuracy}`);
result.model.dispose();

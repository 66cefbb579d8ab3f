/**
 * The committed recipe of the shipped countdown checkpoint (`npm run train:default`).
 *
 *   node --import tsx plugins/policy-tiny/scripts/train-default.ts [--out dir] [--backend wasm|cpu]
 *
 * One run from scratch with a fixed step count (no wall-time budget), so a re-run on the same
 * backend replays the same batches and LR schedule:
 *   - model: 3 layers, d=96, 4 heads, dFF 384, context 128 (`DEFAULT_RECIPE.size`, 350 k params);
 *   - data: the countdown plugin's train split (3–4 numbers), Stream-of-Search style noisy
 *     solutions: 30 % of examples perturbed, half of the perturbations unrecovered slips (the final
 *     line states the wrong result, so copying the target is not always right), the other half
 *     detours with backtracking and fixed slips. Unrecovered slips from step 0 are what makes the
 *     model do the arithmetic; 2-number drills were tried and hurt (a drill's result is its target);
 *   - AdamW (β 0.9/0.99, decay 0.01 on matrices), batch 32, peak LR 2e-3, 100 warmup steps, cosine
 *     to 2e-4 at step 3100, global-norm clip 1, seed 1; validation every 500 steps.
 * Measured: 3100 steps, 3.85 M tokens, 28.4 min (1703 s) of wall time at 2263 tok/s on
 * tfjs-wasm, 2 cores, machine otherwise idle (2220–2270 tok/s throughout); validation greedy
 * accuracy 0 / 4.7 / 14 / 30 / 37.5 % at steps 1000 / 1500 / 2000 / 2500 / 3100. `--steps` /
 * `--stop-at` / `--lr` override the recipe for pilots. A slower machine takes longer, not fewer steps.
 * Test split (500, `eval-default.ts`): greedy pass@1 24.8 %, pass@16 54.0 % at T = 0.8 (45.2 % at T = 1).
 * (The previous checkpoint took three phases and 68 min on a loaded machine; see git history.)
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '@reasoner/core';
import type { BackendName } from '../src/backend.js';
import { taskData } from '../src/data.js';
import { DEFAULT_RECIPE, train, type TrainProgress } from '../src/train.js';

export const RECIPE = DEFAULT_RECIPE;

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string' },
    'stop-at': { type: 'string' },
    lr: { type: 'string' },
  },
});
const logger = createLogger('info', 'train-default');
const onProgress = (p: TrainProgress): void => {
  if (p.step % 10 === 0 || p.valLoss !== undefined) {
    logger.info(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(2)} ${p.tokensPerSec.toFixed(0)} tok/s ${(p.elapsedMs / 60000).toFixed(1)} min` + (p.valLoss !== undefined ? ` val_loss ${p.valLoss.toFixed(4)} val_acc ${p.valAccuracy?.toFixed(3)}` : ''));
  }
};
const { noise, unrecovered, ...opts } = RECIPE;
const result = await train({
  ...opts,
  steps: values.steps ? Number(values.steps) : RECIPE.steps,
  stopAt: values['stop-at'] ? Number(values['stop-at']) : undefined,
  lr: values.lr ? Number(values.lr) : RECIPE.lr,
  data: await taskData('countdown', { noise, unrecovered }),
  backend: values.backend as BackendName,
  out: values.out,
  logger,
  onProgress,
  meta: { recipe: 'plugins/policy-tiny/scripts/train-default.ts', noise, unrecovered, warmup: RECIPE.warmup },
});
logger.info(`done: ${result.id} in ${(result.wallMs / 60000).toFixed(1)} min, step ${result.steps}, ${result.tokens} tokens, ${(result.tokens / result.wallMs * 1000).toFixed(0)} tok/s, val_loss ${result.valLoss?.toFixed(4)} val_acc ${result.valAccuracy}`);
result.model.dispose();

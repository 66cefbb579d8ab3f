/**
 * The committed recipe of the shipped countdown checkpoint (`npm run train:default`).
 *
 *   node --import tsx plugins/policy-tiny/scripts/train-default.ts [--out dir] [--phase 1|2|3|all] [--backend wasm|cpu]
 *
 * Data: the countdown plugin's train split (default options: 3–4 numbers), Stream-of-Search style
 * noisy solutions (noise 0.3: detours with backtracking, fixed slips, some unrecovered slips), so
 * the policy is capable but fallible. Three phases, exactly as the shipped checkpoint was trained
 * (phase 3 was added when phase 2 showed arithmetic to be the bottleneck):
 *   1. from scratch, peak LR 2e-3, wall-time budget 25 min (the cosine decay follows the budget);
 *   2. resumed (warm restart), peak LR 1e-3, schedule over 4000 steps, stopped at step 2200;
 *   3. resumed from step 2200, peak LR 1e-3, half of the perturbations unrecovered slips (their
 *      final line states the wrong result, so copying the target is not always right), until
 *      step 6000 or 32 min. (A first phase 3 that mixed in 2-number drills was dropped after
 *      600 steps: a drill's result is its target, so drills reward copying the target instead of
 *      doing the arithmetic.)
 * The time budgets make the step count depend on machine load, so a re-run reproduces the recipe,
 * not the exact bytes; `checkpoint.json` → `training` records steps, tokens and wall time.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '@reasoner/core';
import type { BackendName } from '../src/backend.js';
import { taskData } from '../src/data.js';
import { DEFAULT_RECIPE, train, type TrainProgress } from '../src/train.js';

export const PHASES = [
  { lr: DEFAULT_RECIPE.lr, maxMinutes: 25, resume: false, steps: DEFAULT_RECIPE.steps, stopAt: undefined, unrecovered: undefined },
  { lr: 1e-3, maxMinutes: 40, resume: true, steps: 4000, stopAt: 2200, unrecovered: undefined },
  { lr: 1e-3, maxMinutes: 32, resume: true, steps: 6000, stopAt: undefined, unrecovered: 0.5 },
] as const;

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, '..', 'checkpoints', 'countdown') },
    phase: { type: 'string', default: 'all' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const logger = createLogger('info', 'train-default');
const onProgress = (p: TrainProgress): void => {
  if (p.step % 10 === 0 || p.valLoss !== undefined) {
    logger.info(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(2)} ${p.tokensPerSec.toFixed(0)} tok/s ${(p.elapsedMs / 60000).toFixed(1)} min` + (p.valLoss !== undefined ? ` val_loss ${p.valLoss.toFixed(4)} val_acc ${p.valAccuracy?.toFixed(3)}` : ''));
  }
};
const phases = values.phase === 'all' ? [1, 2, 3] : [Number(values.phase)];
for (const n of phases) {
  const phase = PHASES[n - 1];
  if (!phase) throw new Error(`--phase must be 1, 2, 3 or all (got ${values.phase})`);
  logger.info(`phase ${n}: lr ${phase.lr}, budget ${phase.maxMinutes} min${phase.resume ? `, resuming ${values.out}` : ''}`);
  const result = await train({
    ...DEFAULT_RECIPE,
    data: await taskData('countdown', { noise: DEFAULT_RECIPE.noise, unrecovered: phase.unrecovered }),
    lr: phase.lr,
    steps: phase.steps,
    stopAt: phase.stopAt,
    maxMinutes: phase.maxMinutes,
    resume: phase.resume ? values.out : undefined,
    backend: values.backend as BackendName,
    out: values.out,
    logger,
    onProgress,
    meta: { recipe: 'plugins/policy-tiny/scripts/train-default.ts', phase: n, noise: DEFAULT_RECIPE.noise, unrecovered: phase.unrecovered ?? 0.25 },
  });
  logger.info(`phase ${n} done: ${result.id} in ${(result.wallMs / 60000).toFixed(1)} min, step ${result.steps}, val_loss ${result.valLoss?.toFixed(4)} val_acc ${result.valAccuracy}`);
  result.model.dispose();
}

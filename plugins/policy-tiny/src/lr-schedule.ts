import type { OptimizerSettings } from '@reasoner/core';

/**
 * Linear warmup, then cosine decay to `minLrRatio`·lr at `steps`. `timeFraction` (elapsed / time
 * budget) moves the decay forward when a wall-time budget would end the run before `steps`.
 */
export function lrAt(step: number, o: { lr: number; warmup: number; steps: number; minLrRatio: number }, timeFraction = 0): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  const t = Math.min(1, Math.max(timeFraction, (step - o.warmup) / Math.max(1, o.steps - o.warmup)));
  return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** LR of `step` (0-based, counted from `from`, the step the settings took effect) under `OptimizerSettings`. */
export function scheduledLr(s: OptimizerSettings, step: number, from = 0): number {
  const k = step - from;
  if (k < s.warmup) return (s.lr * (k + 1)) / s.warmup;
  if (s.schedule === 'constant') return s.lr;
  const t = Math.min(1, Math.max(0, (k - s.warmup) / Math.max(1, s.totalSteps - s.warmup)));
  const shape = s.schedule === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * t)) : 1 - t;
  return s.lr * (s.minLrRatio + (1 - s.minLrRatio) * shape);
}

import { ReasonerError } from '@reasoner/core';
import type { TinyModel } from '@reasoner/plugin-policy-tiny';
import { CONFIDENCE_FEATURES, extractFeatures } from './features.js';
import { fitHead, headLogits, sigmoid, type FitOptions, type HeadWeights } from './head.js';
import type { StepExample } from './label.js';
import { auc, pearson } from './metrics.js';
import type { RewardModelKind } from './checkpoint.js';

export interface TrainRewardOptions extends FitOptions {
  kind: RewardModelKind;
  delimiter: string;
  /** Share of tasks held out for the reported metrics. */
  holdout?: number;
}

export interface TrainRewardResult {
  head: HeadWeights;
  metrics: Record<string, number>;
}

/** Splits examples by task (so held-out steps come from unseen prompts), deterministically. */
export function splitByTask(examples: StepExample[], holdout: number): { train: StepExample[]; test: StepExample[] } {
  const ids = [...new Set(examples.map((e) => e.taskId))].sort();
  const cut = Math.floor(ids.length * (1 - holdout));
  const testIds = new Set(ids.slice(cut));
  return { train: examples.filter((e) => !testIds.has(e.taskId)), test: examples.filter((e) => testIds.has(e.taskId)) };
}

/**
 * Trains a reward head on frozen policy features (hidden state + the policy's confidence; see
 * `extractFeatures`).
 * - `prm`: every step, soft Monte-Carlo label (Math-Shepherd soft estimation);
 * - `orm`: the final step only, graded outcome;
 * - `bt`: Bradley–Terry on (correct, incorrect) solutions of one prompt, final step.
 * Reports held-out step AUC (against "some rollout from here succeeds"), outcome AUC (final score
 * against the grade), and the correlation of step scores with the Monte-Carlo values.
 */
export async function trainRewardHead(base: TinyModel, examples: StepExample[], o: TrainRewardOptions): Promise<TrainRewardResult> {
  const { train, test } = splitByTask(examples, o.holdout ?? 0.15);
  if (train.length === 0) throw new ReasonerError('RSN_ERR_DATASET', 'no labelled solutions to train a reward model on', { hint: 'label more tasks (--tasks)' });
  const d = base.arch.dModel + CONFIDENCE_FEATURES;
  const featsOf = (ex: StepExample[]) => extractFeatures(base, ex, o.delimiter);
  const trF = featsOf(train);
  const rows: number[][] = [];
  const labels: number[] = [];
  const pairs: Array<[number, number]> = [];
  const finalRow = new Map<number, number>();
  trF.forEach((f, i) => {
    const ex = train[i]!;
    for (let s = 0; s < f.steps; s++) {
      const isFinal = s === f.steps - 1;
      if (o.kind === 'prm' || isFinal) {
        if (isFinal) finalRow.set(i, rows.length);
        rows.push(Array.from(f.data.subarray(s * d, (s + 1) * d)));
        labels.push(o.kind === 'prm' ? ex.labels[s]! : ex.correct ? 1 : 0);
      }
    }
  });
  if (o.kind === 'bt') {
    const byTask = new Map<string, number[]>();
    train.forEach((ex, i) => byTask.set(ex.taskId, [...(byTask.get(ex.taskId) ?? []), i]));
    for (const idx of byTask.values()) {
      const good = idx.filter((i) => train[i]!.correct), bad = idx.filter((i) => !train[i]!.correct);
      for (const g of good) for (const b of bad) pairs.push([finalRow.get(g)!, finalRow.get(b)!]);
    }
  }
  const flat = new Float32Array(rows.length * d);
  rows.forEach((r, i) => flat.set(r, i * d));
  const { head, losses } = await fitHead(flat, rows.length, d, o.kind === 'bt' ? { pairs } : { labels: Float32Array.from(labels) }, o);
  return { head, metrics: { ...evaluateHead(base, head, test, o.delimiter), trainRows: rows.length, trainPairs: pairs.length, finalLoss: losses[losses.length - 1] ?? NaN, heldOutSolutions: test.length } };
}

/** Held-out metrics of a head (see trainRewardHead). */
export function evaluateHead(base: TinyModel, head: HeadWeights, test: StepExample[], delimiter: string): Record<string, number> {
  const feats = extractFeatures(base, test, delimiter);
  const stepScores: number[] = [], stepGood: boolean[] = [], stepValue: number[] = [];
  const finalScores: number[] = [], finalGood: boolean[] = [];
  feats.forEach((f, i) => {
    const ex = test[i]!;
    const z = headLogits(head, f.data, f.steps);
    for (let s = 0; s < f.steps; s++) {
      const p = sigmoid(z[s]!);
      if (s < f.steps - 1) {
        stepScores.push(p);
        stepGood.push(ex.labels[s]! > 0);
        stepValue.push(ex.labels[s]!);
      } else {
        finalScores.push(p);
        finalGood.push(ex.correct);
      }
    }
  });
  return {
    stepAuc: auc(stepScores, stepGood),
    stepValueCorrelation: pearson(stepScores, stepValue),
    outcomeAuc: auc(finalScores, finalGood),
    heldOutSteps: stepScores.length,
  };
}

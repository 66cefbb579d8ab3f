import { ReasonerError } from '@reasoner/core';
import { DEFAULT_CHECKPOINT, TinyModel, useBackend, type BackendName } from '@reasoner/plugin-policy-tiny';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { baseCheckpointDir, loadRewardCheckpoint, type RewardCheckpoint } from './checkpoint.js';
import { CONFIDENCE_FEATURES, extractFeatures } from './features.js';
import { headLogits, sigmoid } from './head.js';

/** A loaded reward model: the frozen base policy (features) and the trained head. */
export class RewardModel {
  private constructor(readonly ckpt: RewardCheckpoint, readonly base: TinyModel) {}

  static async load(dir: string, backend: BackendName = 'wasm'): Promise<RewardModel> {
    const ckpt = await loadRewardCheckpoint(dir);
    await useBackend(backend);
    const baseDir = baseCheckpointDir(dir, ckpt.base, DEFAULT_CHECKPOINT);
    const policy = await loadCheckpoint(baseDir);
    const id = policy.id;
    if (id !== ckpt.baseId) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', `reward model ${dir} was trained on policy ${ckpt.baseId}, but ${baseDir} holds ${id}`, {
        hint: 'retrain the reward model on this policy (`reasoner train-reward`), or point it at the policy it was trained on',
      });
    }
    if (policy.arch.dModel + CONFIDENCE_FEATURES !== ckpt.head.inputDim) {
      throw new ReasonerError('RSN_ERR_CHECKPOINT', `reward head expects ${ckpt.head.inputDim} features, policy gives ${policy.arch.dModel + CONFIDENCE_FEATURES}`, { hint: 'retrain the reward model' });
    }
    return new RewardModel(ckpt, TinyModel.fromCheckpoint(policy));
  }

  static fromParts(ckpt: RewardCheckpoint, base: TinyModel): RewardModel {
    return new RewardModel(ckpt, base);
  }

  /** Step scores in (0, 1) for each item: element i scores steps[0..i]. */
  scoreSteps(items: Array<{ prompt: string; steps: string[] }>): number[][] {
    const feats = extractFeatures(this.base, items, this.ckpt.delimiter);
    return feats.map((f) => Array.from(headLogits(this.ckpt.head, f.data, f.steps), sigmoid));
  }

  dispose(): void {
    this.base.dispose();
  }
}

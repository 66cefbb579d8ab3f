/**
 * @reasoner/plugin-policy-tiny — a small decoder-only transformer written with tfjs, trained
 * from scratch on verifiable tasks (CHECKPOINT.md is the format / architecture contract).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { definePlugin, ReasonerError } from '@reasoner/core';
import { BACKENDS, type BackendName } from './backend.js';
import { TinyTrainablePolicy } from './trainable-policy.js';
import { trainCommand } from './train-command.js';

// The checkpoint format lives in @reasoner/tiny-format (tfjs-free, shared with policy-onnx); re-exported for convenience.
export { CharTokenizer, PAD, BOS, EOS, SPECIAL_TOKENS, loadCheckpoint, saveCheckpoint, checkpointId, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from '@reasoner/tiny-format';
export { weightSpecs, parameterCount, forwardFlopsPerToken, initWeights } from '@reasoner/tiny-format';
export type { TokenizerSpec, LoadedCheckpoint, CheckpointWeight, CheckpointMeta, Arch, WeightSpec } from '@reasoner/tiny-format';
export { TinyModel } from './tiny-model.js';
// Hidden states of the frozen policy: what a learned reward model (plugins/reward-model) reads.
export { forwardHidden, head as outputLogits } from './model.js';
export { decode, generateN, generateMany, forwardLogits, scoreText, contextIds, resolveMaxTokens } from './generate.js';
export type { DecodeOptions, DecodeRow } from './generate.js';
export { train, lrAt, encodeRecord, validationLoss, greedyAccuracy, MODEL_SIZES, DEFAULT_RECIPE } from './train.js';
export type { TrainOptions, TrainResult, TrainProgress, ModelSize } from './train.js';
export { taskData, jsonlData, TASK_MODULES } from './data.js';
export type { SftData, SftRecord, TaskDataOptions } from './data.js';
export { useBackend, BACKENDS } from './backend.js';
export type { BackendName } from './backend.js';
export { TinyPolicy } from './policy.js';
export { TinyTrainablePolicy, DEFAULT_OPTIMIZER } from './trainable-policy.js';
export type { TinyTrainableOptions } from './trainable-policy.js';
export { GenerationEngine } from './engine.js';
export type { EngineName } from './engine.js';
export { nllLoss, dpoLoss, clippedPolicyLoss, valueLoss, reduceTokens, sequenceSums } from './objectives.js';
export type { LossOut, DpoParams, ClipParams } from './objectives.js';
export { planObjective } from './objective-plan.js';
export { Trainer } from './trainer.js';
export { AdamW } from './adamw.js';
export { scheduledLr } from './lr-schedule.js';
export { encodeSequence, encodeBatch, makeBatch, BucketedSampler } from './batch.js';
export { greedyPass1 } from './evaluate.js';
export { saveTrainState, loadTrainState } from './train-state.js';
export { trainCommand } from './train-command.js';

/** The shipped countdown checkpoint (trained by scripts/train-default.ts). */
export const DEFAULT_CHECKPOINT = join(dirname(fileURLToPath(import.meta.url)), '..', 'checkpoints', 'countdown');

export interface PolicyTinyOptions {
  /** Checkpoint directory (relative to the config file); default: the shipped countdown policy. */
  checkpoint?: string;
  /**
   * Who runs generation: `onnx` exports the checkpoint to ONNX and runs it with onnxruntime
   * (@reasoner/plugin-policy-onnx; ~10× faster), `tfjs` runs it here. Same outputs either way.
   */
  engine: 'onnx' | 'tfjs';
  /** tfjs backend (engine `tfjs`). */
  backend: BackendName;
  /** maxTokens for requests that do not set it (clamped to the context window). */
  maxTokens: number;
}

export default definePlugin<PolicyTinyOptions, 'policy'>({
  name: 'policy-tiny',
  kind: 'policy',
  apiVersion: 1,
  description: 'Tiny transformer policy (tfjs), trained from scratch on verifiable tasks',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      checkpoint: { type: 'string', description: 'checkpoint directory (default: the shipped countdown policy)' },
      engine: { type: 'string', enum: ['onnx', 'tfjs'], default: 'onnx' },
      backend: { type: 'string', enum: [...BACKENDS], default: 'wasm' },
      maxTokens: { type: 'integer', minimum: 1, default: 96 },
    },
  },
  // `reasoner validate`: a checkpoint folder that is not there fails before anything runs.
  check(ctx, options) {
    if (!options.checkpoint) return;
    const dir = isAbsolute(options.checkpoint) ? options.checkpoint : resolve(ctx.configDir, options.checkpoint);
    for (const f of ['checkpoint.json', 'weights.bin']) {
      if (!existsSync(join(dir, f))) {
        throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${dir}: ${f} is missing`, {
          file: dir, hint: 'train one with `reasoner train --out <dir>`, fix the path (relative to the config file), or drop `checkpoint` for the shipped countdown policy',
        });
      }
    }
  },
  async setup(ctx, options) {
    const dir = options.checkpoint ? (isAbsolute(options.checkpoint) ? options.checkpoint : resolve(ctx.configDir, options.checkpoint)) : DEFAULT_CHECKPOINT;
    const engine = options.engine ?? 'onnx';
    const policy = await TinyTrainablePolicy.open(dir, { engine, backend: options.backend ?? 'wasm', maxTokens: options.maxTokens ?? 96, rng: ctx.rng.fork('generate') });
    ctx.logger.debug?.(`policy-tiny: ${policy.id} from ${dir} (engine ${engine}, trainable)`);
    return policy;
  },
  commands: [trainCommand],
});

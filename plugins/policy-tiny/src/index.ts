/**
 * @reasoner/plugin-policy-tiny — a small decoder-only transformer written with tfjs, trained
 * from scratch on verifiable tasks (CHECKPOINT.md is the format / architecture contract).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@reasoner/core';
import { BACKENDS, useBackend, type BackendName } from './backend.js';
import { loadCheckpoint } from './checkpoint.js';
import { TinyPolicy } from './policy.js';
import { TinyModel } from './tiny-model.js';
import { trainCommand } from './train-command.js';

export { CharTokenizer, PAD, BOS, EOS, SPECIAL_TOKENS } from './tokenizer.js';
export type { TokenizerSpec } from './tokenizer.js';
export { loadCheckpoint, saveCheckpoint, checkpointId, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from './checkpoint.js';
export type { LoadedCheckpoint, CheckpointWeight, CheckpointMeta } from './checkpoint.js';
export { weightSpecs, parameterCount, forwardFlopsPerToken, initWeights } from './model.js';
export type { Arch, WeightSpec } from './model.js';
export { TinyModel } from './tiny-model.js';
export { decode, generateN, generateMany, forwardLogits, scoreText, contextIds, resolveMaxTokens } from './generate.js';
export type { DecodeOptions, DecodeRow } from './generate.js';
export { train, lrAt, encodeRecord, validationLoss, greedyAccuracy, MODEL_SIZES, DEFAULT_RECIPE } from './train.js';
export type { TrainOptions, TrainResult, TrainProgress, ModelSize } from './train.js';
export { taskData, jsonlData, TASK_MODULES } from './data.js';
export type { SftData, SftRecord, TaskDataOptions } from './data.js';
export { useBackend, BACKENDS } from './backend.js';
export type { BackendName } from './backend.js';
export { TinyPolicy } from './policy.js';
export { trainCommand } from './train-command.js';

/** The shipped countdown checkpoint (trained by scripts/train-default.ts). */
export const DEFAULT_CHECKPOINT = join(dirname(fileURLToPath(import.meta.url)), '..', 'checkpoints', 'countdown');

export interface PolicyTinyOptions {
  /** Checkpoint directory (relative to the config file); default: the shipped countdown policy. */
  checkpoint?: string;
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
      backend: { type: 'string', enum: [...BACKENDS], default: 'wasm' },
      maxTokens: { type: 'integer', minimum: 1, default: 96 },
    },
  },
  async setup(ctx, options) {
    const dir = options.checkpoint ? (isAbsolute(options.checkpoint) ? options.checkpoint : resolve(ctx.configDir, options.checkpoint)) : DEFAULT_CHECKPOINT;
    await useBackend(options.backend ?? 'wasm');
    const ckpt = await loadCheckpoint(dir);
    const policy = new TinyPolicy(TinyModel.fromCheckpoint(ckpt), ckpt.id, { maxTokens: options.maxTokens ?? 96, rng: ctx.rng.fork('generate') });
    ctx.onClose(() => policy.close());
    ctx.logger.debug?.(`policy-tiny: ${ckpt.id} from ${dir} (${ckpt.arch.nLayers}×${ckpt.arch.dModel}, backend ${options.backend ?? 'wasm'})`);
    return policy;
  },
  commands: [trainCommand],
});

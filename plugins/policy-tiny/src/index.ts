/**
 * @reasoner/plugin-policy-tiny — a small decoder-only transformer written with tfjs, trained
 * from scratch on verifiable tasks (CHECKPOINT.md is the format / architecture contract).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin, ReasonerError, type Policy } from '@reasoner/core';
import { BACKENDS, useBackend, type BackendName } from './backend.js';
import { loadCheckpoint } from '@reasoner/tiny-format';
import { TinyPolicy } from './policy.js';
import { TinyModel } from './tiny-model.js';
import { trainCommand } from './train-command.js';

// The checkpoint format lives in @reasoner/tiny-format (tfjs-free, shared with policy-onnx); re-exported for convenience.
export { CharTokenizer, PAD, BOS, EOS, SPECIAL_TOKENS, loadCheckpoint, saveCheckpoint, checkpointId, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from '@reasoner/tiny-format';
export { weightSpecs, parameterCount, forwardFlopsPerToken, initWeights } from '@reasoner/tiny-format';
export type { TokenizerSpec, LoadedCheckpoint, CheckpointWeight, CheckpointMeta, Arch, WeightSpec } from '@reasoner/tiny-format';
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

/** Generation through onnxruntime; imported lazily since policy-onnx itself builds on this package. */
async function onnxEngine(dir: string, maxTokens: number, seed: number): Promise<Policy> {
  let mod: { createPolicyFromTinyCheckpoint(dir: string, o: { maxTokens: number; seed: number }): Promise<Policy> };
  try {
    mod = await import('@reasoner/plugin-policy-onnx');
  } catch (e) {
    throw new ReasonerError('RSN_ERR_POLICY', `engine "onnx" needs @reasoner/plugin-policy-onnx (${(e as Error).message.split('\n')[0]})`, {
      hint: 'npm install @reasoner/plugin-policy-onnx, or set engine: "tfjs"',
    });
  }
  return mod.createPolicyFromTinyCheckpoint(dir, { maxTokens, seed });
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
  async setup(ctx, options) {
    const dir = options.checkpoint ? (isAbsolute(options.checkpoint) ? options.checkpoint : resolve(ctx.configDir, options.checkpoint)) : DEFAULT_CHECKPOINT;
    const maxTokens = options.maxTokens ?? 96;
    if ((options.engine ?? 'onnx') === 'onnx') return onnxEngine(dir, maxTokens, ctx.rng.int(2 ** 31));
    await useBackend(options.backend ?? 'wasm');
    const ckpt = await loadCheckpoint(dir);
    ctx.logger.debug?.(`policy-tiny: ${ckpt.id} from ${dir} (${ckpt.arch.nLayers}×${ckpt.arch.dModel}, backend ${options.backend ?? 'wasm'})`);
    return new TinyPolicy(TinyModel.fromCheckpoint(ckpt), ckpt.id, { maxTokens, rng: ctx.rng.fork('generate') });
  },
  commands: [trainCommand],
});

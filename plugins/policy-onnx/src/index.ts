import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { definePlugin } from '@reasoner/core';
import { DEFAULT_CHECKPOINT } from '@reasoner/plugin-policy-tiny';
import { createOnnxPolicy, createPolicyFromTinyCheckpoint } from './policy.js';

export { GraphBuilder, DType, decodeModel } from './onnx-builder.js';
export type { Dim, DTypeCode, OnnxModelProto } from './onnx-builder.js';
export { exportTinyToOnnx, exportTinyToOnnxFile, EXPORTER_VERSION } from './export-tiny.js';
export type { ExportOptions, CachedExport, TinyCheckpoint } from './export-tiny.js';
export { openLmSession } from './lm-session.js';
export type { LmLayout, LmSession, KvLayer } from './lm-session.js';
export { generateRows, scoreIds } from './generate.js';
export type { GenRow, LmRuntime } from './generate.js';
export { CharTextTokenizer, HfTokenizer, loadHfTokenizer } from './tokenizers.js';
export type { TextTokenizer } from './tokenizers.js';
export { OnnxPolicy, createOnnxPolicy, createPolicyFromTinyCheckpoint } from './policy.js';
export type { OnnxPolicyOptions, TinyPolicyOptions } from './policy.js';
export { writeRandomTinyCheckpoint } from './random-checkpoint.js';

export interface PolicyOnnxOptions {
  /** An .onnx file, or a policy-tiny checkpoint directory (exported on load, cached by id); default: policy-tiny's shipped checkpoint. */
  model?: string;
  /** tokenizer.json for foreign models (ours carry their vocabulary). */
  tokenizer?: string;
  threads: number;
  maxTokens: number;
  maxBatch: number;
  /** Base seed for requests that bring none (default: from the run seed). */
  seed?: number;
  /** Context window of a foreign model, when you want it enforced. */
  contextLength?: number;
  /** Cache folder for exported checkpoints (default: OS temp dir). */
  cacheDir?: string;
}

export default definePlugin<PolicyOnnxOptions, 'policy'>({
  name: 'policy-onnx',
  kind: 'policy',
  apiVersion: 1,
  description: 'Decoder-only language models on onnxruntime-node (CPU): policy-tiny checkpoints and foreign ONNX LMs',
  optionsSchema: {
    type: 'object',
    properties: {
      model: { type: 'string', minLength: 1, description: 'Path of an .onnx model or a policy-tiny checkpoint directory (default: the shipped policy-tiny checkpoint)' },
      tokenizer: { type: 'string', description: 'Path of tokenizer.json (foreign models)' },
      threads: { type: 'integer', minimum: 1, default: 2 },
      maxTokens: { type: 'integer', minimum: 1, default: 128 },
      maxBatch: { type: 'integer', minimum: 1, default: 64 },
      seed: { type: 'integer' },
      contextLength: { type: 'integer', minimum: 1 },
      cacheDir: { type: 'string' },
    },
    additionalProperties: false,
  },
  async setup(ctx, options) {
    const at = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.configDir, p));
    const model = options?.model ? at(options.model) : DEFAULT_CHECKPOINT;
    const common = {
      threads: options.threads ?? 2,
      maxTokens: options.maxTokens ?? 128,
      maxBatch: options.maxBatch ?? 64,
      seed: options.seed ?? ctx.rng.int(2 ** 31),
    };
    const isDir = await stat(model).then((s) => s.isDirectory(), () => false);
    const policy = isDir
      ? await createPolicyFromTinyCheckpoint(model, { ...common, cacheDir: options.cacheDir ? at(options.cacheDir) : undefined })
      : await createOnnxPolicy({ ...common, model, tokenizer: options.tokenizer ? at(options.tokenizer) : undefined, contextLength: options.contextLength });
    return policy;
  },
});

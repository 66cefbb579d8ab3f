import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { definePlugin, ReasonerError } from '@reasoner/core';
import { createOnnxPolicy, createPolicyFromTinyCheckpoint } from './policy.js';

export { GraphBuilder, DType, decodeModel } from './onnx-builder.js';
export type { Dim, DTypeCode, OnnxModelProto } from './onnx-builder.js';
export { exportTinyToOnnx, exportTinyToOnnxFile, EXPORTER_VERSION } from './export-tiny.js';
export type { ExportOptions, CachedExport, TinyCheckpoint } from './export-tiny.js';
export { openLmSession } from './lm-session.js';
export type { LmLayout, LmSession, KvLayer } from './lm-session.js';
export { generateRows, scoreIds, scoreRows } from './generate.js';
export type { GenRow, LmRuntime } from './generate.js';
export { CharTextTokenizer, HfTokenizer, loadHfTokenizer } from './tokenizers.js';
export type { TextTokenizer } from './tokenizers.js';
export { OnnxPolicy, createOnnxPolicy, createPolicyFromTinyCheckpoint } from './policy.js';
export type { OnnxPolicyOptions, TinyPolicyOptions } from './policy.js';

export interface PolicyOnnxOptions {
  /**
   * An .onnx file (a foreign decoder-only LM, or an export of a tiny checkpoint). A policy-tiny
   * checkpoint directory is configured one way only: `tiny({ checkpoint })`, whose default
   * `engine: 'onnx'` runs it here and which can also train it.
   */
  model: string;
  /** tokenizer.json for foreign models (ours carry their vocabulary). */
  tokenizer?: string;
  threads: number;
  maxTokens: number;
  maxBatch: number;
  /** Base seed for requests that bring none (default: from the run seed). */
  seed?: number;
  /** Context window of a foreign model, when you want it enforced. */
  contextLength?: number;
}

export default definePlugin<PolicyOnnxOptions, 'policy'>({
  name: 'policy-onnx',
  kind: 'policy',
  apiVersion: 1,
  description: 'Decoder-only ONNX language models on onnxruntime-node (CPU)',
  optionsSchema: {
    type: 'object',
    properties: {
      model: { type: 'string', minLength: 1, description: 'Path of an .onnx model (policy-tiny checkpoints: use tiny({ checkpoint }))' },
      tokenizer: { type: 'string', description: 'Path of tokenizer.json (foreign models)' },
      threads: { type: 'integer', minimum: 1, default: 2 },
      maxTokens: { type: 'integer', minimum: 1, default: 128 },
      maxBatch: { type: 'integer', minimum: 1, default: 64 },
      seed: { type: 'integer' },
      contextLength: { type: 'integer', minimum: 1 },
    },
    required: ['model'],
    additionalProperties: false,
  },
  async setup(ctx, options) {
    const at = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.configDir, p));
    const model = at(options.model);
    const common = {
      threads: options.threads ?? 2,
      maxTokens: options.maxTokens ?? 128,
      maxBatch: options.maxBatch ?? 64,
      seed: options.seed ?? ctx.rng.int(2 ** 31),
    };
    if (await stat(model).then((s) => s.isDirectory(), () => false)) {
      const tiny = await stat(join(model, 'checkpoint.json')).then(() => true, () => false);
      throw new ReasonerError('RSN_ERR_PLUGIN_OPTIONS', `policy-onnx: model ${model} is a directory${tiny ? ' holding a policy-tiny checkpoint' : ''}, not an .onnx file`, {
        plugin: 'policy-onnx',
        hint: tiny ? `configure tiny checkpoints with tiny({ checkpoint: '${options.model}' }) (@reasoner/plugin-policy-tiny; it generates on onnxruntime by default and can train)` : 'point `model` at an .onnx file',
      });
    }
    const policy = await createOnnxPolicy({ ...common, model, tokenizer: options.tokenizer ? at(options.tokenizer) : undefined, contextLength: options.contextLength });
    return policy;
  },
});

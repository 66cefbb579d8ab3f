import { loadCheckpoint, readTensorFile, saveCheckpoint, writeTensorFile, type CheckpointMeta, type LoadedCheckpoint, type TensorFile } from '@reasoner/tiny-format';
import { ReasonerError } from '@reasoner/core';
import type { AdamW } from './adamw.js';
import type { TinyModel } from './tiny-model.js';
import type { ValueHead } from './value-head.js';

/** File names beside checkpoint.json (CHECKPOINT.md "Training state"). */
export const OPTIMIZER_FILE = 'optimizer';
export const VALUE_HEAD_FILE = 'value-head';

/**
 * Writes the weights (checkpoint.json + weights.bin) and, when given, the optimizer moments and
 * the value head, so a reload continues training exactly where it stopped. Returns the new id.
 */
export async function saveTrainState(dir: string, model: TinyModel, meta: CheckpointMeta, opt?: AdamW, valueHead?: ValueHead, optimizerMeta: Record<string, unknown> = {}): Promise<string> {
  // Extra files first: checkpoint.json is written last, so a crash never leaves a new
  // checkpoint.json beside stale optimizer state.
  if (opt) {
    const st = await opt.state();
    await writeTensorFile(dir, OPTIMIZER_FILE, { tensors: st.tensors, meta: { ...st.meta, ...optimizerMeta } });
  }
  if (valueHead) await writeTensorFile(dir, VALUE_HEAD_FILE, await valueHead.state());
  // optimizerT ties the optimizer file to these weights (both say how many updates were applied).
  return saveCheckpoint(dir, { arch: model.arch, tokenizer: model.tokenizer, weights: await model.weights(), meta: { ...meta, optimizerT: opt ? opt.t : null } });
}

export interface LoadedTrainState {
  ckpt: LoadedCheckpoint;
  optimizer?: TensorFile;
  valueHead?: TensorFile;
}

/** Reads a checkpoint and whatever training state sits beside it; state written for other weights is refused. */
export async function loadTrainState(dir: string): Promise<LoadedTrainState> {
  const ckpt = await loadCheckpoint(dir);
  const optimizer = await readTensorFile(dir, OPTIMIZER_FILE);
  if (optimizer && optimizer.meta.t !== ckpt.meta.optimizerT) {
    throw new ReasonerError('RSN_ERR_CHECKPOINT', `checkpoint ${dir}: optimizer.json is from update ${String(optimizer.meta.t)}, the weights from update ${String(ckpt.meta.optimizerT ?? 'unknown')}`, {
      file: dir,
      hint: 'the optimizer state belongs to other weights: delete optimizer.json/.bin (moments restart), or copy the checkpoint folder as a whole',
    });
  }
  const valueHead = await readTensorFile(dir, VALUE_HEAD_FILE);
  return { ckpt, ...(optimizer ? { optimizer } : {}), ...(valueHead ? { valueHead } : {}) };
}

/**
 * @reasoner/tiny-format — the policy-tiny checkpoint format (CHECKPOINT.md): character tokenizer,
 * architecture and weight table, checkpoint read/write. No tfjs and no onnxruntime: both
 * policy-tiny (trains with tfjs) and policy-onnx (runs with onnxruntime) build on it.
 */
export { CharTokenizer, PAD, BOS, EOS, SPECIAL_TOKENS } from './tokenizer.js';
export type { TokenizerSpec } from './tokenizer.js';
export { weightSpecs, parameterCount, forwardFlopsPerToken, initWeights, sizeOf } from './arch.js';
export type { Arch, WeightSpec } from './arch.js';
export { loadCheckpoint, saveCheckpoint, checkpointId, checkArch, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from './checkpoint.js';
export type { LoadedCheckpoint, CheckpointWeight, CheckpointMeta } from './checkpoint.js';
export { writeTensorFile, readTensorFile } from './tensor-file.js';
export type { TensorFile } from './tensor-file.js';
export { writeRandomTinyCheckpoint, TEST_VOCAB } from './random-checkpoint.js';

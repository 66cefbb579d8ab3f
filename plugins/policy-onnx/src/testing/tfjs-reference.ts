import { TinyModel, forwardLogits, useBackend, type LoadedCheckpoint } from '@reasoner/plugin-policy-tiny';

/** policy-tiny's tfjs forward (tfjs-cpu backend, full recompute): the reference the ONNX path must match. */
export async function tfjsReference(ck: LoadedCheckpoint): Promise<{ logits(ids: number[]): Float32Array[]; dispose(): void }> {
  await useBackend('cpu');
  const model = TinyModel.fromCheckpoint(ck);
  const V = ck.arch.vocabSize;
  return {
    logits(ids) {
      const flat = forwardLogits(model, [ids]);
      return ids.map((_, t) => flat.subarray(t * V, (t + 1) * V));
    },
    dispose: () => model.dispose(),
  };
}

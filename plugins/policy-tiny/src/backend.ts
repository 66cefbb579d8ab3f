import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ReasonerError } from '@reasoner/core';

/** `wasm` (default, XNNPACK SIMD kernels), `cpu` (pure JS fallback), `tensorflow` (tfjs-node, only if installed). */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow'];

const require = createRequire(import.meta.url);
let wasmRegistered = false;

/**
 * Selects (and if needed registers) a tfjs backend. Idempotent; the backend is process-global
 * in tfjs, so every policy/trainer in a process shares it.
 */
export async function useBackend(name: BackendName = 'wasm'): Promise<BackendName> {
  if (!BACKENDS.includes(name)) {
    throw new ReasonerError('RSN_ERR_POLICY', `unknown tfjs backend "${String(name)}"`, { hint: `use one of: ${BACKENDS.join(', ')}` });
  }
  if (tf.getBackend() === name) return name;
  if (name === 'wasm' && !wasmRegistered) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries must be located explicitly (no bundler to copy them).
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + sep);
    wasmRegistered = true;
  }
  if (name === 'tensorflow') {
    try {
      // Optional accelerator: never a dependency. The string indirection keeps tsc from resolving it.
      const mod = '@tensorflow/tfjs-node';
      await import(mod);
    } catch (e) {
      throw new ReasonerError('RSN_ERR_POLICY', `backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed (${(e as Error).message})`, { hint: 'use backend "wasm" (default) or install @tensorflow/tfjs-node' });
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new ReasonerError('RSN_ERR_POLICY', `tfjs backend "${name}" failed to initialise`, { hint: 'use backend "cpu" as a fallback' });
  await tf.ready();
  return name;
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHooks, createLogger, createRng } from '@reasoner/core';
import type { PluginContext } from '@reasoner/core';
import { useBackend } from './backend.js';
import { saveCheckpoint } from '@reasoner/tiny-format';
import plugin from './index.js';
import { randomModel } from './test-helpers.js';

describe('policy-tiny plugin', () => {
  let dir: string;
  const closers: Array<() => unknown> = [];
  const ctx = (configDir: string): PluginContext => ({
    hooks: createHooks(),
    logger: createLogger('silent'),
    configDir,
    rng: createRng(1),
    onClose: (fn) => void closers.push(fn),
    service: () => undefined,
  });

  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'tiny-plugin-'));
    const m = randomModel();
    await saveCheckpoint(join(dir, 'ck'), { arch: m.arch, tokenizer: m.tokenizer, weights: await m.weights() });
    m.dispose();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a policy plugin with a train command', () => {
    const def = plugin.definition;
    expect(def).toMatchObject({ name: 'policy-tiny', kind: 'policy', apiVersion: 1 });
    expect((def.optionsSchema as { additionalProperties: boolean }).additionalProperties).toBe(false);
    const cmd = def.commands?.find((c) => c.name === 'train');
    expect(cmd?.options?.map((o) => o[0].split(' ')[0])).toEqual(expect.arrayContaining(['--task', '--data', '--steps', '--batch', '--lr', '--out', '--resume', '--noise', '--backend', '--size']));
  });

  it('loads a checkpoint relative to configDir; id is the checkpoint id; the service closes', async () => {
    const policy = await plugin.definition.setup(ctx(dir), { checkpoint: 'ck', engine: 'tfjs', backend: 'wasm', maxTokens: 8 });
    expect(policy.id).toMatch(/^tiny-/);
    const r = await policy.generate({ prompt: '1+2=', n: 2, temperature: 0 });
    expect(r.completions).toHaveLength(2);
    expect(r.completions[0]!.tokens).toBeLessThanOrEqual(8);
    expect(closers).toHaveLength(0); // the kernel calls service.close(); nothing else to register
    await policy.close?.();
  });

  it('engine onnx (the default) generates what engine tfjs generates', async () => {
    const tfjs = await plugin.definition.setup(ctx(dir), { engine: 'tfjs', backend: 'wasm', maxTokens: 48 });
    const onnx = await plugin.definition.setup(ctx(dir), { engine: 'onnx', backend: 'wasm', maxTokens: 48 });
    const prompts = ['7 11 10>28\n', '3 5 20>75\n', '12 4 9>39\n'];
    for (const prompt of prompts) {
      const a = await tfjs.generate({ prompt, temperature: 0 });
      const b = await onnx.generate({ prompt, temperature: 0 });
      expect(b.completions[0]!.text).toBe(a.completions[0]!.text);
    }
    expect(onnx.id).toBe(tfjs.id);
    await tfjs.close?.();
    await onnx.close?.();
  });

  it('defaults to the shipped countdown checkpoint, which solves countdown prompts', async () => {
    const policy = await plugin.definition.setup(ctx(dir), { engine: 'tfjs', backend: 'wasm', maxTokens: 64 });
    const r = await policy.generate({ prompt: '7 11 10>28\n', n: 4, temperature: 1, seed: 1, logprobs: true });
    for (const c of r.completions) {
      expect(c.text).toMatch(/^(\S+\n)*=\d+\n$/);
      expect(c.finishReason).toBe('eos');
    }
    await policy.close?.();
  });

  it('a missing checkpoint is RSN_ERR_CHECKPOINT', async () => {
    await expect(plugin.definition.setup(ctx(dir), { checkpoint: 'missing', engine: 'onnx', backend: 'wasm', maxTokens: 8 })).rejects.toMatchObject({ code: 'RSN_ERR_CHECKPOINT' });
  });
});

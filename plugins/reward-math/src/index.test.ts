import { createHooks, createLogger, createRng, isReasonerError, kernelFromConfig, type PluginContext } from '@reasoner/core';
import { memoryTasks } from '@reasoner/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { extractAnswer, isEquivalent, scoreMath, verify } from './index.js';

function ctx(): PluginContext {
  return {
    hooks: createHooks(),
    logger: createLogger('silent'),
    configDir: process.cwd(),
    rng: createRng(1),
    onClose: () => {},
    service: () => undefined,
  };
}

describe('reward-math plugin', () => {
  it('is a reward plugin with a closed options schema and defaults', () => {
    const def = plugin.definition;
    expect(def.name).toBe('reward-math');
    expect(def.kind).toBe('reward');
    expect(def.apiVersion).toBe(1);
    expect(def.optionsSchema).toMatchObject({ additionalProperties: false });
    const props = (def.optionsSchema as { properties: Record<string, { default: unknown }> }).properties;
    expect(props.tolerance?.default).toBe(1e-6);
    expect(props.fallbackLastNumber?.default).toBe(true);
  });

  it('scores solutions against task.answer with value 1|0 and detail', async () => {
    const reward = await plugin.definition.setup(ctx(), {} as never);
    expect(reward.kind).toBe('outcome');
    const task = { id: 'm1', prompt: 'Compute 1/2 + 1/4', answer: '\\frac{3}{4}' };
    const good = await reward.score(task, 'We add: 1/2 + 1/4 = 3/4, so the answer is $\\boxed{0.75}$.');
    expect(good).toEqual({ value: 1, correct: true, answer: '0.75', detail: { extracted: '0.75', gold: '\\frac{3}{4}' } });
    const bad = await reward.score(task, 'The answer is $\\boxed{\\frac{2}{3}}$.');
    expect(bad).toMatchObject({ value: 0, correct: false, detail: { extracted: '\\frac{2}{3}' } });
  });

  it('reads a GSM8K-style gold solution as the gold answer', async () => {
    const reward = await plugin.definition.setup(ctx(), {} as never);
    const r = await reward.score({ id: 'g', prompt: '?', answer: 'She makes 9 * 2 = 18.\n#### 18' }, 'So she makes $18. #### 18');
    expect(r.value).toBe(1);
    expect(r.detail).toMatchObject({ gold: '18', extracted: '18' });
  });

  it('accepts a numeric gold answer from loosely typed data', async () => {
    const reward = await plugin.definition.setup(ctx(), {} as never);
    expect(await reward.score({ id: 'n', prompt: '?', answer: 42 as unknown as string }, '#### 42')).toMatchObject({ value: 1 });
  });

  it('honours fallbackLastNumber: false', async () => {
    const reward = await plugin.definition.setup(ctx(), { tolerance: 1e-6, fallbackLastNumber: false, seed: 1, allowSetRelation: true, partialCredit: false });
    const r = await reward.score({ id: 'g', prompt: '?', answer: '7' }, 'so 3 + 4 gives 7 in total');
    expect(r).toMatchObject({ value: 0, detail: { extracted: null } });
  });

  it('gives partial credit for multi-part answers only when asked', async () => {
    const task = { id: 's', prompt: 'roots?', answer: '\\{1, 2, 3\\}' };
    const strict = await plugin.definition.setup(ctx(), {} as never);
    const shaped = await plugin.definition.setup(ctx(), { tolerance: 1e-6, fallbackLastNumber: true, seed: 1, allowSetRelation: true, partialCredit: true });
    expect(await strict.score(task, 'so $\\boxed{\\{1, 2\\}}$')).toMatchObject({ value: 0, correct: false });
    const r = await shaped.score(task, 'so $\\boxed{\\{1, 2\\}}$');
    expect(r.correct).toBe(false);
    expect(r.value).toBeCloseTo(2 / 3, 10);
    expect(await shaped.score(task, 'so $\\boxed{\\{3, 2, 1\\}}$')).toMatchObject({ value: 1, correct: true });
  });

  it('rejects a task without a gold answer with RSN_ERR_REWARD and a hint', async () => {
    const reward = await plugin.definition.setup(ctx(), {} as never);
    const err = await reward.score({ id: 'x', prompt: 'p' }, '\\boxed{1}').catch((e: unknown) => e);
    expect(isReasonerError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('RSN_ERR_REWARD');
    expect((err as { context: { hint?: string } }).context.hint).toMatch(/answer/);
    expect(() => scoreMath({ id: 'x', prompt: 'p', answer: '  ' }, '1')).toThrow(/no gold answer/);
  });

  it('exports the three functions by name', () => {
    expect(extractAnswer('#### 3')).toBe('3');
    expect(isEquivalent('0.5', '\\frac12')).toBe(true);
    expect(verify('$\\frac{1}{2}$', 'so $\\boxed{0.5}$')).toBe(true);
  });
});

describe('through the kernel', () => {
  it('loads with schema defaults and scores via the reward slot', async () => {
    const kernel = await kernelFromConfig({ tasks: memoryTasks({ count: 2 }), reward: plugin({ tolerance: 1e-9 }) } as never);
    try {
      const reward = kernel.require('reward');
      expect(await reward.score({ id: 'a', prompt: '1+1', answer: '2' }, 'so $\\boxed{2}$')).toMatchObject({ value: 1, correct: true });
      expect(await reward.score({ id: 'a', prompt: '1+1', answer: '2' }, 'so $\\boxed{3}$')).toMatchObject({ value: 0, correct: false });
    } finally {
      await kernel.close();
    }
  });
});

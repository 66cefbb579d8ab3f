import { describe, expect, it } from 'vitest';
import type { Policy } from '../types/policy.js';
import { isTrainable, requireTrainable } from './trainable.js';

const base: Policy = {
  id: 'remote',
  capabilities: { logprobs: false, prefix: false, nativeN: false, trainable: false },
  generate: async () => ({ completions: [], usage: { promptTokens: 0, completionTokens: 0, calls: 1 } }),
};

describe('isTrainable', () => {
  it('needs the capability and the methods', () => {
    expect(isTrainable(base)).toBe(false);
    expect(isTrainable({ ...base, capabilities: { ...base.capabilities, trainable: true } })).toBe(false);
    const fn = async () => { throw new Error('unused'); };
    const t = { ...base, capabilities: { ...base.capabilities, trainable: true }, trainStep: fn, sequenceLogprobs: fn, reference: fn, save: fn };
    expect(isTrainable(t)).toBe(true);
    expect(requireTrainable(t)).toBe(t);
  });
  it('requireTrainable names the policy and points to data export', () => {
    expect(() => requireTrainable(base, 'learn-dpo')).toThrow(/learn-dpo needs a trainable policy; policy remote/);
    try { requireTrainable(base); } catch (e) { expect((e as { code: string }).code).toBe('RSN_ERR_NOT_TRAINABLE'); expect(String((e as { context: { hint: string } }).context.hint)).toMatch(/data export/); }
  });
});

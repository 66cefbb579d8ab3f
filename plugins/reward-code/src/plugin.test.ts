import { describe, expect, it } from 'vitest';
import { createLogger, createRng, isReasonerError, type PluginContext, type Task } from '@reasoner/core';
import plugin, { assertSandboxAvailable, runTests } from './index.js';

const ctx = {
  logger: createLogger('silent'),
  configDir: process.cwd(),
  rng: createRng(1),
  onClose: () => {},
  service: () => undefined,
} as unknown as PluginContext;

describe('reward-code plugin', () => {
  it('is an outcome reward plugin with a strict schema and defaults', async () => {
    expect(plugin.definition).toMatchObject({ name: 'reward-code', kind: 'reward', apiVersion: 1 });
    expect(plugin.definition.optionsSchema).toMatchObject({ additionalProperties: false });
    const reward = await plugin.definition.setup(ctx, {} as never);
    expect(reward.kind).toBe('outcome');
    expect(reward.needsGold).toBe(true);
    const task: Task = { id: 't', prompt: 'Write add.', tests: { language: 'python', code: 'assert add(2, 3) == 5\n', entryPoint: 'add' } };
    const r = await reward.score(task, '```python\ndef add(a, b):\n    return a + b\n```');
    expect(r).toMatchObject({ value: 1, correct: true, detail: { status: 'passed', passedCount: 1, total: 1 } });
    const bad = await reward.score(task, 'def add(a, b):\n    return a - b\n');
    expect(bad).toMatchObject({ value: 0, correct: false, detail: { status: 'failed' } });
    expect(String(bad.detail?.stderr)).toContain('AssertionError');
  });

  it('rejects a task without tests with RSN_ERR_REWARD', async () => {
    const reward = await plugin.definition.setup(ctx, {} as never);
    await expect(reward.score({ id: 'x', prompt: 'p' }, 'code')).rejects.toMatchObject({ code: 'RSN_ERR_REWARD' });
  });

  it('fails closed without bubblewrap unless unsafe is chosen', () => {
    let err: unknown;
    try {
      assertSandboxAvailable({ unsafe: false }, { prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv' });
    } catch (e) {
      err = e;
    }
    expect(isReasonerError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'RSN_ERR_SANDBOX_UNAVAILABLE' });
    expect((err as { context: { hint: string } }).context.hint).toContain('install-sandbox.sh');
    expect(() => assertSandboxAvailable({ unsafe: true }, {})).not.toThrow();
  });

  it('runTests reports a syntax error as status error, and surfaces a broken interpreter path', async () => {
    const r = await runTests({ language: 'python', program: 'def f(:\n', tests: 'assert f()\n' });
    expect(r).toMatchObject({ passed: false, status: 'error' });
    expect(r.stderr).toContain('SyntaxError');
    expect(await runTests({ language: 'python', program: 'x = 1\0', tests: 'assert x\n' })).toMatchObject({ status: 'error' });
    const reward = await plugin.definition.setup(ctx, { python: '/nonexistent/python3' } as never);
    await expect(reward.score({ id: 'y', prompt: '', tests: { language: 'python', code: 'assert True' } }, 'x = 1')).rejects.toMatchObject({ code: 'RSN_ERR_SANDBOX' });
  });
});

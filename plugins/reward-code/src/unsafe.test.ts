import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess } from './run-process.js';
import { DEFAULT_SANDBOX, findSandboxTools, prepareCommand } from './sandbox.js';

describe('unsafe mode (no bubblewrap)', () => {
  const noBwrap = { ...findSandboxTools(), bwrap: undefined };

  it('refuses without `unsafe`', async () => {
    await expect(prepareCommand(DEFAULT_SANDBOX, { cpuSeconds: 2, addressSpaceMb: 512, slot: 0 }, ['/usr/bin/python3', '-c', 'pass'], noBwrap)).rejects.toMatchObject({ code: 'RSN_ERR_SANDBOX_UNAVAILABLE' });
  });

  it('still applies rlimits and a clean env in a temporary dir it removes afterwards', async () => {
    process.env.RSN_TEST_SECRET = 'unsafe-secret';
    try {
      const cmd = await prepareCommand({ ...DEFAULT_SANDBOX, unsafe: true }, { cpuSeconds: 2, addressSpaceMb: 512, slot: 0 }, ['/usr/bin/python3', '-c', 'import os, resource; print(os.getcwd(), resource.getrlimit(resource.RLIMIT_AS)[0] >> 20, "unsafe-secret" in str(os.environ)); bytearray(2 * 1024 ** 3)'], noBwrap);
      expect(cmd.file).not.toContain('bwrap');
      const out = await runProcess({ ...cmd, input: '', timeoutMs: 5000, maxOutputBytes: 1 << 16 });
      await cmd.cleanup();
      expect(out.stdout).toBe(`${cmd.cwd} 512 False\n`);
      expect(out.stderr).toContain('MemoryError');
      expect(existsSync(cmd.cwd)).toBe(false);
    } finally {
      delete process.env.RSN_TEST_SECRET;
    }
  });
});

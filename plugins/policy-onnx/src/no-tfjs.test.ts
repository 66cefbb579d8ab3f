import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('policy-onnx imports', () => {
  it('loading the package does not load tfjs (the checkpoint format comes from @reasoner/tiny-format)', async () => {
    // A fresh process: vitest's own workers may have tfjs loaded by other test files.
    const script = `
      const t0 = performance.now();
      const m = await import(${JSON.stringify(join(here, 'index.ts'))});
      const ms = performance.now() - t0;
      console.log(JSON.stringify({ tf: globalThis._tfengine !== undefined, plugin: typeof m.default?.definition?.setup, ms }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, timeout: 50_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ tf: false, plugin: 'function' });
  }, 60_000);
});

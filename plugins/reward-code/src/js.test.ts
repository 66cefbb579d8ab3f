import { describe, expect, it } from 'vitest';
import { createCodeRunner } from './run-tests.js';

const runner = createCodeRunner({ timeoutMs: 5000 });

describe('JavaScript and TypeScript', () => {
  it('runs JS with ESM exports against assert tests', async () => {
    const r = await runner.runTests({
      language: 'javascript',
      program: 'export function add(a, b) { return a + b; }\n',
      tests: "const assert = require('node:assert');\nassert.strictEqual(add(1, 2), 3);\nassert.strictEqual(add(-1, 1), 0);\n",
    });
    expect(r).toMatchObject({ passed: true, status: 'passed', passedCount: 2, total: 2 });
  });

  it('strips TypeScript types and reports failures with partial credit', async () => {
    const r = await runner.runTests({
      language: 'typescript',
      program: 'interface P { x: number }\nexport const norm = (p: P): number => Math.abs(p.x);\n',
      tests: 'assert.strictEqual(norm({ x: -2 }), 2);\nassert.strictEqual(norm({ x: 3 }), 4);\nassert.strictEqual(norm({ x: 0 }), 0);\n',
      partialCredit: true,
    });
    expect(r).toMatchObject({ passed: false, status: 'failed', passedCount: 2, total: 3 });
    expect(r.stderr).toContain('AssertionError');
  });

  it('reports a program that throws at load as an error, and awaits async tests', async () => {
    const e = await runner.runTests({ language: 'javascript', program: 'throw new Error("boom")', tests: 'assert.ok(true)' });
    expect(e.status).toBe('error');
    const a = await runner.runTests({ language: 'javascript', program: 'async function f() { return 5 }', tests: '(async () => assert.strictEqual(await f(), 6))()' });
    expect(a.status).toBe('failed');
  });

  it('contains JS too: no network, no env, infinite loop times out', async () => {
    process.env.RSN_TEST_SECRET = 'js-secret';
    try {
      const r = await runner.runTests({
        language: 'javascript',
        program: "console.log(JSON.stringify(process.env)); require('node:fs').writeFileSync('/usr/x', 'y');",
        tests: 'assert.ok(true)',
      });
      expect(r.stdout).not.toContain('js-secret');
      expect(r.status).toBe('error');
      expect(r.stderr).toMatch(/EROFS|EACCES|read-only/);
    } finally {
      delete process.env.RSN_TEST_SECRET;
    }
    const t = await runner.runTests({ language: 'javascript', program: 'for (;;) {}', tests: 'assert.ok(true)', timeoutMs: 1500 });
    expect(t.status).toBe('timeout');
  });
});

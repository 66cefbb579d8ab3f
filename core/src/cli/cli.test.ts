import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../kernel/define.js';
import { CLI, tempProject } from '../testing/temp-project.js';
import { withPolicyOptions } from './shared.js';

const p = tempProject('cli');
afterAll(() => p.cleanup());

p.write('mem/policy.ts', `export { memoryPolicy as default } from '@reasoner/core/testing';\n`);
p.write('mem/tasks.ts', `export { memoryTasks as default } from '@reasoner/core/testing';\n`);
p.write('mem/search.ts', `export { memorySearch as default } from '@reasoner/core/testing';\n`);
p.write('mem/hello.ts', `import { definePlugin } from '@reasoner/core';
export default definePlugin({ name: 'hello', kind: 'extension', apiVersion: 1, setup() {},
  commands: [{ name: 'hello', description: 'say hello', options: [['--who <name>', 'who', 'world']],
    async run(ctx) { process.stdout.write('hello ' + ctx.options.who + ' from ' + ctx.service('task')?.name + '\\n'); return 3; } }] });\n`);
p.write('reasoner.config.yaml', `policy: { use: ./mem/policy.ts, options: { accuracy: 0.7 } }
tasks: { use: ./mem/tasks.ts, options: { count: 12 } }
search: ./mem/search.ts
plugins: [./mem/hello.ts]
run: { out: runs, concurrency: 2 }
`);

function cli(args: string[], cwd = p.dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('reasoner CLI', () => {
  it('validate: ok on a YAML config with local plugins', () => {
    const r = cli(['validate']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('reasoner.config.yaml');
    expect(r.out).toMatch(/\/policy\s+policy\s+memory-policy/);
  });

  it('a bad config exits 1 with code, file, pointer and a fix — no stack; --debug adds it', () => {
    const file = p.write('bad/reasoner.config.json', JSON.stringify({ run: { concurrency: 0 } }));
    const r = cli(['validate'], path.dirname(file));
    expect(r.code).toBe(1);
    expect(r.err).toContain('RSN_ERR_CONFIG_INVALID');
    expect(r.err).toContain(file);
    expect(r.err).toContain('at: /run/concurrency');
    expect(r.err).toContain('fix:');
    expect(r.err).not.toMatch(/\n\s+at .*\(/);
    expect(cli(['validate', '--debug'], path.dirname(file)).err).toMatch(/\n\s+at /);
  });

  it('run --json prints the summary; eval --json prints the metrics', () => {
    const r = cli(['run', '--json', '--limit', '5']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.tasks).toBe(5);
    expect(existsSync(path.join(s.dir, 'trajectories.jsonl'))).toBe(true);
    const e = cli(['eval', '--json', '--limit', '6', '--k', '4', '--samples', '8']);
    expect(e.code, e.err).toBe(0);
    const m = JSON.parse(e.out);
    expect(m).toMatchObject({ n: 6, k: 4, samples: 8 });
    for (const key of ['accuracy', 'passAtK', 'majAtK', 'tokens', 'wallMs']) expect(typeof m[key]).toBe('number');
    expect(m.passAtK).toBeGreaterThanOrEqual(m.passAt1Sampled);
  });

  it('--checkpoint reaches the configured policy\'s options; a missing folder is RSN_ERR_CHECKPOINT', () => {
    const missing = cli(['eval', '--limit', '2', '--checkpoint', 'nowhere']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('RSN_ERR_CHECKPOINT');
    expect(missing.err).not.toMatch(/\n\s+at /);
    // The memory policy has no checkpoint option: the merged option is refused by its schema, naming it.
    p.write('ck/weights.bin', '');
    const merged = cli(['eval', '--limit', '2', '--checkpoint', 'ck']);
    expect(merged.code).toBe(1);
    expect(merged.err).toMatch(/RSN_ERR_PLUGIN_OPTIONS|RSN_ERR_CONFIG_INVALID/);
    expect(merged.err).toContain('checkpoint');
  });

  it('withPolicyOptions merges into every form a config writes its policy in', () => {
    const def = definePlugin({ name: 'p', kind: 'policy', apiVersion: 1, optionsSchema: { type: 'object' }, setup: () => ({}) as never });
    const extra = { checkpoint: '/ck' };
    expect(withPolicyOptions({ policy: 'pkg' }, extra, '--checkpoint').policy).toEqual({ use: 'pkg', options: extra });
    expect(withPolicyOptions({ policy: { use: 'pkg', options: { a: 1 } } }, extra, '--checkpoint').policy).toEqual({ use: 'pkg', options: { a: 1, ...extra } });
    expect((withPolicyOptions({ policy: def({ a: 2 } as never) }, extra, '--checkpoint').policy as { options: unknown }).options).toEqual({ a: 2, ...extra });
    expect((withPolicyOptions({ policy: def }, extra, '--checkpoint').policy as { options: unknown; definition: unknown }).options).toEqual(extra);
    expect(() => withPolicyOptions({}, extra, '--checkpoint')).toThrow(/needs a policy/);
  });

  it('score: scores a file of solutions made elsewhere', () => {
    const input = p.write('completions.jsonl', [
      { id: 't1', solution: 'ans 8' }, { taskId: 't2', completion: 'ans 99' }, { task_id: 't3', text: 'x\nans 24' }, { id: 'zz', solution: 'ans 1' },
    ].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = cli(['score', '--input', input, '--json']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    // t1 = 1+7 = 8 ✓, t2 = 2+1 = 3 ✗, t3 = 3+8 = 11 ✗ (answer 24 wrong), zz unknown
    expect(s).toMatchObject({ n: 3, correct: 1, unknownIds: ['zz'] });
    const bad = p.write('bad.jsonl', '{"id":"t1","solution":"ans 8"}\nnot json\n');
    const b = cli(['score', '--input', bad]);
    expect(b.code).toBe(1);
    expect(b.err).toContain('RSN_ERR_INPUT');
    expect(b.err).toContain('bad.jsonl:2');
  });

  it('data export: from a run folder', () => {
    const r = cli(['run', '--json', '--run-id', 'exp', '--limit', '4']);
    expect(r.code, r.err).toBe(0);
    const out = path.join(p.dir, 'export.jsonl');
    const d = cli(['data', 'export', '--run', 'runs/exp', '--out', out]);
    expect(d.code, d.err).toBe(0);
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(4);
    for (const x of recs) expect(Object.keys(x)).toEqual(expect.arrayContaining(['prompt', 'solution', 'reward']));
    // `answer` is the gold answer (as in a task export); the policy's own answer is meta.predicted.
    const run = readFileSync(path.join(p.dir, 'runs', 'exp', 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    recs.forEach((x, i) => { expect(x.answer).toBe(run[i].gold ?? undefined); expect(x.meta.predicted).toBe(run[i].answer); });
  });

  it('plugin-contributed commands run with the config\'s services', () => {
    const r = cli(['hello', '--who', 'you']);
    expect(r.out).toContain('hello you from memory-tasks');
    expect(r.code).toBe(3);
    expect(cli(['--help']).out).toContain('hello');
  });

  it('plugins --json lists workspace packages and the config\'s local plugins', () => {
    const r = cli(['plugins', '--json']);
    expect(r.code, r.err).toBe(0);
    const { plugins } = JSON.parse(r.out);
    expect(plugins.find((x: { name: string }) => x.name === 'hello')).toMatchObject({ kind: 'extension', origin: 'config' });
    expect(plugins.find((x: { name: string }) => x.name === '@reasoner/plugin-search-bon')).toMatchObject({ kind: 'search', origin: 'workspace' });
  });

  it('init scaffolds files and refuses to overwrite them', () => {
    const dir = path.join(p.dir, 'fresh');
    p.write('fresh/.keep', '');
    expect(cli(['init'], dir).code).toBe(0);
    expect(existsSync(path.join(dir, 'reasoner.config.ts'))).toBe(true);
    expect(existsSync(path.join(dir, 'plugins-local/my-logger/index.ts'))).toBe(true);
    const v = cli(['validate'], dir); // the scaffold is a valid config with real plugins
    expect(v.code, v.err).toBe(0);
    expect(v.out).toContain('my-logger');
    const again = cli(['init'], dir);
    expect(again.code).toBe(2);
    expect(again.err).toContain('RSN_ERR_USAGE');
  });

  it('an unknown command and a missing config are clear errors', () => {
    const dir = path.join(p.dir, 'nothing');
    p.write('nothing/package.json', '{}');
    const r = cli(['run'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RSN_ERR_CONFIG_NOT_FOUND');
    expect(cli(['frobnicate']).code).not.toBe(0);
  });
});

/**
 * What a new user hits first (issue: "the rough edges a new user hits"): every case ends in a clear
 * RSN_ERR_* with the path or key involved, never a stack trace or a silently wrong number.
 * Runs the CLI in-process, in a project outside the repo whose plugins import nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../util/jsonl.js';
import { main } from './main.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'reasoner-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
  return path.join(dir, rel);
};

// A task source with a train and a test split (no validation), ids that say their split, and a checker.
write('local/tasks.mjs', `export default {
  name: 'split-tasks', kind: 'task', apiVersion: 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', default: 4, description: 'tasks per split' } } },
  setup(_ctx, { size }) {
    const make = (split, i) => ({ id: split + i, prompt: i + '+1', answer: String(i + 1), solution: String(i + 1) });
    return {
      name: 'split-tasks',
      async *tasks(q = {}) {
        const split = q.split ?? 'train';
        if (split === 'validation') return;
        for (let i = 0; i < Math.min(size, q.limit ?? Infinity); i++) yield make(split, i);
      },
      verify(task, solution) { return { correct: solution.trim() === task.answer, answer: solution.trim() }; },
    };
  },
};
`);
write('local/needs-file.mjs', `import { existsSync } from 'node:fs';
import path from 'node:path';
export default {
  name: 'needs-file', kind: 'extension', apiVersion: 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { file: { type: 'string', default: 'model.bin' } } },
  check(ctx, { file }) {
    const full = path.resolve(ctx.configDir, file);
    if (!existsSync(full)) throw Object.assign(new Error('no ' + full), {});
  },
  setup() {},
};
`);
write('local/policy.mjs', `export default {
  name: 'echo-policy', kind: 'policy', apiVersion: 1,
  setup() {
    return { id: 'echo', capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      async generate(req) { return { completions: Array.from({ length: req.n ?? 1 }, () => ({ text: '1', tokens: 1, finishReason: 'eos' })), usage: { promptTokens: 1, completionTokens: 1, calls: 1 } }; } };
  },
};
`);
write('local/search.mjs', `export default {
  name: 'one-search', kind: 'search', apiVersion: 1,
  setup() {
    return { name: 'one-search', async search({ task, policy, reward }) {
      const r = await policy.generate({ prompt: task.prompt, n: 1 });
      const c = r.completions[0];
      const best = { text: c.text, steps: [c.text], reward: await reward.score(task, c.text), tokens: 1 };
      return { best, candidates: [best], stats: {}, usage: r.usage };
    } };
  },
};
`);
write('reasoner.config.json', JSON.stringify({ tasks: './local/tasks.mjs', run: { split: 'test' } }));

async function cli(args: string[], cwd = dir): Promise<{ code: number; out: string; err: string }> {
  const prev = process.cwd();
  const out: string[] = [];
  const err: string[] = [];
  const wo = process.stdout.write.bind(process.stdout);
  const we = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    const code = await main(['node', 'reasoner', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.chdir(prev);
    process.stdout.write = wo;
    process.stderr.write = we;
    process.exitCode = undefined;
  }
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*\(/);

describe('I/O errors of the user\'s environment are RSN_ERR_IO naming the path', () => {
  it('data export and score --out into a missing folder', async () => {
    const r = await cli(['data', 'export', '--split', 'test', '--out', '/nonexistent-dir/x.jsonl']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RSN_ERR_IO: cannot write /nonexistent-dir/x.jsonl: does not exist');
    noStack(r.err);
    const input = write('sol.jsonl', '{"id":"test0","solution":"1"}\n');
    const s = await cli(['score', '--input', input, '--out', '/nonexistent-dir/s.jsonl']);
    expect(s.code).toBe(1);
    expect(s.err).toContain('RSN_ERR_IO: cannot write /nonexistent-dir/s.jsonl');
  });

  it('a runs/ folder that cannot be created, and a directory given as --input', async () => {
    write('blocker', 'a file where a folder should be');
    const s = await cli(['score', '--input', dir]);
    expect(s.code).toBe(1);
    expect(s.err).toContain(`RSN_ERR_IO: cannot read ${dir}: it is a directory`);
    const { ReasonerError, ioError } = await import('../errors.js');
    const e = ioError(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'mkdir', path: '/ro/runs' }), undefined, 'cannot create the run folder');
    expect(e).toBeInstanceOf(ReasonerError);
    expect((e as InstanceType<typeof ReasonerError>).format()).toContain('RSN_ERR_IO: cannot create the run folder: permission denied (EACCES /ro/runs)');
    // Through the CLI: run.out under a regular file (ENOTDIR; as root EACCES cannot be provoked).
    write('ro/reasoner.config.json', JSON.stringify({ tasks: '../local/tasks.mjs', policy: '../local/policy.mjs', search: '../local/search.mjs', run: { out: '../blocker/runs' } }));
    const r = await cli(['run', '--limit', '1'], path.join(dir, 'ro'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RSN_ERR_IO: .*blocker/);
    expect(r.err).not.toContain('RSN_ERR_INTERNAL');
    noStack(r.err);
  });
});

describe('score', () => {
  it('finds ids in the config\'s split, then in every other split, without --split', async () => {
    const input = write('mixed.jsonl', ['{"id":"test0","solution":"1"}', '{"id":"train1","solution":"2"}', '{"id":"test2","solution":"9"}'].join('\n') + '\n');
    const r = await cli(['score', '--json', '--input', input]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ n: 3, correct: 2, unknownIds: [], splits: ['test', 'train'] });
    const only = await cli(['score', '--json', '--input', input, '--split', 'train']);
    expect(JSON.parse(only.out)).toMatchObject({ n: 1, correct: 1, unknownIds: ['test0', 'test2'] });
  });

  it('counts a duplicated id once, with a warning', async () => {
    const input = write('dup.jsonl', Array.from({ length: 20 }, () => '{"id":"test0","solution":"1"}').join('\n') + '\n{"id":"test1","solution":"0"}\n');
    const r = await cli(['score', '--json', '--input', input]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ n: 2, correct: 1, accuracy: 0.5, duplicateIds: ['test0'] });
    expect(r.err).toContain('1 ids appear on more than one line (first: test0); each id was scored once');
  });

  it('caps the line length: an over-long line or /dev/zero is RSN_ERR_INPUT, not a crash', async () => {
    const f = write('long.jsonl', '{"id":"a","solution":"1"}\n' + `{"id":"b","solution":"${'x'.repeat(5000)}"}\n`);
    const lines: number[] = [];
    await expect((async () => { for await (const l of readJsonl(f, undefined, 1000)) lines.push(l.line); })()).rejects.toThrow(`${f}:2: line is longer than`);
    expect(lines).toEqual([1]);
    const z = await cli(['score', '--input', '/dev/zero']);
    expect(z.code).toBe(1);
    expect(z.err).toContain('RSN_ERR_INPUT: /dev/zero:1: line is longer than 64 MB');
  }, 30_000);
});

describe('data export, eval flags', () => {
  it('a split the source does not have is an error listing the splits it has (and leaves no empty file)', async () => {
    const out = path.join(dir, 'none.jsonl');
    const r = await cli(['data', 'export', '--split', 'validation', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RSN_ERR_DATASET: task source "split-tasks" has no validation split; it has: train, test');
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
    const ok = await cli(['data', 'export', '--split', 'train', '--out', out]);
    expect(ok.out).toContain('wrote 4 records');
  });

  it('eval --samples fewer than --k is refused, --split is checked', async () => {
    const r = await cli(['eval', '--samples', '4', '--k', '16']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('RSN_ERR_USAGE: --samples 4 is fewer than --k 16');
    const s = await cli(['eval', '--split', 'tset']);
    expect(s.err).toContain('RSN_ERR_USAGE: --split must be one of train, validation, test');
  });

  it('eval --limit past the end of the split says how many tasks it evaluated', async () => {
    write('lim/reasoner.config.json', JSON.stringify({ tasks: '../local/tasks.mjs', policy: '../local/policy.mjs', search: '../local/search.mjs' }));
    const r = await cli(['eval', '--limit', '10', '--k', '1', '--json'], path.join(dir, 'lim'));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).n).toBe(4);
    expect(r.err).toContain('--limit 10: the test split of "split-tasks" has 4 tasks; all 4 were evaluated');
    const exact = await cli(['eval', '--limit', '4', '--k', '1', '--json'], path.join(dir, 'lim'));
    expect(exact.err).not.toContain('--limit');
  });

  it('a temperature that is not a number ≥ 0, or a mistyped --eval-split, is RSN_ERR_USAGE', async () => {
    for (const args of [['eval', '--temperature', 'hot'], ['eval', '--temperature', '-1'], ['iterate', '--temperature', 'x'], ['iterate', '--eval-split', 'tset']]) {
      const r = await cli(args, path.join(dir, 'lim'));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/RSN_ERR_USAGE: --(temperature must be a number ≥ 0|eval-split must be one of)/);
    }
  });
});

describe('config and plugin messages', () => {
  it('a TS config syntax error names file:line:column and shows the line', async () => {
    const file = write('syntax/reasoner.config.ts', 'export default {\n  run: { limit: 3\n    seed: 1 },\n};\n');
    const r = await cli(['validate'], path.dirname(file));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`RSN_ERR_CONFIG_LOAD: syntax error in ${file}:3:5:`);
    expect(r.err).toContain('    seed: 1 },\n        ^');
  });

  it('a mistyped config key or hook suggests the nearest one', async () => {
    write('typo/reasoner.config.json', JSON.stringify({ serch: './x', run: { concurency: 2 } }));
    const r = await cli(['validate'], path.join(dir, 'typo'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown key "serch" (did you mean "search"?)');
    expect(r.err).toContain('unknown key "concurency" (did you mean "concurrency"?)');
  });

  it('validate runs the plugins\' check(): a missing resource fails validate, not only run', async () => {
    write('chk/reasoner.config.json', JSON.stringify({ tasks: '../local/tasks.mjs', plugins: [{ use: '../local/needs-file.mjs', options: { file: 'nope.bin' } }] }));
    const r = await cli(['validate'], path.join(dir, 'chk'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('RSN_ERR_PLUGIN_OPTIONS: plugin "needs-file" rejected its options: no ');
    expect(r.err).toContain('at: /plugins/0');
    write('chk/nope.bin', '');
    expect((await cli(['validate'], path.join(dir, 'chk'))).code).toBe(0);
  });

  it('plugins --json carries each plugin\'s options schema; plugins <name> shows options with defaults', async () => {
    const j = await cli(['plugins', '--json']);
    expect(j.code, j.err).toBe(0);
    const p = (JSON.parse(j.out) as { plugins: Array<{ name: string; optionsSchema: { properties: object } }> }).plugins.find((x) => x.name === 'split-tasks');
    expect(p?.optionsSchema.properties).toHaveProperty('size');
    const one = await cli(['plugins', 'split-tasks']);
    expect(one.code, one.err).toBe(0);
    expect(one.out).toMatch(/size\s+integer\s+default 4\s+tasks per split/);
    const miss = await cli(['plugins', 'split-task']);
    expect(miss.err).toContain('RSN_ERR_PLUGIN_NOT_FOUND: no plugin named "split-task" is installed or named in the config (did you mean "split-tasks"?)');
  });
});

/** `reasoner eval --checkpoint <dir>` reaches policy-tiny's `checkpoint` option from a config that names none. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempProject } from '@reasoner/core/testing';
import { DEFAULT_CHECKPOINT } from './index.js';

const p = tempProject('ckflag');
afterAll(() => p.cleanup());
p.write('reasoner.config.yaml', 'policy: "@reasoner/plugin-policy-tiny"\ntasks: "@reasoner/plugin-task-countdown"\nrun: { out: runs, seed: 1 }\n');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('--checkpoint on the embedded policy', () => {
  it('loads the named checkpoint: a good one evaluates, one for another model is RSN_ERR_CHECKPOINT from the policy', () => {
    const good = cli(['eval', '--json', '--limit', '3', '--k', '1', '--checkpoint', path.relative(p.dir, DEFAULT_CHECKPOINT)]);
    expect(good.code, good.err).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ n: 3 });
    // The same weights declared as a wider model: only policy-tiny loading *this* folder can notice.
    const other = path.join(p.dir, 'other');
    mkdirSync(other);
    copyFileSync(path.join(DEFAULT_CHECKPOINT, 'weights.bin'), path.join(other, 'weights.bin'));
    const meta = JSON.parse(readFileSync(path.join(DEFAULT_CHECKPOINT, 'checkpoint.json'), 'utf8'));
    meta.arch.dModel *= 2;
    writeFileSync(path.join(other, 'checkpoint.json'), JSON.stringify(meta));
    const bad = cli(['eval', '--limit', '3', '--checkpoint', 'other']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('RSN_ERR_CHECKPOINT');
    expect(bad.err).toContain(other);
    expect(bad.err).not.toMatch(/\n\s+at /);
  }, 60_000);
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { CreateError, createProject, packageName } from './create.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'reasoner-create-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('@reasoner/create', () => {
  it('--no-install writes package.json with the starter packages, tsconfig and .gitignore, and says what to run next', async () => {
    const r = await createProject({ dir: 'My Reasoner', cwd: tmp, install: false });
    const pkg = JSON.parse(readFileSync(path.join(r.dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-reasoner');
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.dependencies)).toEqual(['@reasoner/core', '@reasoner/plugin-policy-tiny', '@reasoner/plugin-task-countdown', '@reasoner/plugin-search-bon']);
    expect(pkg.dependencies['@reasoner/core']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(pkg.scripts.start).toBe('reasoner run');
    expect(readFileSync(path.join(r.dir, '.gitignore'), 'utf8')).toContain('runs/');
    expect(r.next).toBe('cd My Reasoner && npm install && npx reasoner init && npm start');
  });

  it('--tarballs points every @reasoner dependency at its tarball, and names the missing ones', async () => {
    const tb = path.join(tmp, 'tarballs');
    mkdirSync(tb);
    for (const f of ['reasoner-core-0.1.0.tgz', 'reasoner-plugin-policy-tiny-0.1.0.tgz', 'reasoner-plugin-task-countdown-0.1.0.tgz', 'reasoner-tiny-format-0.1.0.tgz']) writeFileSync(path.join(tb, f), '');
    await expect(createProject({ dir: 'a', cwd: tmp, install: false, tarballs: tb })).rejects.toThrow(/no tarball for @reasoner\/plugin-search-bon/);
    writeFileSync(path.join(tb, 'reasoner-plugin-search-bon-0.1.0.tgz'), '');
    const r = await createProject({ dir: 'b', cwd: tmp, install: false, tarballs: tb });
    const deps = JSON.parse(readFileSync(path.join(r.dir, 'package.json'), 'utf8')).dependencies;
    expect(deps['@reasoner/tiny-format']).toBe(`file:${path.join(tb, 'reasoner-tiny-format-0.1.0.tgz')}`);
    expect(deps['@reasoner/plugin-search-bon']).toBe(`file:${path.join(tb, 'reasoner-plugin-search-bon-0.1.0.tgz')}`);
  });

  it('refuses a folder that is not empty; the CLI prints a code and a fix, exit 1; bad flags exit 2', async () => {
    mkdirSync(path.join(tmp, 'taken'));
    writeFileSync(path.join(tmp, 'taken', 'x'), '');
    await expect(createProject({ dir: 'taken', cwd: tmp, install: false })).rejects.toBeInstanceOf(CreateError);
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    try {
      expect(await main([path.join(tmp, 'taken'), '--no-install'])).toBe(1);
      expect(await main(['--nope'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/RSN_ERR_CREATE: .*taken exists and is not empty\n  fix: /);
    expect(err.join('')).toContain('RSN_ERR_USAGE');
  });

  it('turns a folder into an npm package name', () => {
    expect(packageName('/x/My Cool_Reasoner!')).toBe('my-cool_reasoner');
    expect(packageName('...')).toBe('my-reasoner');
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from './load.js';
import { validateConfig } from './validate.js';
import { tempProject } from '../testing/temp-project.js';
import { ReasonerError } from '../errors.js';

const p = tempProject('config');
afterAll(() => p.cleanup());

const body = `{ run: { concurrency: 3 } }`;

describe('config loading', () => {
  const formats: Array<[string, string]> = [
    ['reasoner.config.ts', `const n: number = 3;\nexport default { run: { concurrency: n } };\n`],
    ['reasoner.config.mts', `export default ${body};\n`],
    ['reasoner.config.js', `export default ${body};\n`],
    ['reasoner.config.mjs', `export default ${body};\n`],
    ['reasoner.config.json', `{ "run": { "concurrency": 3 } }\n`],
    ['reasoner.config.yaml', `run:\n  concurrency: 3\n`],
  ];
  for (const [name, text] of formats) {
    it(`finds and loads ${name}`, async () => {
      const dir = `fmt-${name.replace(/\./g, '-')}`;
      p.write(`${dir}/package.json`, '{"type":"module"}');
      p.write(`${dir}/${name}`, text);
      const loaded = await loadConfigFile({ cwd: `${p.dir}/${dir}` });
      expect(loaded.file.endsWith(name)).toBe(true);
      const cfg = validateConfig(loaded.config, loaded.file);
      expect(cfg.run.concurrency).toBe(3);
      expect(cfg.run.out).toBe('runs'); // default applied
    });
  }

  it('reads the "reasoner" key of package.json', async () => {
    p.write('pkgkey/package.json', JSON.stringify({ name: 'x', reasoner: { run: { seed: 7 } } }));
    const loaded = await loadConfigFile({ cwd: `${p.dir}/pkgkey` });
    expect(validateConfig(loaded.config).run.seed).toBe(7);
  });

  it('loads a TS config that imports a local TS module and @reasoner/core, via --config', async () => {
    p.write('tsimport/lib/n.ts', `export const seed: number = 42;\n`);
    p.write('tsimport/custom.config.ts', `import { defineConfig } from '@reasoner/core';\nimport { seed } from './lib/n.ts';\nexport default defineConfig({ run: { seed } });\n`);
    const loaded = await loadConfigFile({ file: `${p.dir}/tsimport/custom.config.ts` });
    expect(validateConfig(loaded.config).run.seed).toBe(42);
  });

  it('RSN_ERR_CONFIG_NOT_FOUND when there is none', async () => {
    p.write('empty/package.json', '{}');
    await expect(loadConfigFile({ cwd: `${p.dir}/empty` })).rejects.toMatchObject({ code: 'RSN_ERR_CONFIG_NOT_FOUND' });
    await expect(loadConfigFile({ file: `${p.dir}/nope.ts` })).rejects.toMatchObject({ code: 'RSN_ERR_CONFIG_NOT_FOUND' });
  });

  it('RSN_ERR_CONFIG_LOAD names the file on a TS syntax error', async () => {
    const file = p.write('broken/reasoner.config.ts', `export default { run: { seed: 1 ;\n`);
    const err = await loadConfigFile({ file }).catch((e) => e);
    expect(err).toBeInstanceOf(ReasonerError);
    expect(err.code).toBe('RSN_ERR_CONFIG_LOAD');
    expect(err.context.file).toBe(file);
  });

  it('RSN_ERR_CONFIG_LOAD on broken JSON', async () => {
    const file = p.write('badjson/reasoner.config.json', `{ "run": `);
    await expect(loadConfigFile({ file })).rejects.toMatchObject({ code: 'RSN_ERR_CONFIG_LOAD' });
  });
});

describe('config validation', () => {
  it('rejects unknown keys with a JSON pointer', () => {
    const err = (() => { try { validateConfig({ run: { concurency: 2 } }, 'x.ts'); } catch (e) { return e as ReasonerError; } })()!;
    expect(err.code).toBe('RSN_ERR_CONFIG_INVALID');
    expect(err.context.pointer).toBe('/run/concurency');
    expect(err.message).toContain('unknown key');
    expect(err.context.file).toBe('x.ts');
  });

  it('rejects wrong types', () => {
    expect(() => validateConfig({ run: { concurrency: 'four' } })).toThrow(expect.objectContaining({ code: 'RSN_ERR_CONFIG_INVALID', context: expect.objectContaining({ pointer: '/run/concurrency' }) }));
    expect(() => validateConfig({ policy: 42 })).toThrow(expect.objectContaining({ context: expect.objectContaining({ pointer: '/policy' }) }));
    expect(() => validateConfig([])).toThrow(expect.objectContaining({ code: 'RSN_ERR_CONFIG_INVALID' }));
  });

  it('rejects unknown hooks and non-function hooks', () => {
    expect(() => validateConfig({ hooks: { afterEverything: async () => {} } })).toThrow(expect.objectContaining({ code: 'RSN_ERR_HOOK_UNKNOWN', context: expect.objectContaining({ pointer: '/hooks/afterEverything' }) }));
    expect(() => validateConfig({ hooks: { afterSearch: 'nope' } })).toThrow(expect.objectContaining({ code: 'RSN_ERR_CONFIG_INVALID', context: expect.objectContaining({ pointer: '/hooks/afterSearch' }) }));
  });
});

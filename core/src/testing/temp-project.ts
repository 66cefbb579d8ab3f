import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (temp projects live below it so `@reasoner/*` resolve through its node_modules). */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));
/** Runs the CLI from the TypeScript sources (no build needed): `spawn(process.execPath, [CLI, ...args])`. */
export const CLI = path.join(REPO_ROOT, 'scripts', 'reasoner-src.mjs');
/** The published bin: the compiled CLI under plain node (needs `npm run build`). */
export const BUILT_CLI = path.join(REPO_ROOT, 'core', 'bin', 'reasoner.mjs');

export interface TempProject {
  dir: string;
  write(rel: string, text: string): string;
  cleanup(): void;
}

export function tempProject(prefix = 'proj'): TempProject {
  const base = path.join(REPO_ROOT, '.tmp-tests');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `${prefix}-`));
  return {
    dir,
    write(rel, text) {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

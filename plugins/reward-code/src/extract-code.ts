import type { CodeLanguage } from './types.js';

const LANGUAGE_TAGS: Record<CodeLanguage, string[]> = {
  python: ['python', 'py', 'python3', 'py3'],
  javascript: ['javascript', 'js', 'node', 'jsx', 'mjs'],
  typescript: ['typescript', 'ts', 'tsx'],
};

interface Block {
  tag: string;
  code: string;
}

/** Fenced code blocks; an unclosed last fence (a truncated generation) runs to the end. */
export function fencedBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const re = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm;
  for (const m of text.matchAll(re)) blocks.push({ tag: (m[2] ?? '').toLowerCase(), code: m[3] ?? '' });
  return blocks;
}

/** A definition of `name` in the given language (`def name(`, `function name(`, `const name =`). */
export function definesFunction(code: string, name: string, language: CodeLanguage): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re =
    language === 'python'
      ? new RegExp(`^\\s*(?:async\\s+)?def\\s+${n}\\s*\\(`, 'm')
      : new RegExp(`(?:function\\s*\\*?\\s*${n}\\s*[(<]|(?:const|let|var)\\s+${n}\\s*[:=])`);
  return re.test(code);
}

/**
 * The code in a model's answer: the last fenced block in the task's language (or untagged) —
 * preferring one that defines the entry point — else the whole text (a bare completion).
 */
export function extractCode(solution: string, language: CodeLanguage, entryPoint?: string): string {
  const blocks = fencedBlocks(solution);
  if (!blocks.length) return solution;
  const tags = LANGUAGE_TAGS[language];
  const fitting = blocks.filter((b) => b.tag === '' || tags.includes(b.tag));
  const pool = fitting.length ? fitting : blocks;
  const defining = entryPoint ? pool.filter((b) => definesFunction(b.code, entryPoint, language)) : [];
  return (defining.length ? defining : pool).at(-1)!.code;
}

/**
 * The program to run for a task: HumanEval-style prompts (a signature + docstring that define
 * the entry point) are prepended, so a bare body completes them and a full redefinition still
 * sees the prompt's imports and helpers (a docstring-only function is valid Python).
 */
export function buildProgram(prompt: string, code: string, language: CodeLanguage, entryPoint?: string): string {
  if (!entryPoint || !definesFunction(prompt, entryPoint, language)) return code;
  if (definesFunction(code, entryPoint, language)) return `${prompt}\n${code}`;
  return prompt + code;
}

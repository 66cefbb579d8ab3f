/**
 * The countdown text format (character-level policies pay for every character, so it is terse).
 *
 *   prompt    `3 7 25 4>89\n`   numbers separated by single spaces, `>`, the target, a newline
 *   step      `25+4=29`          two available numbers, an operator (+ - * /), `=`, the result
 *   backtrack `<` (or `<<`, …)   undoes the last step (one `<` per undone step)
 *   final     `=89`              the answer; the last line of every solution
 *
 * A solution is its lines, each followed by `\n` (so the final line ends with `\n` too; the
 * policy then emits `<eos>`). Numbers are decimal without leading zeros.
 */
export type CountdownOp = '+' | '-' | '*' | '/';

export interface CountdownStep {
  a: number;
  op: CountdownOp;
  b: number;
  /** The written result (may be wrong in a noisy solution). */
  c: number;
}

/** Every character a countdown prompt or solution can contain. */
export const countdownAlphabet = '\n *+-/0123456789<=>';

const NUM = '(0|[1-9][0-9]*)';
const STEP_RE = new RegExp(`^${NUM}([+*/-])${NUM}=${NUM}$`);
const FINAL_RE = new RegExp(`^=${NUM}$`);
const BACKTRACK_RE = /^<+$/;
const PROMPT_RE = /^((?:0|[1-9][0-9]*)(?: (?:0|[1-9][0-9]*))*)>(0|[1-9][0-9]*)\n?$/;

export type CountdownLine =
  | { kind: 'step'; step: CountdownStep }
  | { kind: 'final'; value: number }
  | { kind: 'backtrack'; count: number }
  | { kind: 'invalid'; text: string };

export function parseLine(text: string): CountdownLine {
  const line = text.trim();
  let m = STEP_RE.exec(line);
  if (m) return { kind: 'step', step: { a: Number(m[1]), op: m[2] as CountdownOp, b: Number(m[3]), c: Number(m[4]) } };
  m = FINAL_RE.exec(line);
  if (m) return { kind: 'final', value: Number(m[1]) };
  if (BACKTRACK_RE.test(line)) return { kind: 'backtrack', count: line.length };
  return { kind: 'invalid', text };
}

export function formatStep(s: CountdownStep): string {
  return `${s.a}${s.op}${s.b}=${s.c}`;
}

export function formatFinal(value: number | string): string {
  return `=${value}`;
}

export function formatBacktrack(count: number): string {
  return '<'.repeat(count);
}

export function formatPrompt(numbers: readonly number[], target: number): string {
  return `${numbers.join(' ')}>${target}\n`;
}

export function parsePrompt(prompt: string): { numbers: number[]; target: number } | undefined {
  const m = PROMPT_RE.exec(prompt);
  if (!m) return undefined;
  return { numbers: m[1]!.split(' ').map(Number), target: Number(m[2]) };
}

/** Joins lines into solution text: every line, the final one included, ends with `\n`. */
export function joinLines(lines: readonly string[]): string {
  return lines.map((l) => l + '\n').join('');
}

/** Splits solution text into its non-empty lines. */
export function splitLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The exact result of `a op b` under the game's rules, or undefined (negative or inexact). */
export function applyOp(a: number, op: CountdownOp, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '*': return a * b;
    case '-': return a >= b ? a - b : undefined;
    case '/': return b !== 0 && a % b === 0 ? a / b : undefined;
  }
}

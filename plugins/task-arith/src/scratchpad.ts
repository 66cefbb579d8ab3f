/**
 * The written chain of thought for `a op b`, one step per line. The next expected line always
 * follows from the problem and the results written so far (not the true ones), so a slip
 * propagates consistently and a step is judged on its own.
 *
 *   addition        per column, right to left:  `<da>+<db>+<carry in>=<sum>`   carry = ⌊sum/10⌋
 *   subtraction     per column, right to left:  `<da>-<db>-<borrow in>=<diff>` borrow = diff < 0
 *                   (diff may be negative: `3-7-0=-4`; the digit is diff + 10)
 *   multiplication  per multiplier digit:       `<a>*<digit·10^k>=<partial>`
 *                   then the running sum:        `<total>+<partial>=<total>`
 *   final line      `=<answer>`
 */
export type ArithOp = '+' | '-' | '*';

export interface ArithProblem {
  a: number;
  op: ArithOp;
  b: number;
}

export interface ExpectedStep {
  /** Left-hand side text, e.g. `1+7+0`. */
  lhs: string;
  value: number;
}

/** Digit i of n counting from the right (0 beyond its length). */
const digit = (n: number, i: number): number => Math.floor(n / 10 ** i) % 10;

export function arithAnswer(p: ArithProblem): number {
  return p.op === '+' ? p.a + p.b : p.op === '-' ? p.a - p.b : p.a * p.b;
}

/** How many step lines the scratchpad has. */
export function arithStepCount(p: ArithProblem): number {
  const la = String(p.a).length, lb = String(p.b).length;
  return p.op === '*' ? 2 * lb - 1 : Math.max(la, lb);
}

/** The step that should follow the written results `done`, or undefined when all are done. */
export function expectedStep(p: ArithProblem, done: readonly number[]): ExpectedStep | undefined {
  const i = done.length;
  if (i >= arithStepCount(p)) return undefined;
  const lb = String(p.b).length;
  const prev = done[i - 1];
  switch (p.op) {
    case '+': {
      const x = digit(p.a, i), y = digit(p.b, i), c = prev === undefined ? 0 : Math.floor(prev / 10);
      return { lhs: `${x}+${y}+${c}`, value: x + y + c };
    }
    case '-': {
      const x = digit(p.a, i), y = digit(p.b, i), c = prev !== undefined && prev < 0 ? 1 : 0;
      return { lhs: `${x}-${y}-${c}`, value: x - y - c };
    }
    case '*': {
      if (i < lb) {
        const m = digit(p.b, i) * 10 ** i;
        return { lhs: `${p.a}*${m}`, value: p.a * m };
      }
      // Sum lines: line i adds partial (i - len + 1) to the running total.
      const k = i - lb + 1;
      const total = k === 1 ? done[0]! : done[i - 1]!;
      const partial = done[k]!;
      return { lhs: `${total}+${partial}`, value: total + partial };
    }
  }
}

/** The answer that the written results imply (what a consistent final line says). */
export function assembleAnswer(p: ArithProblem, done: readonly number[]): number {
  if (p.op === '*') return done[done.length - 1] ?? 0;
  const digits = done.map((r) => (p.op === '-' && r < 0 ? r + 10 : r % 10));
  const last = done[done.length - 1] ?? 0;
  const lead = p.op === '+' ? Math.floor(last / 10) : 0;
  return Number(`${lead}${digits.reverse().join('')}`);
}

/** The step lines of the correct scratchpad. */
export function scratchpadSteps(p: ArithProblem): Array<ExpectedStep & { line: string }> {
  const out: Array<ExpectedStep & { line: string }> = [];
  const done: number[] = [];
  for (let s = expectedStep(p, done); s; s = expectedStep(p, done)) {
    out.push({ ...s, line: `${s.lhs}=${s.value}` });
    done.push(s.value);
  }
  return out;
}

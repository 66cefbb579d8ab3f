/**
 * A small LaTeX → MathJSON parser for the expressions answers are made of (numbers, letters,
 * Greek, + − × ÷ ^, \frac, \sqrt, functions, |x|, n!, subscripts, \sum/\prod with limits). It runs
 * in microseconds on the main thread with a fixed work bound, so most comparisons never need
 * compute-engine (whose cold parse is milliseconds, and seconds on hostile input). Anything
 * outside its grammar returns null and goes to compute-engine.
 *
 * The output uses compute-engine's heads (`Add`, `Multiply`, `Power`, `At`, `Sum`, …) so the
 * same evaluator reads both.
 */
type Json = unknown;

const MAX_LEN = 400;
const MAX_DEPTH = 60;

type Tok = { t: 'num'; v: string } | { t: 'let'; v: string } | { t: 'cmd'; v: string } | { t: 'ch'; v: string };

class Fail extends Error {}

function tokenize(s: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (/[0-9.]/.test(c)) {
      let j = i;
      while (j < s.length && /[0-9]/.test(s[j]!)) j++;
      if (s[j] === '.' && /[0-9]/.test(s[j + 1] ?? '')) { j++; while (j < s.length && /[0-9]/.test(s[j]!)) j++; }
      if (j === i) return null; // a lone '.'
      out.push({ t: 'num', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (/[A-Za-z]/.test(c)) { out.push({ t: 'let', v: c }); i++; continue; }
    if (c === '\\') {
      let j = i + 1;
      while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
      if (j === i + 1) {
        const n = s[i + 1];
        if (n === '{' || n === '}') { out.push({ t: 'ch', v: n === '{' ? '(' : ')' }); i += 2; continue; } // \{ \} as brackets
        if (n === ',' || n === ';' || n === '!' || n === ' ' || n === ':') { i += 2; continue; } // spacing
        return null;
      }
      out.push({ t: 'cmd', v: s.slice(i + 1, j) });
      i = j;
      continue;
    }
    if ('+-*/^_()[]{}|!\'='.includes(c)) { out.push({ t: 'ch', v: c }); i++; continue; }
    return null; // anything else (relations, commas, unicode) is not a leaf we read
  }
  return out;
}

const GREEK = new Set('alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega'.split(' '));
const FUNCS: Record<string, string> = {
  sin: 'Sin', cos: 'Cos', tan: 'Tan', cot: 'Cot', sec: 'Sec', csc: 'Csc', arcsin: 'Arcsin', arccos: 'Arccos', arctan: 'Arctan',
  sinh: 'Sinh', cosh: 'Cosh', tanh: 'Tanh', ln: 'Ln', exp: 'Exp', log: 'Log', lg: 'Lg',
};
/** Letters that are usually functions when followed by `(`: left to compute-engine. */
const FUNCTION_LETTERS = new Set(['f', 'g', 'h', 'F', 'G', 'H', 'P', 'p', 'q', 'Q']);

export function parseLatexFast(src: string): Json | null {
  if (src.length > MAX_LEN) return null;
  const toks = tokenize(src);
  if (!toks || toks.length === 0) return null;
  let i = 0;
  let depth = 0;
  let absDepth = 0;
  // `i` is an index when it appears in a subscript or as a summation index; else the imaginary unit.
  const iIsIndex = /_\s*(?:\{[^{}]*(?<![A-Za-z])i(?![A-Za-z])[^{}]*\}|i(?![A-Za-z]))/.test(src);
  const peek = (): Tok | undefined => toks[i];
  const isCh = (v: string): boolean => toks[i]?.t === 'ch' && toks[i]!.v === v;
  const isCmd = (v: string): boolean => toks[i]?.t === 'cmd' && toks[i]!.v === v;
  const expectCh = (v: string): void => { if (!isCh(v)) throw new Fail(v); i++; };
  const enter = (): void => { if (++depth > MAX_DEPTH) throw new Fail('depth'); };

  const sum = (): Json => {
    enter();
    const terms: Json[] = [];
    if (isCh('+')) i++;
    terms.push(isCh('-') ? (i++, neg(term())) : term());
    for (;;) {
      if (isCh('+')) { i++; terms.push(term()); } else if (isCh('-')) { i++; terms.push(neg(term())); } else break;
    }
    depth--;
    return terms.length === 1 ? terms[0] : ['Add', ...terms];
  };
  const neg = (x: Json): Json => (typeof x === 'number' ? -x : ['Negate', x]);

  const startsFactor = (): boolean => {
    const t = peek();
    if (!t) return false;
    if (t.t === 'num' || t.t === 'let') return true;
    if (t.t === 'cmd') return !['cdot', 'times', 'div', 'right', 'rfloor', 'rceil'].includes(t.v);
    if (t.t === 'ch') return t.v === '(' || t.v === '[' || t.v === '{' || (t.v === '|' && absDepth === 0);
    return false;
  };

  const term = (): Json => {
    enter();
    const first = peek();
    const factors: Json[] = [unary()];
    // A mixed number `3\frac{1}{2}` is 3 + 1/2 (as compute-engine and parsePlainNumber read it).
    if (first?.t === 'num' && /^\d+$/.test(first.v) && isCmd('frac') && toks[i + 1]?.v === '{' && toks[i + 2]?.t === 'num' && toks[i + 3]?.v === '}' && toks[i + 4]?.v === '{' && toks[i + 5]?.t === 'num' && toks[i + 6]?.v === '}') {
      const frac = ['Divide', Number(toks[i + 2]!.v), Number(toks[i + 5]!.v)];
      i += 7;
      factors[0] = ['Add', factors[0], frac];
    }
    let divisor: Json[] = [];
    for (;;) {
      if (isCmd('cdot') || isCmd('times') || isCh('*')) { i++; factors.push(unary()); continue; }
      if (isCh('/') || isCmd('div')) { i++; divisor.push(unary()); continue; }
      if (startsFactor()) { factors.push(power()); continue; }
      break;
    }
    depth--;
    const num = factors.length === 1 ? factors[0] : ['Multiply', ...factors];
    if (divisor.length === 0) return num;
    const den = divisor.length === 1 ? divisor[0] : ['Multiply', ...divisor];
    divisor = [];
    return ['Divide', num, den];
  };

  const unary = (): Json => {
    if (isCh('-')) { i++; return neg(unary()); }
    if (isCh('+')) { i++; return unary(); }
    return power();
  };

  const group = (): Json => {
    // `{…}` or a single token (`\frac12`, `x^2`).
    if (isCh('{')) { i++; const v = sum(); expectCh('}'); return v; }
    const t = peek();
    if (!t) throw new Fail('end');
    if (t.t === 'num') {
      // `\frac12`: a bare argument is one digit; the rest stays for the next argument.
      if (t.v.length > 1 && !t.v.includes('.')) { toks[i] = { t: 'num', v: t.v.slice(1) }; return Number(t.v[0]); }
      i++;
      return Number(t.v);
    }
    return primary();
  };

  const exponent = (): Json => {
    if (isCh('{')) return group();
    const t = peek();
    if (t?.t === 'num') { i++; if (t.v.length > 1) { i--; throw new Fail('x^10 is ambiguous'); } return Number(t.v); }
    if (isCh('-')) { i++; return neg(exponent()); }
    return primary();
  };

  const power = (): Json => {
    enter();
    let base = primary();
    for (;;) {
      if (isCh('!')) { i++; base = ['Factorial', base]; continue; }
      if (isCh('\'')) throw new Fail('prime');
      break;
    }
    if (isCh('^')) {
      i++;
      base = ['Power', base, exponent()];
      if (isCh('^')) throw new Fail('double power');
    }
    depth--;
    return base;
  };

  const symbolWithSubscript = (name: string): Json => {
    if (!isCh('_')) return name;
    i++;
    // `x_{\max}`, `x_\min`: a named subscript.
    if (isCh('{') && toks[i + 1]?.t === 'cmd' && toks[i + 2]?.t === 'ch' && toks[i + 2]!.v === '}') { i += 3; return `${name}_${toks[i - 2]!.v}`; }
    if (peek()?.t === 'cmd' && !GREEK.has(peek()!.v)) { i++; return `${name}_${toks[i - 1]!.v}`; }
    const start = i;
    const sub = isCh('{') ? group() : (() => { const t = peek(); if (!t) throw new Fail('sub'); i++; return t.t === 'num' ? Number(t.v) : t.t === 'let' ? t.v : t.t === 'cmd' ? t.v : (() => { throw new Fail('sub'); })(); })();
    // A literal subscript (`x_1`, `x_{12}`, `x_{max}`) names a symbol; an expression indexes a sequence.
    const literal = toks.slice(start, i).filter((t) => t.t !== 'ch' || (t.v !== '{' && t.v !== '}'));
    if (typeof sub === 'number' || literal.every((t) => t.t === 'num') || (literal.length === 1 && literal[0]!.t === 'cmd')) {
      return `${name}_${literal.map((t) => t.v).join('')}`;
    }
    return ['At', name, sub];
  };

  const funcArg = (): Json => {
    if (isCh('(')) { i++; const v = sum(); expectCh(')'); return v; }
    if (isCh('{')) return group();
    // `\sin 2x`, `\ln x`: the argument runs to the end of the implicit product.
    const factors: Json[] = [power()];
    const argLike = (t: Tok | undefined): boolean => t !== undefined && (t.t === 'num' || t.t === 'let' || (t.t === 'cmd' && (GREEK.has(t.v) || t.v === 'pi')));
    while (argLike(peek())) factors.push(power());
    return factors.length === 1 ? factors[0] : ['Multiply', ...factors];
  };

  const bigOp = (head: 'Sum' | 'Product'): Json => {
    // \sum_{k=lo}^{hi} body — the body is the product that follows (`\sum_k a_k + 1` adds 1 after).
    expectCh('_');
    expectCh('{');
    const idx = peek();
    if (idx?.t !== 'let') throw new Fail('index');
    i++;
    expectCh('=');
    const lo = sum();
    expectCh('}');
    expectCh('^');
    const hi = group();
    const body = term();
    return [head, body, ['Tuple', idx.v, lo, hi]];
  };

  const primary = (): Json => {
    enter();
    try {
      const t = peek();
      if (!t) throw new Fail('end');
      i++;
      if (t.t === 'num') return Number(t.v);
      if (t.t === 'let') {
        if (t.v === 'i' && !iIsIndex && !isCh('_')) return 'ImaginaryUnit';
        if (t.v === 'e' && !isCh('_')) return 'ExponentialE';
        if (FUNCTION_LETTERS.has(t.v) && isCh('(')) throw new Fail('function');
        return symbolWithSubscript(t.v);
      }
      if (t.t === 'ch') {
        if (t.v === '(' || t.v === '[') { const v = sum(); expectCh(t.v === '(' ? ')' : ']'); return v; }
        if (t.v === '{') { const v = sum(); expectCh('}'); return v; }
        if (t.v === '|') { absDepth++; const v = sum(); absDepth--; expectCh('|'); return ['Abs', v]; }
        throw new Fail(t.v);
      }
      // Commands.
      const c = t.v;
      if (c === 'pi') return 'Pi';
      if (c === 'infty') return 'PositiveInfinity';
      if (GREEK.has(c)) {
        if (isCh('(') && /^[A-Z]/.test(c)) throw new Fail('function'); // \Gamma(a), \Phi(x)
        return symbolWithSubscript(c);
      }
      if (c === 'frac') { const a = group(); const b = group(); return ['Divide', a, b]; }
      if (c === 'sqrt') {
        if (isCh('[')) { i++; const k = sum(); expectCh(']'); return ['Root', group(), k]; }
        return ['Sqrt', group()];
      }
      if (c === 'lfloor' || c === 'lceil') {
        const v = sum();
        if (!isCmd(c === 'lfloor' ? 'rfloor' : 'rceil')) throw new Fail(c);
        i++;
        return [c === 'lfloor' ? 'Floor' : 'Ceil', v];
      }
      if (c === 'sum' || c === 'prod') return bigOp(c === 'sum' ? 'Sum' : 'Product');
      const f = FUNCS[c];
      if (f) {
        let base: Json | undefined;
        if (c === 'log' && isCh('_')) { i++; base = group(); }
        let pow: Json | undefined;
        if (isCh('^')) { i++; pow = exponent(); }
        const arg = funcArg();
        const app: Json = base !== undefined ? ['Log', arg, base] : [f, arg];
        if (pow === undefined) return app;
        // \sin^{-1} x is arcsin, not 1/sin: leave it to compute-engine.
        if (typeof pow === 'number' && pow < 0) throw new Fail('inverse');
        return ['Power', app, pow];
      }
      throw new Fail(c);
    } finally {
      depth--;
    }
  };

  try {
    const v = sum();
    return i === toks.length ? v : null;
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return null;
    throw e;
  }
}

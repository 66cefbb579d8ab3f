/**
 * Fast path for constant LaTeX (`3\sqrt{13}`, `\frac{14}{3}`, `2^{10}`, `\frac{9}{4}\pi`): a small
 * recursive-descent evaluator that skips the CAS for the commonest answers. Anything outside
 * its grammar (variables, functions, relations) returns null and goes to the CAS.
 *
 * expr   := term (('+' | '-') term)*
 * term   := unary (('\cdot' | '\times' | '*' | '/' | implicit) unary)*
 * unary  := ('-' | '+')* power
 * power  := atom ('^' atom)?
 * atom   := number | '\pi' | '{' expr '}' | '(' expr ')' | '\frac' atom atom | '\sqrt' ('[' expr ']')? atom
 */
const MAX_LEN = 200;

class Fail extends Error {}

export function evaluateConstantLatex(src: string): number | null {
  if (src.length > MAX_LEN || /[a-zA-Z]/.test(src.replace(/\\(?:frac|sqrt|pi|cdot|times)(?![a-zA-Z])/g, ''))) return null;
  let i = 0;
  const s = src;
  const ws = (): void => { while (s[i] === ' ') i++; };
  const peek = (): string => { ws(); return s[i] ?? ''; };
  const take = (tok: string): boolean => {
    ws();
    if (!s.startsWith(tok, i)) return false;
    if (/[a-z]$/.test(tok) && /[a-zA-Z]/.test(s[i + tok.length] ?? '')) return false;
    i += tok.length;
    return true;
  };
  const expect = (tok: string): void => { if (!take(tok)) throw new Fail(tok); };
  let depth = 0;

  const atom = (): number => {
    if (++depth > 50) throw new Fail('depth');
    try {
      ws();
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(i, i + 40));
      if (m) { i += m[0].length; return Number(m[0]); }
      if (take('\\pi')) return Math.PI;
      if (take('{')) { const v = expr(); expect('}'); return v; }
      if (take('(')) { const v = expr(); expect(')'); return v; }
      if (take('\\frac')) {
        const num = fracArg();
        const den = fracArg();
        return num / den;
      }
      if (take('\\sqrt')) {
        let k = 2;
        if (take('[')) { k = expr(); expect(']'); }
        const x = atom();
        return k === 2 ? Math.sqrt(x) : x < 0 && k % 2 === 1 ? -Math.pow(-x, 1 / k) : Math.pow(x, 1 / k);
      }
      throw new Fail(`atom at ${i}`);
    } finally {
      depth--;
    }
  };
  // `\frac12`: a bare argument is a single digit.
  const fracArg = (): number => {
    ws();
    if (/\d/.test(s[i] ?? '')) return Number(s[i++]);
    return atom();
  };
  const power = (): number => {
    const base = atom();
    if (!take('^')) return base;
    ws();
    if (/\d\d/.test(s.slice(i, i + 2))) throw new Fail('ambiguous x^10'); // TeX reads 2^10 as 2^1·0; leave it to the CAS
    const e = /\d/.test(s[i] ?? '') ? Number(s[i++]) : atom();
    return Math.pow(base, e);
  };
  const unary = (): number => {
    if (take('-')) return -unary();
    if (take('+')) return unary();
    return power();
  };
  const term = (): number => {
    let v = unary();
    for (;;) {
      if (take('\\cdot') || take('\\times') || take('*')) v *= unary();
      else if (take('/')) v /= unary();
      else if (/[\d\\({.]/.test(peek()) && !s.startsWith('\\right', i)) v *= power(); // implicit product: 3\sqrt{2}, 2\pi
      else return v;
    }
  };
  const expr = (): number => {
    let v = term();
    for (;;) {
      if (take('+')) v += term();
      else if (take('-')) v -= term();
      else return v;
    }
  };
  try {
    const v = expr();
    ws();
    return i === s.length ? v : null;
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return null;
    throw e;
  }
}

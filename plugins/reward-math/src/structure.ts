import { isSingleGroup, splitTopLevel } from './braces.js';
import { stripTrailingUnits } from './normalize.js';

/** An answer's shape, read from normalised text. Leaves (`expr`) are compared by value. */
export type Value =
  | { kind: 'expr'; latex: string; equation?: Relation }
  | { kind: 'text'; text: string }
  /** `(a, b, …)`: ordered. A two-item tuple also stands for the open interval (a, b). */
  | { kind: 'tuple'; items: Value[] }
  /** `fromRelation`: written as `a < x \le b` rather than in interval notation. */
  | { kind: 'interval'; lo: Value; hi: Value; loClosed: boolean; hiClosed: boolean; fromRelation?: boolean }
  /** `\{a, b\}` or a bare list `a, b`: unordered. */
  | { kind: 'set'; items: Value[] }
  /** `fromRelation`: written as an inequality (`1 < |x| < 3`) rather than as a union. */
  | { kind: 'union'; items: Value[]; fromRelation?: boolean }
  | { kind: 'matrix'; rows: Value[][] }
  | Relation;

export interface Relation {
  kind: 'relation';
  /** Normalised so that only `=`, `<`, `<=`, `!=` remain (`a > b` is stored as `b < a`). */
  op: '=' | '<' | '<=' | '!=';
  lhs: string;
  rhs: string;
}

const MAX_DEPTH = 8;
/** A lone variable (`x`, `x_1`, `\theta`, `f(x)`) or a tuple of them (`(p, q)`): an answer label. */
const SIMPLE_VAR = /^\|?(?:[a-zA-Z]{1,3}|\\[a-zA-Z]+)(?:_\{?\w+\}?)?(?:\s*\(\s*[a-zA-Z]\s*\))?\|?$/;
export function isLabel(s: string): boolean {
  const t = s.trim();
  if (SIMPLE_VAR.test(t)) return true;
  if (/^\(.*\)$/.test(t)) return splitTopLevel(t.slice(1, -1), ',').every((p) => SIMPLE_VAR.test(p.trim()));
  return false;
}

/** One name: `AB`, `V_a`, `S_{\triangle ABC}`, `\angle BAC`, `|AB|`, `\overline{PQ}`, `P(A)`, `\theta_1`. */
const NAME_ATOM = String.raw`(?:\\(?:angle|measuredangle|triangle|overline|widehat|hat|vec|bar|arc)\s*)?\{?(?:[A-Za-z]{1,6}|\\[a-zA-Z]+)\}?(?:\s*_\s*(?:\{[^{}]{1,24}\}|[A-Za-z0-9]))?(?:\s*\(\s*[A-Za-z]{1,3}\s*\))?`;
const NAME = new RegExp(String.raw`^(?:\|\s*${NAME_ATOM}\s*\||${NAME_ATOM})$`);
const NAME_RATIO = new RegExp(String.raw`^(?:${NAME_ATOM})\s*[:/]\s*(?:${NAME_ATOM})$`);
const NAME_FRAC = new RegExp(String.raw`^\\frac\s*\{\s*(?:${NAME_ATOM})\s*\}\s*\{\s*(?:${NAME_ATOM})\s*\}$`);
/** Commands that are values or operators, never names. */
const NOT_NAMES = /\\(?:frac|sqrt|pi|infty|sum|prod|int|lim|sin|cos|tan|log|ln|exp|cdot|times|le|ge|ne|pm|mp)\b/;

/**
 * The left side of `=` only names the value (compare the right side): a name, a ratio of names
 * or a subscripted symbol. Not an expression in the answer's variables (`2x`, `x+z`, `x^2+y^2`).
 */
export function isName(s: string): boolean {
  const t = s.trim();
  if (t.length > 60 || NOT_NAMES.test(t.replace(/^\\frac/, ''))) return isLabel(t);
  return isLabel(t) || NAME.test(t) || NAME_RATIO.test(t) || NAME_FRAC.test(t);
}

/** A top-level ratio `a:b` of two values: their quotient (`5:9` ≡ `10:18`), null when it is not one. */
function ratio(s: string): string | null {
  const parts = splitTopLevel(s, ':');
  if (parts.length !== 2) return null;
  const [a, b] = [parts[0]!.trim(), parts[1]!.trim()];
  if (!a || !b || /[=<>]|\\[lg]e\b/.test(s)) return null;
  // Clock times and zero parts (`12:00`) are not ratios.
  if (/^0+$/.test(b) || /^0+$/.test(a)) return null;
  return `\\frac{${a}}{${b}}`;
}

/**
 * `|x|`, `|x-1|`, `|2x+3|`, `|t+\frac12|`: the variable and the centre of an absolute value of a
 * linear expression in one variable, with the width unit (`|2x-1| < 3` ⇔ `|x - 1/2| < 3/2`); null otherwise.
 */
export function absCenter(s: string): { v: string; center: string; scale: string } | null {
  const m = /^\|\s*(.+?)\s*\|$/.exec(s.trim());
  if (!m || m[1]!.includes('|')) return null;
  const inner = m[1]!;
  const VAR = String.raw`([A-Za-z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)`;
  const COEF = String.raw`(\d+(?:\.\d+)?)?\s*`;
  let k = new RegExp(`^${COEF}${VAR}$`).exec(inner);
  if (k) return { v: k[2]!, center: '0', scale: k[1] ?? '1' };
  k = new RegExp(String.raw`^${COEF}${VAR}\s*([+-])\s*([^A-Za-z]+)$`).exec(inner); // x - 1, 2x + \frac12
  if (k) {
    const a = k[1] ?? '1';
    return { v: k[2]!, center: k[3] === '-' ? `(${k[4]!})/(${a})` : `-(${k[4]!})/(${a})`, scale: a };
  }
  k = new RegExp(String.raw`^([^A-Za-z]+?)\s*-\s*${COEF}${VAR}$`).exec(inner); // 2 - x
  if (k) { const a = k[2] ?? '1'; return { v: k[3]!, center: `(${k[1]!})/(${a})`, scale: a }; }
  return null;
}

const ex = (latex: string): Value => ({ kind: 'expr', latex });

/** `a < |x - c| < b` → `(c-b, c-a) ∪ (c+a, c+b)` (ends closed where the inequality is ≤). */
function absChain(center: string, a0: string, b0: string, loClosed: boolean, hiClosed: boolean, scale = '1'): Value {
  const a = `(${a0})/(${scale})`;
  const b = `(${b0})/(${scale})`;
  return {
    kind: 'union',
    fromRelation: true,
    items: [
      { kind: 'interval', lo: ex(`(${center})-(${b})`), hi: ex(`(${center})-(${a})`), loClosed: hiClosed, hiClosed: loClosed, fromRelation: true },
      { kind: 'interval', lo: ex(`(${center})+(${a})`), hi: ex(`(${center})+(${b})`), loClosed, hiClosed, fromRelation: true },
    ],
  };
}

/**
 * The set a one-variable relation describes: `x < 2` → `(-\infty, 2)`, `|x-1| \le 2` → `[-1, 3]`,
 * `3 < |y|` → `(-\infty,-3) ∪ (3,\infty)`. Null when it is not one.
 */
export function relationSet(r: Relation): Value | null {
  if (r.op !== '<' && r.op !== '<=') return null;
  const closed = r.op === '<=';
  const L = absCenter(r.lhs);
  if (L) return { kind: 'interval', lo: ex(`(${L.center})-(${r.rhs})/(${L.scale})`), hi: ex(`(${L.center})+(${r.rhs})/(${L.scale})`), loClosed: closed, hiClosed: closed, fromRelation: true };
  const R0 = absCenter(r.rhs);
  const R = R0 && { ...R0, lhs: `(${r.lhs})/(${R0.scale})` };
  if (R) {
    return {
      kind: 'union',
      fromRelation: true,
      items: [
        { kind: 'interval', lo: ex('-\\infty'), hi: ex(`(${R.center})-${R.lhs}`), loClosed: false, hiClosed: closed, fromRelation: true },
        { kind: 'interval', lo: ex(`(${R.center})+${R.lhs}`), hi: ex('\\infty'), loClosed: closed, hiClosed: false, fromRelation: true },
      ],
    };
  }
  if (isLabel(r.lhs)) return { kind: 'interval', lo: ex('-\\infty'), hi: ex(r.rhs), loClosed: false, hiClosed: closed, fromRelation: true };
  if (isLabel(r.rhs)) return { kind: 'interval', lo: ex(r.lhs), hi: ex('\\infty'), loClosed: closed, hiClosed: false, fromRelation: true };
  return null;
}

const MATRIX_RE = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/;

function parseMatrix(body: string, depth: number): Value {
  const rows = splitTopLevel(body, '\\\\')
    .map((r) => r.trim())
    .filter((r) => r.length > 0 && r !== '\\hline');
  return { kind: 'matrix', rows: rows.map((r) => splitTopLevel(r, '&').map((c) => parseValue(c, depth + 1))) };
}

const REL_OPS: Array<[RegExp, Relation['op'], boolean]> = [
  [/\\le\b/, '<=', false],
  [/\\ge\b/, '<=', true],
  [/\\ne\b/, '!=', false],
  [/</, '<', false],
  [/>/, '<', true],
];

/** Finds the first top-level relation operator other than `=`. */
function splitInequality(s: string): { parts: string[]; ops: Array<{ op: Relation['op']; flip: boolean }> } | null {
  const tokens = s.split(/(\\le\b|\\ge\b|\\ne\b|<|>)/);
  if (tokens.length < 3) return null;
  const parts: string[] = [];
  const ops: Array<{ op: Relation['op']; flip: boolean }> = [];
  for (let i = 0; i < tokens.length; i++) {
    if (i % 2 === 0) parts.push(tokens[i]!.trim());
    else {
      const def = REL_OPS.find(([re]) => re.test(tokens[i]!));
      if (!def) return null;
      ops.push({ op: def[1], flip: def[2] });
    }
  }
  // Brackets must balance inside each part, or the operator was not top-level.
  if (!parts.every((p) => balanced(p))) return null;
  return { parts, ops };
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(' || c === '[' || c === '{') d++;
    else if (c === ')' || c === ']' || c === '}') d--;
  }
  return d === 0;
}

function relation(lhs: string, op: Relation['op'], flip: boolean, rhs: string): Relation {
  return flip ? { kind: 'relation', op, lhs: rhs, rhs: lhs } : { kind: 'relation', op, lhs, rhs };
}

/** Parses normalised answer text into a Value tree. Never throws. */
export function parseValue(input: string, depth = 0): Value {
  let s = stripTrailingUnits(input.trim());
  if (depth > MAX_DEPTH) return { kind: 'text', text: s };
  s = s.replace(/^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?\s*\\in\s*/, ''); // `x \in [0, 1)`
  if (s === '\\emptyset' || s === '\\{\\}' || s === '\\{ \\}') return { kind: 'set', items: [] };

  const matrix = MATRIX_RE.exec(s) ?? MATRIX_RE.exec(s.replace(/^[([]\s*([\s\S]*?)\s*[)\]]$/, '$1'));
  if (matrix) return parseMatrix(matrix[2] ?? '', depth);

  const unionParts = splitTopLevel(s, '\\cup');
  if (unionParts.length > 1) return { kind: 'union', items: unionParts.map((p) => parseValue(p, depth + 1)) };

  // Several answers: `1, 2` or `x = 1, y = 2` (bare lists are unordered).
  const commaParts = splitTopLevel(s, ',');
  if (commaParts.length > 1 && commaParts.every((p) => p.trim().length > 0)) {
    return { kind: 'set', items: commaParts.map((p) => parseValue(p, depth + 1)) };
  }

  const approx = splitTopLevel(s, '\\approx');
  if (approx.length > 1) return parseValue(isLabel(approx[0]!) ? approx[1]! : approx[0]!, depth + 1);

  const eqParts = splitTopLevel(s, '=');
  if (eqParts.length > 2) return parseValue(eqParts.at(-1)!, depth + 1);
  if (eqParts.length === 2) {
    const [lhs, rhs] = [eqParts[0]!.trim(), eqParts[1]!.trim()];
    if (isName(lhs)) {
      const v = parseValue(rhs, depth + 1);
      return v.kind === 'expr' ? { ...v, equation: { kind: 'relation', op: '=', lhs, rhs } } : v;
    }
    // `\frac{1}{2} = \frac{10}{9}`-style chains of numbers: the last value is the answer.
    if (!/[a-zA-Z]/.test(lhs.replace(/\\[a-zA-Z]+/g, '')) && !/[a-zA-Z]/.test(rhs.replace(/\\[a-zA-Z]+/g, ''))) return parseValue(rhs, depth + 1);
    return { kind: 'relation', op: '=', lhs, rhs };
  }

  const q = ratio(s);
  if (q !== null) return { kind: 'expr', latex: q };

  const ineq = splitInequality(s);
  if (ineq) {
    const [p0 = '', p1 = '', p2 = ''] = ineq.parts;
    const [o0 = { op: '<' as const, flip: false }, o1 = o0] = ineq.ops;
    if (ineq.parts.length === 2) return relation(p0, o0.op, o0.flip, p1);
    // `a < x <= b` is an interval.
    const abs = ineq.parts.length === 3 && ineq.ops.every((o) => !o.flip && o.op !== '!=') ? absCenter(p1) : null;
    if (abs) return absChain(abs.center, p0, p2, o0.op === '<=', o1.op === '<=', abs.scale);
    if (ineq.parts.length === 3 && isLabel(p1) && ineq.ops.every((o) => !o.flip && o.op !== '!=')) {
      return {
        kind: 'interval',
        lo: parseValue(p0, depth + 1),
        hi: parseValue(p2, depth + 1),
        loClosed: o0.op === '<=',
        hiClosed: o1.op === '<=',
        fromRelation: true,
      };
    }
  }

  // `a \pm b` is the two-element set {a + b, a - b}.
  const [pmA, pmB, ...pmRest] = s.split(/\\pm|\\mp|±/);
  if (pmB !== undefined && pmRest.length === 0 && balanced(pmA!) && balanced(pmB)) {
    const a = pmA!.trim();
    const b = pmB.trim();
    const items: Value[] = a
      ? [{ kind: 'expr', latex: `${a}+(${b})` }, { kind: 'expr', latex: `${a}-(${b})` }]
      : [{ kind: 'expr', latex: b }, { kind: 'expr', latex: `-(${b})` }];
    return { kind: 'set', items };
  }

  if (s.startsWith('\\{') && s.endsWith('\\}')) {
    const inner = s.slice(2, -2).trim();
    return { kind: 'set', items: inner ? splitTopLevel(inner, ',').map((p) => parseValue(p, depth + 1)) : [] };
  }
  if (s.length >= 2 && isSingleGroup(s)) {
    const open = s[0];
    const close = s[s.length - 1];
    const inner = s.slice(1, -1);
    if ((open === '(' || open === '[') && (close === ')' || close === ']')) {
      const parts = splitTopLevel(inner, ',');
      if (parts.length === 2 && (open === '[' || close === ']')) {
        return { kind: 'interval', lo: parseValue(parts[0]!, depth + 1), hi: parseValue(parts[1]!, depth + 1), loClosed: open === '[', hiClosed: close === ']' };
      }
      if (parts.length >= 2) return { kind: 'tuple', items: parts.map((p) => parseValue(p, depth + 1)) };
      return parseValue(inner, depth + 1);
    }
    if (open === '{' && close === '}') {
      const parts = splitTopLevel(inner, ',');
      return parts.length > 1 ? { kind: 'set', items: parts.map((p) => parseValue(p, depth + 1)) } : parseValue(inner, depth + 1);
    }
  }

  // Words (names, yes/no, multiple-choice letters in prose) compare as text.
  if (/^[A-Za-z][A-Za-z\s'’.-]*$/.test(s) && (s.includes(' ') || s.length >= 4)) return { kind: 'text', text: s };
  return { kind: 'expr', latex: s };
}

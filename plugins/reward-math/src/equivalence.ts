import { createRng } from '@reasoner/core';
import { CALL_BUDGET_MS, complexClose, complexConstantsEqual, differenceSimplifiesToZero, parseLatex, sameCanonical, tryEvaluate, withBudget, type CasExpr } from './cas.js';
import { normalizeAnswer } from './normalize.js';
import { closeTo, parsePlainNumber } from './numbers.js';
import { evaluateConstantLatex } from './numeric-latex.js';
import { isLabel, parseValue, relationSet, type Relation, type Value } from './structure.js';

export interface EquivalenceOptions {
  /** Relative tolerance for numeric comparison (default 1e-6). */
  tolerance?: number;
  /** Seed of the RNG that picks the random evaluation points (default 20241). */
  seed?: number;
  /** Number of random points for symbolic comparison (default 5). */
  points?: number;
  /** Inputs longer than this compare as trimmed strings only (default 10 000). */
  maxChars?: number;
  /**
   * A one-variable inequality equals the interval it describes (`x < 2` ≡ `(-\infty, 2)`,
   * `1 < x \le 3` ≡ `(1, 3]`). Default true; Math-Verify's default is false.
   */
  allowSetRelation?: boolean;
}

export interface Ctx {
  tol: number;
  seed: number;
  points: number;
  /** Either side carried a percent sign: n and n/100 are both accepted. */
  percent: boolean;
  allowSetRelation: boolean;
}

const DEFAULTS = { tolerance: 1e-6, seed: 20241, points: 5, maxChars: 10_000, allowSetRelation: true };

/** Values of each variable at each point; deterministic for a seed and a variable name. */
function pointsFor(vars: string[], ctx: Ctx, ints: string[] = []): Array<Record<string, number>> {
  const envs: Array<Record<string, number>> = [];
  const rng = createRng(ctx.seed);
  for (let k = 0; k < ctx.points; k++) {
    const env: Record<string, number> = {};
    for (const v of vars) {
      const u = rng.fork(`${v}#${k}`).next();
      // Summation bounds and subscripts take integers (3..10); everything else positive reals (keeps sqrt/log defined).
      env[v] = ints.includes(v) ? 3 + Math.floor(8 * u) : 0.5 + 2 * u;
    }
    env.ImaginaryUnit ??= 0.5 + 2 * rng.fork(`ImaginaryUnit#${k}`).next();
    envs.push(env);
  }
  return envs;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** Overflowed or underflowed values (`x^{1000000}`) say nothing about equality. */
function usable(v: number): boolean {
  const m = Math.abs(v);
  return Number.isFinite(v) && m < 1e250 && (m === 0 || m > 1e-250);
}

/** Random-point comparison: true / false, or undefined when no point evaluates on both sides. */
function numericallyEqual(a: CasExpr, b: CasExpr, ctx: Ctx): boolean | undefined {
  const scale = ctx.percent && a.vars.length === 0 && b.vars.length === 0;
  let agree = 0;
  for (const env of pointsFor(union(a.vars, b.vars), ctx, union(a.intVars, b.intVars))) {
    const x = tryEvaluate(a.json, env);
    const y = tryEvaluate(b.json, env);
    if (!usable(x) || !usable(y)) continue;
    // Both exactly 0 at a point may be underflow (`x^{1000000}` at x < 1): not evidence.
    if (x === 0 && y === 0 && (a.vars.length > 0 || b.vars.length > 0)) continue;
    if (closeTo(x, y, ctx.tol) || (scale && (closeTo(x, y / 100, ctx.tol) || closeTo(x / 100, y, ctx.tol)))) agree++;
    else return false;
  }
  return agree > 0 ? true : undefined;
}

const WORD = /^[A-Za-z]{3,}$/;
const INTEGER = /^-?\d{1,300}$/;

function finiteOrNull(v: number | null): number | null {
  return v !== null && usable(v) ? v : null;
}

function leafEqual(a: string, b: string, ctx: Ctx): boolean {
  if (a === b || a.replace(/\s+/g, '') === b.replace(/\s+/g, '')) return true;
  // Words (`yes`, `odd`) compare as text, not as products of variables.
  if (WORD.test(a) || WORD.test(b) || (/^[A-Za-z]+$/.test(a) && a.toLowerCase() === b.toLowerCase())) return a.toLowerCase() === b.toLowerCase();
  // Constants without the CAS; a non-finite value (overflow) is left to the CAS path.
  // Two integers are equal only when they are the same integer (22345600 ≢ 22345601, whatever the tolerance).
  if (INTEGER.test(a) && INTEGER.test(b) && !ctx.percent) return BigInt(a) === BigInt(b);
  const x = parsePlainNumber(a) ?? finiteOrNull(evaluateConstantLatex(a));
  const y = parsePlainNumber(b) ?? finiteOrNull(evaluateConstantLatex(b));
  if (x !== null && y !== null) {
    return closeTo(x, y, ctx.tol) || (ctx.percent && (closeTo(x, y / 100, ctx.tol) || closeTo(x / 100, y, ctx.tol)));
  }
  const pa = parseLatex(a);
  const pb = parseLatex(b);
  // An unparseable side never equals anything but itself (compute-engine would call two errors equal).
  if (pa.json === null || pb.json === null) return false;
  if (sameCanonical(pa, pb)) return true;
  if (pa.complex || pb.complex) {
    const fast = pa.vars.length === 0 && pb.vars.length === 0 ? complexClose(pa.json, pb.json, ctx.tol) : undefined;
    if (fast !== undefined) return fast;
    const c = complexConstantsEqual(pa, pb);
    if (c !== undefined) return c;
  }
  const numeric = numericallyEqual(pa, pb, ctx);
  if (numeric !== undefined) return numeric;
  return differenceSimplifiesToZero(pa, pb) ?? false;
}

/** `lhs - rhs` of each relation must be proportional (positive factor for inequalities). */
function relationsEqual(r: Relation, s: Relation, ctx: Ctx): boolean {
  if (r.op !== s.op) return false;
  const same = (a: string, b: string): boolean => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
  if (same(r.lhs, s.lhs) && same(r.rhs, s.rhs)) return true;
  if ((r.op === '=' || r.op === '!=') && same(r.lhs, s.rhs) && same(r.rhs, s.lhs)) return true;
  const d1 = parseLatex(`(${r.lhs})-(${r.rhs})`);
  const d2 = parseLatex(`(${s.lhs})-(${s.rhs})`);
  if (d1.json === null || d2.json === null) return false;
  let ratio: number | undefined;
  for (const env of pointsFor(union(d1.vars, d2.vars), ctx, union(d1.intVars, d2.intVars))) {
    const x = tryEvaluate(d1.json, env);
    const y = tryEvaluate(d2.json, env);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(y) < 1e-12 || Math.abs(x) < 1e-12) {
      if (Math.abs(x) < 1e-12 && Math.abs(y) < 1e-12) continue;
      return false;
    }
    const q = x / y;
    if (ratio === undefined) ratio = q;
    else if (!closeTo(ratio, q, Math.max(ctx.tol, 1e-9))) return false;
  }
  if (ratio === undefined) return false;
  return r.op === '<' || r.op === '<=' ? ratio > 0 : true;
}

/** Largest list matched without regard to order; longer lists must match in order. */
const MAX_UNORDERED = 32;

/**
 * Size of a maximum matching between two lists under `valuesEqual` (Kuhn's augmenting paths over
 * a memoised equality matrix) — polynomial even for lists full of duplicates, where plain
 * backtracking is factorial.
 */
export function maxMatching(a: Value[], b: Value[], ctx: Ctx): number {
  const memo = new Map<number, boolean>();
  const eq = (i: number, j: number): boolean => {
    const key = i * b.length + j;
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = valuesEqual(a[i]!, b[j]!, ctx)));
    return v;
  };
  const owner = new Array<number>(b.length).fill(-1); // owner[j] = index in a matched to b[j]
  const augment = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < b.length; j++) {
      if (seen[j] || !eq(i, j)) continue;
      seen[j] = true;
      if (owner[j] === -1 || augment(owner[j]!, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let i = 0; i < a.length; i++) if (augment(i, new Array<boolean>(b.length).fill(false))) size++;
  return size;
}

/** Unordered equality of two lists (ordered beyond MAX_UNORDERED items, to bound the work). */
function sameMultiset(a: Value[], b: Value[], ctx: Ctx): boolean {
  if (a.length !== b.length) {
    // Sets ignore repeats (`(3,17,3,7)` listed twice is one solution), as Math-Verify's FiniteSet does.
    if (a.length > MAX_UNORDERED || b.length > MAX_UNORDERED) return false;
    const da = distinct(a, ctx);
    const db = distinct(b, ctx);
    return da.length === db.length && maxMatching(da, db, ctx) === da.length;
  }
  if (a.length > MAX_UNORDERED) return sameList(a, b, ctx);
  return maxMatching(a, b, ctx) === a.length;
}

function distinct(items: Value[], ctx: Ctx): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.some((y) => valuesEqual(y, x, ctx))) out.push(x);
  return out;
}

function sameList(a: Value[], b: Value[], ctx: Ctx): boolean {
  return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!, ctx));
}

function textKey(s: string): string {
  return s.toLowerCase().replace(/^the\s+/, '').replace(/[\s.'’()]+/g, '');
}

function flattenMatrix(m: Value[][]): Value[] | null {
  if (m.length === 1) return m[0]!;
  if (m.every((r) => r.length === 1)) return m.map((r) => r[0]!);
  return null;
}

/** `x < 2` → `(-\infty, 2)`, `3 \le x` → `[3, \infty)`; null when neither side is a lone variable. */
function relationToInterval(r: Relation): Value | null {
  if (r.op !== '<' && r.op !== '<=') return null;
  const closed = r.op === '<=';
  if (isLabel(r.lhs)) return { kind: 'interval', lo: { kind: 'expr', latex: '-\\infty' }, hi: { kind: 'expr', latex: r.rhs }, loClosed: false, hiClosed: closed, fromRelation: true };
  if (isLabel(r.rhs)) return { kind: 'interval', lo: { kind: 'expr', latex: r.lhs }, hi: { kind: 'expr', latex: '\\infty' }, loClosed: closed, hiClosed: false, fromRelation: true };
  return null;
}

/** The interval a relation-ish value denotes, marked as plain interval notation; null if none. */
function asNotation(v: Value): Value | null {
  const i = v.kind === 'relation' ? relationSet(v) : v;
  return i && i.kind === 'interval' ? { ...i, fromRelation: false } : i;
}

/** Written as inequalities: a relation, an interval or union from one, or a list of them (`x<-2 or x>3`). */
function relationLike(v: Value): boolean {
  if (v.kind === 'relation') return true;
  if ((v.kind === 'interval' || v.kind === 'union') && v.fromRelation === true) return true;
  return v.kind === 'set' && v.items.length > 0 && v.items.every((x) => x.kind === 'relation' || ((x.kind === 'interval' || x.kind === 'union') && x.fromRelation === true));
}

/** The intervals (in interval notation) a value denotes as a subset of the line; null when it is not one. */
function intervalSet(v: Value, depth = 0): Value[] | null {
  if (depth > 4) return null;
  switch (v.kind) {
    case 'interval': return [{ ...v, fromRelation: false }];
    case 'tuple': return v.items.length === 2 ? [{ kind: 'interval', lo: v.items[0]!, hi: v.items[1]!, loClosed: false, hiClosed: false }] : null;
    case 'relation': { const r = relationSet(v); return r ? intervalSet(r, depth + 1) : null; }
    case 'union': case 'set': {
      if (v.kind === 'set' && !relationLike(v)) return null;
      const out: Value[] = [];
      for (const x of v.items) {
        const s = intervalSet(x, depth + 1);
        if (!s) return null;
        out.push(...s);
      }
      return out;
    }
    default: return null;
  }
}

export function valuesEqual(g: Value, p: Value, ctx: Ctx): boolean {
  // Inequalities against interval notation (`2\le|t|\le3` vs `[-3,-2]\cup[2,3]`): the sets they describe.
  const gLike = relationLike(g);
  if (gLike !== relationLike(p) && [g.kind, p.kind].some((k) => k === 'interval' || k === 'union')) {
    if (!ctx.allowSetRelation) return false;
    const a = intervalSet(g);
    const b = intervalSet(p);
    return a !== null && b !== null && sameMultiset(a, b, ctx);
  }
  // Interval notation against an inequality (`(-\infty, 2)` vs `x < 2`): only when allowed.
  const gRel = g.kind === 'relation' || (g.kind === 'interval' && g.fromRelation === true);
  const pRel = p.kind === 'relation' || (p.kind === 'interval' && p.fromRelation === true);
  if (gRel !== pRel && [g.kind, p.kind].some((k) => k === 'interval' || k === 'tuple')) {
    const gi = ctx.allowSetRelation ? asNotation(g) : null;
    const pi = ctx.allowSetRelation ? asNotation(p) : null;
    return gi !== null && pi !== null && valuesEqual(gi, pi, ctx);
  }
  switch (g.kind) {
    case 'expr':
      if (p.kind === 'expr') return leafEqual(g.latex, p.latex, ctx);
      if (p.kind === 'text') return textKey(g.latex) === textKey(p.text);
      if (p.kind === 'relation' && g.equation) return relationsEqual(g.equation, p, ctx);
      // A list of answers that all equal the gold (`15\frac{39}{40}, or \frac{639}{40}`) is that answer.
      if (p.kind === 'set' && p.items.length > 0) return p.items.every((x) => valuesEqual(g, x, ctx));
      return false;
    case 'text':
      if (p.kind === 'text') return textKey(g.text) === textKey(p.text);
      if (p.kind === 'expr') return textKey(g.text) === textKey(p.latex);
      return false;
    case 'tuple':
      if (p.kind === 'tuple') return sameList(g.items, p.items, ctx);
      // A brace pair or bare list against a tuple gold is read as that tuple, in the written order (as Math-Verify does).
      if (p.kind === 'set') return sameList(g.items, p.items, ctx);
      if (p.kind === 'interval') return g.items.length === 2 && !p.loClosed && !p.hiClosed && valuesEqual(g.items[0]!, p.lo, ctx) && valuesEqual(g.items[1]!, p.hi, ctx);
      if (p.kind === 'matrix') { const flat = flattenMatrix(p.rows); return flat !== null && sameList(g.items, flat, ctx); }
      return false;
    case 'interval':
      if (p.kind === 'tuple') return valuesEqual(p, g, ctx);
      return p.kind === 'interval' && g.loClosed === p.loClosed && g.hiClosed === p.hiClosed && valuesEqual(g.lo, p.lo, ctx) && valuesEqual(g.hi, p.hi, ctx);
    case 'set':
      if (p.kind === 'set') return sameMultiset(g.items, p.items, ctx);
      // A tuple against a set gold: the same elements (Math-Verify compares them unordered).
      if (p.kind === 'tuple' && g.items.length > 1) return sameMultiset(g.items, p.items, ctx);
      if (g.items.length === 1) return valuesEqual(g.items[0]!, p, ctx);
      return false;
    case 'union':
      if (p.kind === 'union') return sameMultiset(g.items, p.items, ctx);
      return false;
    case 'matrix':
      if (p.kind === 'matrix') return g.rows.length === p.rows.length && g.rows.every((r, i) => sameList(r, p.rows[i]!, ctx));
      if (p.kind === 'tuple') return valuesEqual(p, g, ctx);
      return false;
    case 'relation':
      if (p.kind === 'relation') return relationsEqual(g, p, ctx);
      if (p.kind === 'expr' && p.equation) return relationsEqual(g, p.equation, ctx);
      return false;
  }
}

/** Both answers normalised and parsed, with the comparison context; null when either is empty or too long. */
export function prepare(gold: string, pred: string, options: EquivalenceOptions): { g: Value; p: Value; same: boolean; ctx: Ctx } | null {
  const g = normalizeAnswer(gold);
  const p = normalizeAnswer(pred);
  if (g.text === '' || p.text === '') return null;
  const ctx: Ctx = {
    tol: options.tolerance ?? DEFAULTS.tolerance,
    seed: options.seed ?? DEFAULTS.seed,
    points: options.points ?? DEFAULTS.points,
    percent: g.percent || p.percent,
    allowSetRelation: options.allowSetRelation ?? DEFAULTS.allowSetRelation,
  };
  return { g: parseValue(g.text), p: parseValue(p.text), same: g.text === p.text, ctx };
}

/**
 * Are two final answers (already extracted: bare LaTeX or plain text) the same mathematical
 * object? Numbers within a relative tolerance, expressions by random-point evaluation and
 * symbolic simplification, intervals, sets, tuples, matrices, equations and inequalities by
 * structure. Never throws; anything it cannot read compares as normalised text.
 */
export function isEquivalent(gold: string, pred: string, options: EquivalenceOptions = {}): boolean {
  return withBudget(CALL_BUDGET_MS, () => isEquivalentUnbudgeted(gold, pred, options));
}

function isEquivalentUnbudgeted(gold: string, pred: string, options: EquivalenceOptions): boolean {
  try {
    if (typeof gold !== 'string' || typeof pred !== 'string') return false;
    const maxChars = options.maxChars ?? DEFAULTS.maxChars;
    if (gold.length > maxChars || pred.length > maxChars) return gold.trim() === pred.trim();
    const prepared = prepare(gold, pred, options);
    if (!prepared) return false;
    return prepared.same || valuesEqual(prepared.g, prepared.p, prepared.ctx);
  } catch {
    return false;
  }
}

import { parseLatexFast } from './latex-parse.js';
import { bootCas, casRequest as rawRequest, ensureCasBooted, type CasRequest } from './cas-worker.js';

/**
 * The CAS layer: LaTeX → MathJSON with @cortex-js/compute-engine (in a worker thread with a hard
 * time limit; parses cached), a small numeric evaluator of our own over that MathJSON (fast, and
 * with no way to hang on `9^{9^{9^9}}`), and compute-engine's `simplify` of the difference as the
 * symbolic check.
 */

type Json = unknown;

export interface CasExpr {
  /** The LaTeX that was parsed (what the worker re-parses for symbolic checks). */
  latex: string;
  /** Canonical MathJSON, or null when compute-engine could not parse the input (or ran out of time). */
  json: Json | null;
  /** Free variables (sorted). */
  vars: string[];
  /** Variables used as summation bounds or subscripts: evaluated at integers. */
  intVars: string[];
  /** Rough size of the tree, for deciding whether symbolic work is affordable. */
  size: number;
  /** The tree holds a huge power or factorial: never hand it to `simplify`. */
  explosive: boolean;
  /** The tree holds the imaginary unit (our evaluator is real-only). */
  complex: boolean;
}

/** Longest leaf we let the CAS parse; longer answers compare as strings. */
export const MAX_CAS_CHARS = 400;
/** Largest tree `simplify` may see (its cost grows fast with size). */
const MAX_SIMPLIFY_SIZE = 60;
const CACHE_LIMIT = 5000;

/**
 * Wall-time budget of one public call (verify, isEquivalent, partialCredit, score): every CAS
 * request gets what is left of it, and none is made once it is spent.
 */
export const CALL_BUDGET_MS = 70;
let deadline = Infinity;

/** Runs `f` under a time budget (nested calls share the outermost budget). */
export function withBudget<T>(ms: number, f: () => T): T {
  if (deadline !== Infinity) return f();
  deadline = performance.now() + ms;
  try {
    return f();
  } finally {
    deadline = Infinity;
  }
}

/** A CAS request with what is left of the budget; the engine's one-off start-up is not charged to it. */
function casRequest(req: CasRequest): unknown {
  const waited = ensureCasBooted();
  if (waited > 0 && deadline !== Infinity) deadline += waited;
  return rawRequest(req, timeLeft());
}

/** Milliseconds left in the current budget (a generous default outside of one). */
export function timeLeft(): number {
  return deadline === Infinity ? CALL_BUDGET_MS : deadline - performance.now();
}

const CONSTANTS = new Set(['Pi', 'ExponentialE', 'PositiveInfinity', 'NegativeInfinity', 'NaN', 'ComplexInfinity', 'Half', 'Nothing', 'True', 'False']);
const cache = new Map<string, CasExpr>();

function scan(json: Json, vars: Set<string>, acc: { size: number; explosive: boolean; complex: boolean; ints: Set<string> }, intCtx = false): void {
  acc.size++;
  if (acc.size > 5000) return;
  if (typeof json === 'string') {
    if (json === 'ImaginaryUnit') acc.complex = true;
    else if (!json.startsWith("'") && !CONSTANTS.has(json)) {
      vars.add(json);
      if (intCtx) acc.ints.add(json);
    }
    return;
  }
  if (!Array.isArray(json)) return;
  const head = json[0];
  if (head === 'Complex') acc.complex = true;
  if (head === 'Power' || head === 'Root') {
    const e = json[2];
    // Nested powers or big literal exponents make exact arithmetic explode.
    if ((typeof e === 'number' && Math.abs(e) > 64) || (Array.isArray(e) && e[0] === 'Power') || (typeof e === 'object' && e !== null && !Array.isArray(e))) acc.explosive = true;
  }
  if (head === 'Factorial' && (typeof json[1] !== 'number' || json[1] > 50)) acc.explosive = true;
  // Bounds of sums/products and subscripts are integers: collect the variables in them.
  if ((head === 'Sum' || head === 'Product') && json.length >= 3) {
    scan(json[1], vars, acc, intCtx);
    for (let i = 2; i < json.length; i++) scan(json[i], vars, acc, true);
    return;
  }
  if (head === 'At' || head === 'Subscript') {
    scan(json[1], vars, acc, intCtx);
    for (let i = 2; i < json.length; i++) scan(json[i], vars, acc, true);
    return;
  }
  for (let i = 1; i < json.length; i++) scan(json[i], vars, acc, intCtx);
}

/** What compute-engine is given: `**` as `^`, one-character subscripts braced (it misreads `a_jb_{m-j}`). */
function ceLatex(latex: string): string {
  return latex.replace(/\*\*/g, '^').replace(/([A-Za-z])_([A-Za-z0-9])/g, '$1_{$2}');
}

function describe(latex: string, json: Json): CasExpr {
  const vars = new Set<string>();
  const acc = { size: 0, explosive: false, complex: false, ints: new Set<string>() };
  scan(json, vars, acc);
  return { latex, json, vars: [...vars].sort(), intVars: [...acc.ints].sort(), size: acc.size, explosive: acc.explosive || acc.size > 5000, complex: acc.complex };
}

/**
 * Parses a LaTeX leaf (cached): our own parser first (microseconds), compute-engine in its
 * worker for everything else. Invalid parses (and parses that ran out of time) come back with `json: null`. */
export function parseLatex(latex: string): CasExpr {
  const hit = cache.get(latex);
  if (hit) return hit;
  let result: CasExpr = { latex, json: null, vars: [], intVars: [], size: 0, explosive: false, complex: false };
  let cacheable = true;
  const fast = latex.length <= MAX_CAS_CHARS ? parseLatexFast(latex) : null;
  if (fast !== null) {
    result = describe(latex, fast);
  } else if (latex.length <= MAX_CAS_CHARS) {
    const r = casRequest({ op: 'parse', latex: ceLatex(latex) }) as { json?: Json } | undefined;
    if (r === undefined) cacheable = false; // out of time: not a property of the input
    else if (r.json !== null && r.json !== undefined) result = describe(latex, r.json);
  }
  if (cacheable) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(latex, result);
  }
  return result;
}

class Unsupported extends Error {}

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) return NaN;
  if (n > 170) return Infinity;
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a); b = Math.abs(b);
  for (let k = 0; b > 0 && k < 200; k++) [a, b] = [b, a % b];
  return a;
}

const UNARY: Record<string, (x: number) => number> = {
  Sqrt: Math.sqrt, Exp: Math.exp, Ln: Math.log, Lb: Math.log2, Lg: Math.log10, Abs: Math.abs,
  Sin: Math.sin, Cos: Math.cos, Tan: Math.tan, Cot: (x) => 1 / Math.tan(x), Sec: (x) => 1 / Math.cos(x), Csc: (x) => 1 / Math.sin(x),
  Arcsin: Math.asin, Arccos: Math.acos, Arctan: Math.atan, Arccot: (x) => Math.atan(1 / x), Arcsec: (x) => Math.acos(1 / x), Arccsc: (x) => Math.asin(1 / x),
  Sinh: Math.sinh, Cosh: Math.cosh, Tanh: Math.tanh, Arsinh: Math.asinh, Arcosh: Math.acosh, Artanh: Math.atanh,
  Floor: Math.floor, Ceil: Math.ceil, Round: Math.round, Square: (x) => x * x, Factorial: factorial, Negate: (x) => -x,
  Sign: Math.sign,
};

/** Most evaluation steps one point may take (sums over big ranges, deep trees). */
const MAX_STEPS = 20_000;
/** Longest range a sum or product is expanded over. */
const MAX_RANGE = 500;

/** An indexed symbol `a_k` stands for an arbitrary but fixed sequence: a hash of name and index into [0.5, 2.5). */
function indexed(name: string, k: number): number {
  let h = 2166136261;
  const key = `${name}#${k}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return 0.5 + 2 * ((h >>> 0) / 4294967296);
}

/** Evaluates canonical MathJSON at a point. Throws Unsupported for heads it does not know. */
export function evaluate(json: Json, env: Record<string, number>, steps = { n: 0 }): number {
  if (++steps.n > MAX_STEPS) throw new Unsupported('steps');
  if (typeof json === 'number') return json;
  if (typeof json === 'string') {
    switch (json) {
      case 'Pi': return Math.PI;
      case 'ExponentialE': return Math.E;
      case 'PositiveInfinity': return Infinity;
      case 'NegativeInfinity': return -Infinity;
      case 'Half': return 0.5;
      case 'NaN': case 'ComplexInfinity': return NaN;
    }
    if (json.startsWith("'")) throw new Unsupported('string');
    const v = env[json];
    if (v === undefined) throw new Unsupported(json);
    return v;
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const num = (json as { num?: string }).num;
    if (typeof num === 'string') return parseFloat(num.slice(0, 400).replace(/\((\d+)\)/, (_, d: string) => d.repeat(Math.ceil(20 / d.length))));
    throw new Unsupported('object');
  }
  if (!Array.isArray(json) || typeof json[0] !== 'string') throw new Unsupported('shape');
  const head = json[0];
  const arg = (i: number): number => evaluate(json[i], env, steps);
  const n = json.length - 1;
  switch (head) {
    case 'Add': { let s = 0; for (let i = 1; i <= n; i++) s += arg(i); return s; }
    case 'Multiply': { let p = 1; for (let i = 1; i <= n; i++) p *= arg(i); return p; }
    case 'Subtract': return n === 1 ? -arg(1) : arg(1) - arg(2);
    case 'Divide': case 'Rational': return arg(1) / arg(2);
    case 'Power': return Math.pow(arg(1), arg(2));
    case 'Root': { const x = arg(1), k = arg(2); return x < 0 && k % 2 === 1 ? -Math.pow(-x, 1 / k) : Math.pow(x, 1 / k); }
    case 'Log': return n === 1 ? Math.log10(arg(1)) : Math.log(arg(1)) / Math.log(arg(2));
    case 'Complex': return arg(1) + arg(2) * (env.ImaginaryUnit ?? NaN);
    case 'ImaginaryUnit': return env.ImaginaryUnit ?? NaN;
    case 'Max': { let m = -Infinity; for (let i = 1; i <= n; i++) m = Math.max(m, arg(i)); return m; }
    case 'Min': { let m = Infinity; for (let i = 1; i <= n; i++) m = Math.min(m, arg(i)); return m; }
    case 'GCD': return gcd(arg(1), arg(2));
    case 'LCM': { const a = arg(1), b = arg(2); return Math.abs(a * b) / gcd(a, b); }
    case 'Binomial': { const a = arg(1), b = arg(2); return factorial(a) / (factorial(b) * factorial(a - b)); }
    case 'Mod': return arg(1) % arg(2);
    case 'Delimiter': case 'Hold': if (n === 1) return arg(1); break;
    case 'At': case 'Subscript': {
      // `a_k`, `b_{m-j}`: a fixed sequence evaluated at its (integer) index.
      const name = json[1];
      if (typeof name !== 'string' || n < 2) break;
      const idx: number[] = [];
      for (let i = 2; i <= n; i++) idx.push(arg(i));
      return indexed(name, idx.length === 1 ? idx[0]! : Number(idx.join('')));
    }
    case 'Sum': case 'Product': {
      // ["Sum", body, ["Tuple"|"Limits"|"Triple", index, lower, upper]]: expanded over small integer ranges.
      const lim = json[2];
      if (n !== 2 || !Array.isArray(lim) || typeof lim[1] !== 'string' || lim.length < 4) break;
      const lo = evaluate(lim[2], env, steps);
      const hi = evaluate(lim[3], env, steps);
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi - lo > MAX_RANGE) throw new Unsupported('range');
      const inner = { ...env };
      let acc = head === 'Sum' ? 0 : 1;
      for (let k = lo; k <= hi; k++) {
        inner[lim[1]] = k;
        const v = evaluate(json[1], inner, steps);
        acc = head === 'Sum' ? acc + v : acc * v;
      }
      return acc;
    }
  }
  const f = UNARY[head];
  if (f && n === 1) return f(arg(1));
  throw new Unsupported(head);
}

type C = [number, number];
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cexp = (z: C): C => { const r = Math.exp(z[0]); return [r * Math.cos(z[1]), r * Math.sin(z[1])]; };
const clog = (z: C): C => [Math.log(Math.hypot(z[0], z[1])), Math.atan2(z[1], z[0])];

/** Complex value of a constant tree (`(1+i)^2`, `e^{i\pi}`); throws Unsupported outside + − × ÷ ^ √ exp. */
function evalComplex(json: Json, steps = { n: 0 }): C {
  if (++steps.n > MAX_STEPS) throw new Unsupported('steps');
  if (typeof json === 'number') return [json, 0];
  if (json === 'ImaginaryUnit') return [0, 1];
  if (json === 'Pi') return [Math.PI, 0];
  if (json === 'ExponentialE') return [Math.E, 0];
  if (!Array.isArray(json)) throw new Unsupported('complex leaf');
  const args = json.slice(1).map((x) => evalComplex(x, steps));
  switch (json[0]) {
    case 'Add': return args.reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0] as C);
    case 'Multiply': return args.reduce(cmul, [1, 0] as C);
    case 'Negate': return [-args[0]![0], -args[0]![1]];
    case 'Subtract': return [args[0]![0] - args[1]![0], args[0]![1] - args[1]![1]];
    case 'Divide': { const [a, b] = [args[0]!, args[1]!]; const d = b[0] * b[0] + b[1] * b[1]; return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d]; }
    case 'Power': {
      const [z, w] = [args[0]!, args[1]!];
      if (w[1] === 0 && Number.isInteger(w[0]) && Math.abs(w[0]) <= 64) {
        let r: C = [1, 0];
        for (let k = 0; k < Math.abs(w[0]); k++) r = cmul(r, z);
        if (w[0] >= 0) return r;
        const d = r[0] * r[0] + r[1] * r[1];
        return [r[0] / d, -r[1] / d];
      }
      if (z[0] === 0 && z[1] === 0) throw new Unsupported('0^w');
      return cexp(cmul(w, clog(z)));
    }
    case 'Sqrt': return cexp(cmul([0.5, 0], clog(args[0]!)));
    case 'Exp': return cexp(args[0]!);
  }
  throw new Unsupported(String(json[0]));
}

/** Complex constants compared in the main thread; undefined when either side is outside evalComplex. */
export function complexClose(a: Json, b: Json, tol: number): boolean | undefined {
  try {
    const x = evalComplex(a);
    const y = evalComplex(b);
    if (![...x, ...y].every(Number.isFinite)) return undefined;
    const scale = Math.max(1, Math.hypot(x[0], x[1]), Math.hypot(y[0], y[1]));
    return Math.hypot(x[0] - y[0], x[1] - y[1]) <= Math.max(tol, 1e-9) * scale;
  } catch (e) {
    if (e instanceof Unsupported || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** Safe wrapper: NaN when the evaluator does not support the tree. */
export function tryEvaluate(json: Json, env: Record<string, number>): number {
  try {
    return evaluate(json, env);
  } catch (e) {
    if (e instanceof Unsupported || e instanceof RangeError) return NaN;
    throw e;
  }
}

/**
 * Symbolic check: does `simplify(a - b)` come out as 0? Undefined when the trees are too big
 * or explosive to risk, or when the worker ran out of time.
 */
export function differenceSimplifiesToZero(a: CasExpr, b: CasExpr): boolean | undefined {
  if (a.json === null || b.json === null || a.explosive || b.explosive || a.size + b.size > MAX_SIMPLIFY_SIZE) return undefined;
  const r = casRequest({ op: 'simplifyZero', a: ceLatex(a.latex), b: ceLatex(b.latex) }) as { value?: boolean } | undefined;
  return typeof r?.value === 'boolean' ? r.value : undefined;
}

/**
 * Complex constants (`(1+i)^2` vs `2i`): compute-engine's own numeric evaluation of the
 * difference. Undefined when either side has variables or is too big to risk.
 */
export function complexConstantsEqual(a: CasExpr, b: CasExpr): boolean | undefined {
  if (a.json === null || b.json === null || a.vars.length > 0 || b.vars.length > 0 || a.explosive || b.explosive || a.size + b.size > MAX_SIMPLIFY_SIZE) return undefined;
  const r = casRequest({ op: 'complexEqual', a: ceLatex(a.latex), b: ceLatex(b.latex) }) as { value?: boolean } | undefined;
  return typeof r?.value === 'boolean' ? r.value : undefined;
}

/** Structural identity of the canonical forms (cheap, exact). */
export function sameCanonical(a: CasExpr, b: CasExpr): boolean {
  return a.json !== null && b.json !== null && JSON.stringify(a.json) === JSON.stringify(b.json);
}

/** Drops cached parses (benchmarks use it to measure first-seen inputs). */
export function clearCasCache(): void {
  cache.clear();
}

/**
 * Starts compute-engine in its worker thread and waits until its simplification rules are
 * compiled (≈0.5–1 s, once per process) so that the first real check is not the slow one. The
 * plugin calls it in `setup`.
 */
export function warmUp(): void {
  bootCas();
}

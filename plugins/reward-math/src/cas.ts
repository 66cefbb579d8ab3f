import { ComputeEngine } from '@cortex-js/compute-engine';

/**
 * The CAS layer: LaTeX → MathJSON with @cortex-js/compute-engine (parses cached), a small
 * numeric evaluator of our own over that MathJSON (fast, and with no way to hang on
 * `9^{9^{9^9}}`), and compute-engine's `simplify` of the difference as the symbolic check.
 */

type Json = unknown;
type BoxedExpression = ReturnType<ComputeEngine['parse']>;

export interface CasExpr {
  /** Canonical MathJSON, or null when compute-engine could not parse the input. */
  json: Json | null;
  boxed: BoxedExpression | null;
  /** Free variables (sorted). */
  vars: string[];
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

let engine: ComputeEngine | undefined;
function ce(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

const CONSTANTS = new Set(['Pi', 'ExponentialE', 'PositiveInfinity', 'NegativeInfinity', 'NaN', 'ComplexInfinity', 'Half', 'Nothing', 'True', 'False']);
const cache = new Map<string, CasExpr>();

function scan(json: Json, vars: Set<string>, acc: { size: number; explosive: boolean; complex: boolean }): void {
  acc.size++;
  if (typeof json === 'string') {
    if (json === 'ImaginaryUnit') acc.complex = true;
    else if (!json.startsWith("'") && !CONSTANTS.has(json)) vars.add(json);
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
  for (let i = 1; i < json.length; i++) scan(json[i], vars, acc);
}

/** Parses a LaTeX leaf (cached). Invalid parses come back with `json: null`. */
export function parseLatex(latex: string): CasExpr {
  const hit = cache.get(latex);
  if (hit) return hit;
  let result: CasExpr = { json: null, boxed: null, vars: [], size: 0, explosive: false, complex: false };
  if (latex.length <= MAX_CAS_CHARS) {
    try {
      const boxed = ce().parse(latex.replace(/\*\*/g, '^'));
      if (boxed.isValid) {
        const json = boxed.json;
        const vars = new Set<string>();
        const acc = { size: 0, explosive: false, complex: false };
        scan(json, vars, acc);
        result = { json, boxed, vars: [...vars].sort(), size: acc.size, explosive: acc.explosive, complex: acc.complex };
      }
    } catch {
      // compute-engine throws on some malformed input; treat as unparseable.
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(latex, result);
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

/** Evaluates canonical MathJSON at a point. Throws Unsupported for heads it does not know. */
export function evaluate(json: Json, env: Record<string, number>): number {
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
    if (typeof num === 'string') return parseFloat(num.replace(/\((\d+)\)/, (_, d: string) => d.repeat(Math.ceil(20 / d.length))));
    throw new Unsupported('object');
  }
  if (!Array.isArray(json) || typeof json[0] !== 'string') throw new Unsupported('shape');
  const head = json[0];
  const arg = (i: number): number => evaluate(json[i], env);
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
  }
  const f = UNARY[head];
  if (f && n === 1) return f(arg(1));
  throw new Unsupported(head);
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
 * or explosive to risk (compute-engine's simplify is synchronous and cannot be interrupted).
 */
export function differenceSimplifiesToZero(a: CasExpr, b: CasExpr): boolean | undefined {
  if (!a.boxed || !b.boxed || a.explosive || b.explosive || a.size + b.size > MAX_SIMPLIFY_SIZE) return undefined;
  try {
    const diff = ce().box(['Subtract', a.boxed, b.boxed]).simplify();
    if (diff.isSame(ce().number(0))) return true;
    if (diff.unknowns.length === 0) {
      const v = diff.N();
      if (v.isSame(ce().number(0)) || v.is(0)) return true;
    }
    return false;
  } catch {
    return undefined;
  }
}

/**
 * Complex constants (`(1+i)^2` vs `2i`): compute-engine's own numeric evaluation of the
 * difference. Undefined when either side has variables or is too big to risk.
 */
export function complexConstantsEqual(a: CasExpr, b: CasExpr): boolean | undefined {
  if (!a.boxed || !b.boxed || a.vars.length > 0 || b.vars.length > 0 || a.explosive || b.explosive || a.size + b.size > MAX_SIMPLIFY_SIZE) return undefined;
  try {
    return ce().box(['Subtract', a.boxed, b.boxed]).N().is(0);
  } catch {
    return undefined;
  }
}

/** Structural identity of the canonical forms (cheap, exact). */
export function sameCanonical(a: CasExpr, b: CasExpr): boolean {
  return a.boxed !== null && b.boxed !== null && a.boxed.isSame(b.boxed);
}

/** Drops cached parses (benchmarks use it to measure first-seen inputs). */
export function clearCasCache(): void {
  cache.clear();
}

/**
 * Builds the engine and compiles its simplification rules (≈0.3–0.8 s, once per process) so
 * that the first real check is not the slow one. The plugin calls it in `setup`.
 */
export function warmUp(): void {
  differenceSimplifiesToZero(parseLatex('(x+1)^2'), parseLatex('x^2+2x+1'));
  differenceSimplifiesToZero(parseLatex('\\infty'), parseLatex('\\sqrt{2}\\pi'));
  cache.clear();
}

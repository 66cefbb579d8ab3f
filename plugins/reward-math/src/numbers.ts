/**
 * Fast path: reads a plain numeric answer without the CAS. Covers integers, decimals,
 * scientific notation (`1.5e3`, `1.5 \times 10^{3}`), fractions (`3/4`, `\frac{3}{4}`) and mixed
 * numbers (`3\frac{1}{2}`, `3 1/2`). Returns null for anything else.
 */
const DEC = String.raw`\d+(?:\.\d*)?|\.\d+`;
const NUMBER_RE = new RegExp(String.raw`^([+-]?)(${DEC})(?:[eE]([+-]?\d+)|\s*(?:\\times|\\cdot|\*)\s*10\s*\^\s*\{?\s*([+-]?\d+)\s*\}?)?$`);
const FRAC_RE = /^([+-]?)\s*(?:(\d+)\s*)?\\frac\s*\{\s*(\d+(?:\.\d+)?)\s*\}\s*\{\s*(\d+(?:\.\d+)?)\s*\}$/;
const SLASH_RE = /^([+-]?)\s*(?:(\d+)\s+)?(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/;

export function parsePlainNumber(s: string): number | null {
  const t = s.length > 64 ? '' : s.trim();
  if (t === '') return null;
  let m = NUMBER_RE.exec(t);
  if (m) {
    const exp = m[3] ?? m[4];
    const v = Number(m[2]) * (exp !== undefined ? 10 ** Number(exp) : 1);
    return m[1] === '-' ? -v : v;
  }
  m = FRAC_RE.exec(t) ?? SLASH_RE.exec(t);
  if (m) {
    const den = Number(m[4]);
    if (den === 0) return null;
    const v = (m[2] ? Number(m[2]) : 0) + Number(m[3]) / den;
    return m[1] === '-' ? -v : v;
  }
  return null;
}

/** Equal within a relative tolerance (with a tiny absolute floor so that 0 matches 1e-15). */
export function closeTo(a: number, b: number, relTol: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}

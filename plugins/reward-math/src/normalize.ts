import { matchBrace, splitTopLevel } from './braces.js';

/** An answer string after cleanup, with the flags the cleanup removed from it. */
export interface Normalized {
  /** Cleaned LaTeX / plain-math text. */
  text: string;
  /** A `%` / "percent" was attached (the value may be read as n or n/100). */
  percent: boolean;
}

const TEXT_COMMANDS = ['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mbox', 'mathrm', 'mathbf', 'mathit', 'boldsymbol', 'textsf', 'texttt', 'emph', 'hbox', 'mathsf', 'bm'];
const TEXT_RE = new RegExp(`\\\\(?:${TEXT_COMMANDS.join('|')})\\s*\\{`, 'g');

/** Units and filler words dropped when they trail a quantity (`5 \text{ cm}^2`, `125 miles`). */
export const UNIT_WORDS = new Set(
  (
    'unit units cm mm km m meter meters metre metres centimeter centimeters inch inches in ft foot feet yard yards yd mile miles mi ' +
    'sq square cubic cu g gram grams kg kilogram kilograms mg lb lbs pound pounds ounce ounces oz ton tons ' +
    's sec second seconds min minute minutes h hr hrs hour hours day days week weeks month months year years yr ' +
    'l liter liters litre litres ml gallon gallons quart quarts pint pints cup cups ' +
    'dollar dollars cent cents euro euros usd mph kph kmh degree degrees deg radian radians rad ' +
    'people persons person students student apples items times point points sheep cars books boxes pages ' +
    'area volume per each only approximately about'
  ).split(' '),
);

/** Replaces `\cmd{arg}` by `f(arg)` for every occurrence, innermost handled by recursion on the output. */
function replaceCommandArg(s: string, re: RegExp, f: (arg: string, command: string) => string): string {
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) break; // unbalanced: leave the rest as is
    out += s.slice(last, m.index) + f(s.slice(open + 1, close), m[0]);
    last = close + 1;
    re.lastIndex = close + 1;
  }
  return out + s.slice(last);
}

/** `\frac12` → `\frac{1}{2}`, `\frac1{x}` → `\frac{1}{x}`, `\sqrt3` → `\sqrt{3}` (malformed but common). */
function fixShorthandArgs(s: string): string {
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*(\d)\s*(?=\{)/g, '\\frac{$1}');
  s = s.replace(/\\frac\s*(\{[^{}]*\})\s*(\d)/g, '\\frac$1{$2}');
  s = s.replace(/\\sqrt\s*(\d+|[a-zA-Z])(?![a-zA-Z])/g, '\\sqrt{$1}');
  return s;
}

/** Removes `\text{…}`-like wrappers: words that are units disappear; other words stay as plain text. */
function stripTextCommands(s: string): string {
  return replaceCommandArg(s, TEXT_RE, (arg) => {
    const inner = arg.trim();
    if (/^(and|or|,)$/i.test(inner)) return ',';
    return ` ${inner} `;
  });
}

const UNIT_SUFFIX = /\s*([a-zA-Z]+)(\s*\^\s*\{?[23]\}?|²|³)?(?:\s*\/\s*([a-zA-Z]+))?\s*\.?$/;

/** Drops trailing unit words (`125 miles`, `15 cm^2`, `24 square units`, `3.5 km/h`) when a number or expression precedes them. */
export function stripTrailingUnits(s: string): string {
  for (let k = 0; k < 6; k++) {
    // Matched on the last 60 characters only: an end-anchored pattern is quadratic on long runs.
    const cut = Math.max(0, s.length - 60);
    const m = UNIT_SUFFIX.exec(s.slice(cut));
    if (!m || !UNIT_WORDS.has(m[1]!.toLowerCase()) || (m[3] !== undefined && !UNIT_WORDS.has(m[3].toLowerCase()))) break;
    const head = s.slice(0, cut + m.index).trim();
    const before = /([a-zA-Z]+)$/.exec(head);
    if (!/[\d}).\]]$/.test(head) && !(before && UNIT_WORDS.has(before[1]!.toLowerCase()))) break;
    if (!/\d/.test(head)) break;
    s = head;
  }
  return s;
}

export interface BoxedSpan { content: string; start: number; end: number }

/** Every `\boxed{…}` / `\fbox{…}` (braces balanced; an unclosed last one takes the rest of the text). */
export function boxedSpans(s: string): BoxedSpan[] {
  const spans: BoxedSpan[] = [];
  const re = /\\(?:boxed|fbox)\s*/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const start = m.index + m[0].length;
    if (s[start] === '{') {
      const close = matchBrace(s, start);
      if (close < 0) {
        spans.push({ content: s.slice(start + 1).replace(/[\s$.]*$/, ''), start: m.index, end: s.length });
        break;
      }
      spans.push({ content: s.slice(start + 1, close), start: m.index, end: close + 1 });
      re.lastIndex = close + 1;
    } else {
      const w = /^[^\s$]+/.exec(s.slice(start)); // `\boxed 5`
      if (w) spans.push({ content: w[0].replace(/[.,]+$/, ''), start: m.index, end: start + w[0].length });
    }
  }
  return spans;
}

/** Unwraps the content of the last `\boxed{…}` / `\fbox{…}` in `s`, or returns null. */
export function lastBoxed(s: string): string | null {
  const spans = boxedSpans(s);
  return spans.at(-1)?.content ?? null;
}

/** Strips one layer of math delimiters around the whole string: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. */
export function stripMathDelimiters(s: string): string {
  let t = s.trim();
  for (let k = 0; k < 3; k++) {
    const before = t;
    if (t.startsWith('$$') && t.endsWith('$$') && t.length >= 4) t = t.slice(2, -2).trim();
    else if (t.startsWith('$') && t.endsWith('$') && t.length >= 2) t = t.slice(1, -1).trim();
    else if ((t.startsWith('\\(') && t.endsWith('\\)')) || (t.startsWith('\\[') && t.endsWith('\\]'))) t = t.slice(2, -2).trim();
    if (t === before) break;
  }
  return t;
}

/**
 * Cleans an extracted answer so that formatting never decides equality: math delimiters,
 * `\left`/`\right`, spacing commands, `\dfrac`, degree signs, `\$`, `\text{units}`, thousands
 * separators, trailing punctuation. The percent sign is removed and reported as a flag.
 */
/**
 * Undoes backslash doubling from a JSON or Python pipeline (`\\frac{1}{2}` → `\frac{1}{2}`): only
 * when every command in the text is doubled, so a real `\\` row break is left alone.
 */
export function undoubleBackslashes(s: string): string {
  if (!s.includes('\\\\') || /(?<!\\)\\[A-Za-z]/.test(s) || !/\\\\[A-Za-z]/.test(s)) return s;
  return s.replace(/\\\\/g, '\\');
}

export function normalizeAnswer(raw: string): Normalized {
  // Runs of blanks collapse first: the `\s*`-led patterns below would be quadratic on them.
  let s = undoubleBackslashes(raw).replace(/[ \t\r\n\f\v\u00a0]+/g, ' ').trim();
  const boxed = lastBoxed(s);
  if (boxed !== null) s = boxed;
  s = stripMathDelimiters(s);
  s = s.replace(/\$/g, ' ');
  s = s
    .replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)\b/g, '')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)\s*(?=[()[\]|.\\])/g, '')
    .replace(/\\(?:left|right)\s*\./g, '')
    .replace(/(?<![\\a-zA-Z])(?:left|right)(?=[()[\]])/g, '') // `\\left(` after backslash doubling in data
    .replace(/\\(?:d|t|c)frac/g, '\\frac')
    .replace(/\\over\b/g, '/')
    .replace(/(\d)\s*(?:\{,\}|\\!)\s*(?=\d)/g, '$1') // 14{,}916, 10,\!000
    .replace(/(\d),\s*\\!\s*(?=\d{3}(?!\d))/g, '$1,') // 48,\! 125
    .replace(/\\!/g, '')
    .replace(/(?<!\\)\\(?:,|;|:|>| |quad|qquad|enspace|thinspace)/g, ' ')
    .replace(/~/g, ' ');
  // Degrees: `30^\circ`, `30^{\circ}`, `30°`.
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?/g, '').replace(/\\circ|°|\\degree/g, '');
  s = s.replace(/\\\$|\\euro|[€£¥₹]/g, '');
  s = stripTextCommands(s);
  s = s.replace(/\\(?:mathbf|mathcal|mathbb|operatorname)\s*\{([^{}]*)\}/g, '$1');
  s = fixShorthandArgs(s);
  // compute-engine has no \binom: spell it with factorials.
  s = s.replace(/\\[dt]?binom\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, '\\frac{($1)!}{($2)!(($1)-($2))!}');
  let percent = false;
  s = s.replace(/\s*(?:\\%|%|\bpercentage\b|\bpercent\b|\bpct\b)/gi, () => {
    percent = true;
    return '';
  });
  s = s
    .replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])|≤|<=/g, ' \\le ')
    .replace(/\\(?:geqslant|geq|ge)(?![a-zA-Z])|≥|>=/g, ' \\ge ')
    .replace(/\\(?:neq|ne)(?![a-zA-Z])|≠|!=/g, ' \\ne ')
    .replace(/\\lt\b/g, '<')
    .replace(/\\gt\b/g, '>')
    .replace(/∞|\\infin\b|\\infty/g, '\\infty')
    .replace(/\+\s*\\infty/g, '\\infty')
    .replace(/\\(?:varnothing|emptyset)|∅/g, '\\emptyset')
    .replace(/\\(?:dots|ldots|cdots)/g, '\\ldots')
    .replace(/−/g, '-')
    .replace(/×/g, '\\times ')
    .replace(/÷/g, '\\div ')
    .replace(/π/g, '\\pi ')
    .replace(/√/g, '\\sqrt ');
  s = s.replace(/\s+/g, ' ').trim();
  s = namedSystemsAsTuples(s);
  if (/\d/.test(s)) {
    // Lists written in words: `19, 46, and 82`, `(11,7) or (7,11)`, `-12;-11;-10`.
    s = s.replace(/\s*,?\s*\b(?:and|or)\b\s*/g, ', ').replace(/;/g, ',').replace(/(?:,\s*){2,}/g, ', ');
  }
  // Trailing sentence punctuation and a leading "answer:"-like label.
  s = s.replace(/^(?:the\s+)?(?:final\s+)?answer\s*(?:is)?\s*:?\s*/i, '');
  s = s.replace(/[\s.,;:]+$/g, '').replace(/^[\s,;:]+/, '');
  s = stripTrailingUnits(s);
  s = normalizeThousands(s);
  return { text: s, percent };
}

const ASSIGNMENT = /^\s*([A-Za-z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*=\s*([^=]+?)\s*$/;

/**
 * Solutions of a system written by name, separated by `;` (`a=3,b=1;a=11,b=1`) → tuples in the
 * order the names are given (`(3,1),(11,1)`). Unchanged unless every group names the same
 * variables in the same order.
 */
export function namedSystemsAsTuples(s: string): string {
  if (!s.includes(';') || s.length > 2000) return s;
  const groups = splitTopLevel(s, ';').map((g) => g.trim()).filter((g) => g.length > 0);
  if (groups.length < 2) return s;
  let names: string | null = null;
  const tuples: string[] = [];
  for (const g of groups) {
    const parts = splitTopLevel(g, ',').map((p) => ASSIGNMENT.exec(p));
    if (parts.length < 2 || parts.some((m) => m === null)) return s;
    const key = parts.map((m) => m![1]).join(',');
    if (names === null) names = key;
    else if (key !== names) return s;
    tuples.push(`(${parts.map((m) => m![2]).join(',')})`);
  }
  return tuples.join(',');
}

/** `12,000,023` → `12000023`, `1 000` → `1000`, `1000,99` → `1000.99` — only when the whole string is the number. */
export function normalizeThousands(s: string): string {
  const m = /^(-?)([1-9]\d{0,2}(?:[, ]\d{3})+)(\.\d+)?$/.exec(s);
  if (m) return m[1]! + m[2]!.replace(/[, ]/g, '') + (m[3] ?? '');
  // A decimal comma ("1,22", "0,111", "1000,99"); "-2,1" stays a list of two answers.
  const dec = /^(-?\d+),(\d+)$/.exec(s);
  if (dec && (/^-?0$/.test(dec[1]!) || dec[2]!.length === 2)) return `${dec[1]}.${dec[2]}`;
  return s;
}

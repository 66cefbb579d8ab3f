import { boxedSpans, undoubleBackslashes, UNIT_WORDS } from './normalize.js';

const BARE_WORDS = new Set(['and', 'or', 'percent', 'pct', 'percentage', 'in']);

export interface ExtractOptions {
  /** When nothing marks the answer, fall back to the last number in the text (default true). */
  fallbackLastNumber?: boolean;
  /** Only the last `maxChars` characters are searched (answers sit at the end; bounds the work). Default 20 000. */
  maxChars?: number;
}

/** Tokens that end a chat turn; anything after the first one that follows content is a new turn. */
const END_OF_TURN = /<\|im_end\|>|<\|eot_id\|>|<\|endoftext\|>|<\|end\|>|<\/s>|<\|im_start\|>|<\|start_header_id\|>|<end_of_turn>|<\|end_of_text\|>/g;
const ANY_SPECIAL = /<\|[^|>\n]{1,40}\|>|<\/?s>|<(?:start|end)_of_turn>/g;

/** Removes chat-template debris: cuts at the first end-of-turn marker that follows real content. */
export function stripChatDebris(text: string): string {
  END_OF_TURN.lastIndex = 0;
  let from = 0;
  // Only the stretch since the previous marker is examined each time: linear in the text.
  for (let m = END_OF_TURN.exec(text); m; m = END_OF_TURN.exec(text)) {
    const before = text.slice(from, m.index).replace(ANY_SPECIAL, '').replace(/^\s*(?:system|user|assistant)\b/i, '');
    if (before.trim().length > 0) {
      text = text.slice(0, m.index);
      break;
    }
    from = m.index + m[0].length;
  }
  return text.replace(ANY_SPECIAL, '').replace(/^\s*assistant\s*\n/i, '');
}

interface Span { text: string; start: number; end: number }

const PERCENT_AFTER = /^\s*(?:\\?%|percent\b|percentage\b|pct\b)/i;
const NUMBER = /(?<![\w.\\])-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:\s*\/\s*\d+(?!\d|\.\d))?(?:\s*(?:%|percent\b))?/g;

const MAX_GAP = 200;
const GAP_TOKEN = /^(?:and|or|\\quad|\\qquad|\\text\{[^{}]{0,20}\}|\\[()[\]])/i;

/**
 * Gap between two answers that still reads as one list: `, `, ` and `, `\quad \text{and}`, `$ $`…
 * A left-to-right scan (the regex it replaces backtracked exponentially on runs of `$`).
 */
export function isListGap(gap: string): boolean {
  if (gap.length > MAX_GAP) return false;
  let i = 0;
  while (i < gap.length) {
    const ch = gap[i]!;
    if (/[\s,;$]/.test(ch)) { i++; continue; }
    const m = GAP_TOKEN.exec(gap.slice(i, i + 30));
    if (!m) return false;
    // A word token must end at a word boundary (`android` is not `and`).
    if (/^[a-z]/i.test(m[0]) && /[a-z]/i.test(gap[i + m[0].length] ?? '')) return false;
    i += m[0].length;
  }
  return true;
}

const BOX_JOINER = /(?:^|[\s,;$}])(?:and|or)(?=[\s$\\]|$)|[,;]|\\q?quad/i;
const REVISION = /\b(?:wait|actually|but|however|instead|so|therefore|thus|hence|gives?|get|got|answer|correct|mistake|wrong|recount\w*|not|no|check|verify|final)\b/i;

/**
 * Gap between two boxes that joins them into one answer: a list gap, or a short phrase with
 * a joiner (`\boxed{3} red and \boxed{5} blue`, `… is \boxed{4} and the larger is \boxed{9}`) —
 * not a new sentence or a revision (`\boxed{4}. Wait, … gives \boxed{5}`).
 */
export function isBoxGap(gap: string): boolean {
  if (isListGap(gap)) return true;
  if (gap.length > 80 || /[.?!]\s|[.?!]$|\n\s*\n/.test(gap) || /:\s/.test(gap)) return false;
  return BOX_JOINER.test(gap) && !REVISION.test(gap);
}

/** Joins trailing spans that form one list (`$1$, $2$ and $3$` → `1, 2, 3`). */
function joinTrailing(spans: Span[], text: string, gapOk: (gap: string) => boolean): Span | null {
  if (spans.length === 0) return null;
  let i = spans.length - 1;
  while (i > 0 && gapOk(text.slice(spans[i - 1]!.end, spans[i]!.start))) i--;
  const parts = [...new Set(spans.slice(i).map((s) => s.text))];
  return { text: parts.join(', '), start: spans[i]!.start, end: spans[spans.length - 1]!.end };
}

interface Env { start: number; end: number; body: string }

/** The inline `$…$` closer after `from`: the next unescaped `$` on the same line, or -1. */
function inlineClose(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '\n') return -1;
    if (c === '\\') { j++; continue; }
    if (c === '$') return j;
  }
  return -1;
}

/**
 * Every math environment (`$$…$$`, `\[…\]`, `\(…\)`, `$…$`) left to right, in linear time: an
 * opener whose closer does not occur later retires its kind (so `\[a\[a\[a…` cannot go quadratic).
 */
export function mathEnvs(text: string): Env[] {
  const out: Env[] = [];
  const dead = { dd: false, br: false, pa: false };
  let i = 0;
  // Next `$` and `\` at or after i, recomputed only when passed (keeps the scan linear).
  let j = -2;
  let k = -2;
  while (i < text.length) {
    if (j !== -1 && j < i) j = text.indexOf('$', i);
    if (k !== -1 && k < i) k = text.indexOf('\\', i);
    if (j < 0 && k < 0) break;
    if (k >= 0 && (j < 0 || k < j)) {
      const next = text[k + 1];
      const kind = next === '[' ? 'br' : next === '(' ? 'pa' : null;
      if (kind && !dead[kind]) {
        const close = text.indexOf(kind === 'br' ? '\\]' : '\\)', k + 2);
        if (close < 0) dead[kind] = true;
        else {
          out.push({ start: k, end: close + 2, body: text.slice(k + 2, close) });
          i = close + 2;
          continue;
        }
      }
      i = k + 2; // an escape such as `\$` is skipped whole
      continue;
    }
    if (text[j + 1] === '$') {
      if (!dead.dd) {
        const close = text.indexOf('$$', j + 2);
        if (close < 0) dead.dd = true;
        else {
          out.push({ start: j, end: close + 2, body: text.slice(j + 2, close) });
          i = close + 2;
          continue;
        }
      }
      i = j + 2;
      continue;
    }
    // Inline `$`: not right after a digit (`5$` is money), closed on the same line.
    if (j > 0 && /\d/.test(text[j - 1]!)) { i = j + 1; continue; }
    const close = inlineClose(text, j + 1);
    if (close > j + 1) {
      out.push({ start: j, end: close + 1, body: text.slice(j + 1, close) });
      i = close + 1;
    } else i = j + 1;
  }
  return out;
}

function lastMathEnv(text: string): Span | null {
  const spans: Span[] = [];
  for (const e of mathEnvs(text)) {
    const body = e.body.trim();
    if (body.length === 0) continue;
    const pct = PERCENT_AFTER.exec(text.slice(e.end, e.end + 12));
    spans.push({ text: pct ? `${body}\\%` : body, start: e.start, end: e.end });
  }
  return joinTrailing(spans, text, isListGap);
}

/** The last boxed answer, joined with boxed answers just before it that form a list with it. */
function lastBoxedGroup(text: string): string | null {
  const spans = boxedSpans(text)
    .map((b) => ({ text: b.content.trim(), start: b.start, end: b.end }))
    .filter((b) => b.text.length > 0);
  // Only boxes joined by list punctuation (`\boxed{1}, \boxed{2} and \boxed{3}`) form one answer; a later
  // box after prose ("…gives \boxed{5}") is a revision and wins alone.
  const joined = joinTrailing(spans, text, isBoxGap);
  return joined ? joined.text : null;
}

function lastNumber(text: string): Span | null {
  let last: Span | null = null;
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m; m = NUMBER.exec(text)) last = { text: m[0], start: m.index, end: m.index + m[0].length };
  return last;
}

/** A bare answer (`\frac{10}{9}`, `125 miles`, `Evelyn`) rather than prose: used whole. */
export function isBareAnswer(text: string): boolean {
  if (text.length > 200 || /\n\s*\n/.test(text)) return false;
  if (mathEnvs(text).length > 0) return false;
  const words = text.replace(/\\(?:begin|end)\{[^}]*\}(?:\{[^}]*\})?/g, ' ').replace(/\\[a-zA-Z]+/g, ' ').match(/[A-Za-z]{2,}/g) ?? [];
  // One free word at most (`Evelyn`, `125 miles`); list words and units do not count.
  // Geometry names (`AB`, `PQRS`) are symbols, not words.
  return words.filter((w) => !BARE_WORDS.has(w.toLowerCase()) && !UNIT_WORDS.has(w.toLowerCase()) && !/^[A-Z]{2,4}$/.test(w)).length <= 1;
}

/** Rightmost math environment or (optionally) number; a number inside the last environment defers to it. */
function unanchored(text: string, fallbackLastNumber: boolean): string | null {
  const env = lastMathEnv(text);
  const num = fallbackLastNumber ? lastNumber(text) : null;
  if (env && (!num || num.end <= env.end)) return env.text;
  return num ? num.text : null;
}

// "final answer … is", "answer is" / "Answer:" / "answer =", "the answer to (part a) is" — but not
// "to answer this, note that 3 + 4 = 7", where the answer word is not a label.
const ANCHOR = /\bfinal answer\b[^.\n$]{0,60}?(?:\bis\b|:)\s*|\banswer\s*(?:\*\*)?\s*(?:is\b|:|=)\s*|\banswer (?:to|for)\b[^.\n$]{0,40}?\bis\b\s*/gi;

/** The answer right after an anchor: a math environment, else the sentence (its tail after " is "). */
function afterAnchor(text: string, from: number, fallbackLastNumber: boolean): string | null {
  const rest = text.slice(from, from + 600).replace(/^(?:is\b|:)\s*:?\s*/i, '');
  const opener = /^(\$\$|\$|\\\(|\\\[)/.exec(rest)?.[1];
  if (opener) {
    const closer = opener === '\\(' ? '\\)' : opener === '\\[' ? '\\]' : opener;
    const close = rest.indexOf(closer, opener.length);
    if (close > 0) {
      const body = rest.slice(opener.length, close).trim();
      if (body) return PERCENT_AFTER.test(rest.slice(close + closer.length)) ? `${body}\\%` : body;
    }
  }
  let sentence = (rest.split(/\n|\.\s|\.$|\bI hope\b/)[0] ?? '').trim();
  const isIdx = sentence.lastIndexOf(' is ');
  if (isIdx >= 0) sentence = sentence.slice(isIdx + 4);
  if (sentence.length === 0) return null;
  const cand = isBareAnswer(sentence) ? sentence : unanchored(sentence, fallbackLastNumber);
  return cand !== null && cand.trim().length > 0 ? cand.trim() : null;
}

/** The answer after the last "final answer is" / "answer:" anchor that has one. */
function anchored(text: string, fallbackLastNumber: boolean): string | null {
  const ends: number[] = [];
  ANCHOR.lastIndex = 0;
  for (let m = ANCHOR.exec(text); m; m = ANCHOR.exec(text)) ends.push(m.index + m[0].length);
  // Latest first; stop at the first that yields an answer (bounded work on anchor-spam).
  for (let i = ends.length - 1, tries = 0; i >= 0 && tries < 20; i--, tries++) {
    const cand = afterAnchor(text, ends[i]!, fallbackLastNumber);
    if (cand !== null) return cand;
  }
  return null;
}

const CONCLUSION = /^(?:therefore|thus|hence|in conclusion|in summary|consequently|as a result|finally|so)\b/i;
const STATES = / (?:is|are|equals|=|be|gives|of) /gi;

/**
 * The value a concluding sentence states, for prose with no box and no "answer" anchor:
 * "Therefore, the expected value of the game is 7/4." Only the last concluding sentence counts,
 * and only if no computation (`=`) follows it (then the text goes on working).
 */
function concluded(text: string, fallbackLastNumber: boolean): string | null {
  const tail = text.length > 4000 ? text.slice(-4000) : text;
  const sentences = tail.split(/(?<=[.!?])\s+|\n+/);
  for (let k = sentences.length - 1, seen = 0; k >= 0 && seen < 40; k--, seen++) {
    const sentence = sentences[k]!.trim();
    if (sentence.includes('=') && k < sentences.length - 1) return null;
    if (!CONCLUSION.test(sentence)) continue;
    if (sentences.slice(k + 1).some((x) => x.includes('='))) return null;
    let at = -1;
    STATES.lastIndex = 0;
    for (let m = STATES.exec(sentence); m; m = STATES.exec(sentence)) at = m.index + m[0].length;
    if (at < 0) return null;
    return afterAnchor(sentence, at, fallbackLastNumber);
  }
  return null;
}

/**
 * The final answer in a solution: the last `\boxed{…}`/`\fbox{…}`, else a GSM8K `#### 42` line,
 * else the text after "final answer is" / "the answer is" / "answer:", else the whole text when
 * it is a bare answer, else the last math environment or (unless turned off) the last number.
 * Returns null when nothing qualifies.
 */
export function extractAnswer(text: string, options: ExtractOptions = {}): string | null {
  const fallbackLastNumber = options.fallbackLastNumber ?? true;
  const maxChars = options.maxChars ?? 20_000;
  if (typeof text !== 'string') return null;
  let t = text.length > maxChars ? text.slice(-maxChars) : text;
  t = stripChatDebris(undoubleBackslashes(t));
  const boxed = lastBoxedGroup(t);
  if (boxed !== null) return boxed;
  const hashes = t.lastIndexOf('####');
  if (hashes >= 0) {
    const line = (t.slice(hashes + 4).split('\n')[0] ?? '').trim().replace(/\.$/, '');
    if (line.length > 0) return line;
  }
  const a = anchored(t, fallbackLastNumber);
  if (a !== null) return a;
  // Like the last-number fallback, a concluding sentence is read only when fallbacks are on.
  const c = fallbackLastNumber ? concluded(t, fallbackLastNumber) : null;
  if (c !== null) return c;
  const trimmed = t.trim();
  if (trimmed.length === 0) return null;
  if (isBareAnswer(trimmed)) return trimmed;
  const fallback = unanchored(t, fallbackLastNumber);
  // A short one-line text answer (`\text{The midpoints form a regular hexagon}`) is used whole.
  if (fallback === null && trimmed.length <= 120 && !/[\n\d]/.test(trimmed)) return trimmed;
  return fallback;
}

/** Index of the `}` (or other closer) matching the opener at `open`, or -1 when unbalanced. */
export function matchBrace(s: string, open: number, openCh = '{', closeCh = '}'): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && (s[i + 1] === openCh || s[i + 1] === closeCh)) {
      i++; // escaped delimiter, e.g. `\{` inside a set
      continue;
    }
    if (c === openCh) depth++;
    else if (c === closeCh) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Splits `s` at top-level occurrences of `sep` (not inside (), [], {}, \{ \}).
 * Depth tracking treats every bracket alike so `[0,1)` counts as balanced.
 */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      // `\{` `\}` count as brackets; `\left(` etc. were removed by normalisation.
      if (s[i + 1] === '{' || s[i + 1] === '[' || s[i + 1] === '(') depth++;
      else if (s[i + 1] === '}' || s[i + 1] === ']' || s[i + 1] === ')') depth--;
      else if (depth === 0 && s.startsWith(sep, i)) {
        parts.push(s.slice(start, i));
        i += sep.length - 1;
        start = i + 1;
        continue;
      }
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      i += sep.length - 1;
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** True when the whole of `s` is one bracket group: its first char's closer is its last char. */
export function isSingleGroup(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') { i++; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0 && i < s.length - 1) return false;
      if (depth < 0) return false;
    }
  }
  return depth === 0;
}

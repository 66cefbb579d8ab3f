import type { Completion, StepFormat } from '@reasoner/core';

/** A completion cut into steps: each with its tokens and (when the backend gave them) its logprob. */
export interface ParsedSteps {
  steps: Array<{ text: string; tokens: number; logp: number | null }>;
  /** The solution ended (eos) after these steps. */
  ended: boolean;
}

/**
 * Cuts a completion generated after a node into whole steps. A step is complete when the
 * delimiter follows it, when the completion stopped at the delimiter (`stop`), or when the
 * solution ended (`eos`); the unfinished tail of a `length` cut is dropped. Tokens and logprobs
 * are attributed to steps by character position (exact for character-level tokenizers).
 */
export function parseCompletion(c: Completion, fmt: StepFormat): ParsedSteps {
  const delim = fmt.delimiter;
  const text = c.text;
  let complete = text;
  if (c.finishReason === 'length') {
    const cut = text.lastIndexOf(delim);
    complete = cut < 0 ? '' : text.slice(0, cut + delim.length);
  }
  const lp = c.logprobs && c.logprobs.length > 0 ? c.logprobs : null;
  const perChar = text.length > 0 ? c.tokens / text.length : 0;
  const lpAt = (from: number, to: number): number | null => {
    if (!lp) return null;
    // Map character range → token range proportionally (1:1 for character tokenizers).
    const scale = lp.length / Math.max(1, text.length);
    const a = Math.floor(from * scale), b = Math.max(a + 1, Math.min(lp.length, Math.ceil(to * scale)));
    let s = 0;
    for (let i = a; i < b; i++) s += lp[i]!;
    return s;
  };
  const steps: ParsedSteps['steps'] = [];
  let pos = 0;
  // Walk segment by segment so every step keeps its character range (for tokens and logprobs).
  while (pos < complete.length) {
    const at = complete.indexOf(delim, pos);
    const end = at < 0 ? complete.length : at;
    const segEnd = at < 0 ? end : end + delim.length;
    const seg = complete.slice(pos, end);
    for (const s of fmt.split(seg)) {
      steps.push({ text: s, tokens: Math.max(1, Math.round((segEnd - pos) * perChar)), logp: lpAt(pos, segEnd) });
    }
    pos = segEnd;
  }
  return { steps, ended: c.finishReason === 'eos' };
}

/** The prefix a policy continues after `steps`: their text, ending with the delimiter. */
export function prefixOf(steps: string[], fmt: StepFormat): string {
  if (steps.length === 0) return '';
  const p = fmt.join(steps);
  return p.endsWith(fmt.delimiter) ? p : p + fmt.delimiter;
}

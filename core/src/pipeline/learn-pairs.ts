/**
 * Preference pairs from graded search data: (correct, incorrect) candidates of one prompt, or
 * (higher, lower reward) when `by: 'reward'`. Identical chosen/rejected texts are refused: they
 * carry no preference and make the DPO gradient vanish.
 */
import type { TaskSource } from '../types/task.js';
import { groupTask, sameText, type CandidateGroup } from './learn-data.js';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** chosen's reward − rejected's (1 for correct vs incorrect). */
  margin: number;
  length: number;
  /** The rejected completion was cut at the token limit: it is scored without an end token. */
  rejectedTruncated?: boolean;
}

export interface PairOptions {
  /**
   * `correct`: grader-correct vs incorrect; `reward`: reward-ranked (margin ≥ minMargin);
   * `stream`: an incorrect candidate vs the same attempt that backs out of its first mistake and
   * finishes correctly (`stream`, the task source's) — the pair differs from the mistake on, as
   * Step-DPO's (Lai et al. 2024).
   */
  by: 'correct' | 'reward' | 'stream';
  pairsPerPrompt: number;
  minMargin: number;
  /** For `by: 'stream'`: the task source's `stream`. */
  stream?: TaskSource['stream'];
  /** Drops pairs the policy cannot hold (prompt + the longer completion). */
  fits?: (prompt: string, completion: string) => boolean;
}

export interface PairStats {
  pairs: number;
  /** Candidate pairs dropped because chosen and rejected were the same text. */
  identical: number;
  promptsWithPairs: number;
}

/**
 * Builds pairs; within a prompt, chosen candidates are the shortest correct ones and rejected
 * ones are spread over the incorrect (round robin), so a few pairs cover distinct mistakes.
 */
export function buildPairs(groups: readonly CandidateGroup[], o: PairOptions): { pairs: PreferencePair[]; stats: PairStats } {
  const pairs: PreferencePair[] = [];
  let identical = 0, promptsWithPairs = 0;
  for (const g of groups) {
    let good: typeof g.candidates, bad: typeof g.candidates;
    if (o.by === 'correct' || o.by === 'stream') {
      // A completion cut at the token limit never ended: it can be rejected, never chosen.
      good = g.candidates.filter((c) => c.correct && !c.truncated).sort((a, b) => a.text.length - b.text.length);
      bad = g.candidates.filter((c) => !c.correct);
    } else {
      const ranked = g.candidates.filter((c) => c.reward !== null).sort((a, b) => b.reward! - a.reward!);
      const half = Math.ceil(ranked.length / 2);
      good = ranked.slice(0, half).filter((c) => !c.truncated);
      bad = ranked.slice(half);
    }
    let made = 0;
    const task = groupTask(g);
    for (let k = 0; made < o.pairsPerPrompt && k < good.length * bad.length; k++) {
      // Rejected first: every mistake is paired (with the shortest correct) before any repeats.
      let c = good[Math.floor(k / bad.length) % good.length]!;
      const r = bad[k % bad.length]!;
      if (o.by === 'stream') {
        const text = o.stream?.(task, r.text, c.text);
        if (text === undefined) continue;
        c = { ...c, text };
      }
      if (o.fits && !o.fits(g.prompt, c.text.length >= r.text.length ? c.text : r.text)) continue;
      if (sameText(c.text, r.text)) { identical++; continue; }
      const margin = o.by !== 'reward' ? 1 : (c.reward ?? 0) - (r.reward ?? 0);
      if (o.by === 'reward' && margin < o.minMargin) continue;
      pairs.push({ prompt: g.prompt, chosen: c.text, rejected: r.text, margin, length: g.prompt.length + Math.max(c.text.length, r.text.length), ...(r.truncated ? { rejectedTruncated: true } : {}) });
      made++;
    }
    if (made) promptsWithPairs++;
  }
  return { pairs, stats: { pairs: pairs.length, identical, promptsWithPairs } };
}

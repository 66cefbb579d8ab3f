/**
 * STaR / rejection-sampling fine-tuning sets from graded search data (Zelikman et al. 2022;
 * Yuan et al. 2023): grader-correct candidates (distinct, a few per prompt), optionally weighted
 * by reward, plus replayed reference solutions so the policy does not forget what it knew.
 */
import { groupTask, sameText, type CandidateGroup, type TaskSource } from '@reasoner/core';

export interface SftExample {
  prompt: string;
  completion: string;
  weight: number;
  source: 'correct' | 'all' | 'rationalized' | 'replay' | 'stream';
  length: number;
  /** false: the text stopped at the token limit, so no end token is trained after it. */
  eos?: boolean;
}

export interface SftSetOptions {
  /** `correct`: grader-correct candidates only (STaR/RFT); `all`: every candidate (behaviour cloning). */
  filter: 'correct' | 'all';
  /** Distinct candidates kept per prompt (shortest first: fewer wasted steps). */
  perPrompt: number;
  /** Weight each example by its reward (clamped to ≥ 0) instead of 1. */
  weightByReward: boolean;
}

export const example = (prompt: string, completion: string, weight: number, source: SftExample['source']): SftExample =>
  ({ prompt, completion, weight, source, length: prompt.length + completion.length });

/** The examples of the search groups (before replay and rationalisation). */
export function starExamples(groups: readonly CandidateGroup[], o: SftSetOptions): SftExample[] {
  const out: SftExample[] = [];
  for (const g of groups) {
    const pool = g.candidates.filter((c) => (o.filter === 'all' || c.correct) && c.text.trim().length > 0);
    pool.sort((a, b) => a.text.length - b.text.length);
    for (const c of pool.slice(0, o.perPrompt)) {
      const w = o.weightByReward ? Math.max(0, c.reward ?? (c.correct ? 1 : 0)) : 1;
      if (w > 0) out.push({ ...example(g.prompt, c.text, w, o.filter === 'all' ? 'all' : 'correct'), ...(c.truncated ? { eos: false } : {}) });
    }
  }
  return out;
}

/** Prompts with no correct candidate: the ones STaR rationalises with the answer as a hint. */
export function unsolved(groups: readonly CandidateGroup[]): CandidateGroup[] {
  return groups.filter((g) => !g.candidates.some((c) => c.correct));
}

/** The hinted prompt of rationalisation: `{prompt}` and `{answer}` are replaced. */
export function hintPrompt(template: string, prompt: string, answer: string): string {
  return template.replaceAll('{prompt}', prompt).replaceAll('{answer}', answer);
}

/** Makes one solution of a failed and a correct candidate: the task source's `stream`. */
export type StreamFn = NonNullable<TaskSource['stream']>;

/**
 * Stream-of-Search examples (Gandhi et al. 2024) of prompts the search solved only sometimes:
 * up to `perPrompt` of the failed candidates, each followed (by the task's `stream`) with a
 * correct one, so the policy learns to back out of the dead ends it actually walks into.
 * `fits` drops what the policy's context cannot hold; `lead` maps a task id to a failed answer
 * tried before the group's own failures.
 */
export function streamExamples(groups: readonly CandidateGroup[], perPrompt: number, stream: StreamFn, fits: (prompt: string, completion: string) => boolean, lead?: ReadonlyMap<string, string>): SftExample[] {
  const out: SftExample[] = [];
  for (const g of groups) {
    const correct = g.candidates.filter((c) => c.correct).sort((a, b) => a.text.length - b.text.length);
    // A failed answer given in `lead` (the policy's greedy one) goes first: its dead end is the
    // one greedy decoding, which pass@1 measures, walks into.
    const first = lead?.get(g.taskId);
    const own = g.candidates.filter((c) => !c.correct && (first === undefined || !sameText(c.text, first))).map((c) => c.text);
    const failed = [...(first !== undefined ? [first] : []), ...own].filter((t) => t.trim().length > 0);
    if (correct.length === 0 || failed.length === 0) continue;
    const task = groupTask(g);
    let made = 0;
    for (let i = 0; i < failed.length && made < perPrompt; i++) {
      const text = stream(task, failed[i]!, correct[made % correct.length]!.text);
      if (text !== undefined && fits(g.prompt, text)) {
        out.push(example(g.prompt, text, 1, 'stream'));
        made++;
      }
    }
  }
  return out;
}

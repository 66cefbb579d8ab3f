import { rewardAnswer } from '../kernel/instrument.js';
import type { CandidateRecord, TreeRecord } from '../types/records.js';
import type { Grader } from '../types/reward.js';
import type { Candidate, SearchNode } from '../types/search.js';
import type { Task } from '../types/task.js';

/**
 * The candidates a record keeps: the first `cap`, each graded (the grader is memoised per text,
 * so a search that found the same solution 16 times grades it once).
 */
export async function keepCandidates(
  candidates: Candidate[], cap: number, grade: ((text: string) => Promise<{ correct: boolean; answer?: string }>) | null,
): Promise<CandidateRecord[]> {
  const kept: CandidateRecord[] = [];
  for (const c of candidates.slice(0, cap)) {
    const g = grade ? await grade(c.text) : null;
    kept.push({
      text: c.text,
      answer: c.answer ?? rewardAnswer(c.reward) ?? g?.answer ?? null,
      reward: c.reward?.value ?? null,
      correct: g?.correct ?? false,
      tokens: c.tokens,
    });
  }
  return kept;
}

/** A per-task memo around a grader: same text, same verdict, one call. */
export function memoGrader(grader: Grader, task: Task, signal?: AbortSignal): (text: string) => Promise<{ correct: boolean; answer?: string }> {
  const memo = new Map<string, Promise<{ correct: boolean; answer?: string }>>();
  return (text) => {
    let p = memo.get(text);
    if (!p) {
      p = grader.grade(task, text, signal);
      memo.set(text, p);
    }
    return p;
  };
}

/**
 * Caps a search tree for the record: the path to the best (highest-value terminal) node first,
 * then nodes by visits, so 10k-task runs stay small and the tree still shows what was explored.
 */
export function keepTree(tree: SearchNode[], cap: number): TreeRecord {
  const byId = new Map(tree.map((n) => [n.id, n]));
  const depth = (n: SearchNode): number => n.steps.length;
  const maxDepth = tree.reduce((m, n) => Math.max(m, depth(n)), 0);
  const keep = new Set<number>();
  const terminals = tree.filter((n) => n.terminal).sort((a, b) => (b.reward ?? b.value) - (a.reward ?? a.value));
  for (let n: SearchNode | undefined = terminals[0]; n && keep.size < cap; n = n.parent === null ? undefined : byId.get(n.parent)) keep.add(n.id);
  for (const n of [...tree].sort((a, b) => b.visits - a.visits || a.id - b.id)) {
    if (keep.size >= cap) break;
    keep.add(n.id);
  }
  const kept = tree.filter((n) => keep.has(n.id)).map((n) => ({ ...n, steps: [...n.steps], children: n.children.filter((c) => keep.has(c)) }));
  return { nodes: tree.length, maxDepth, kept };
}

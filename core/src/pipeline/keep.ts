import { rewardAnswer } from '../kernel/instrument.js';
import type { CandidateRecord, TrajectoryRecord, TreeRecord } from '../types/records.js';
import type { Grader } from '../types/reward.js';
import type { Candidate, SearchNode, SearchResult } from '../types/search.js';
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
      ...(c.truncated ? { truncated: true as const } : {}),
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

/** What one searched task produced, from which `taskRecord` builds its trajectory record. */
export interface TaskOutcome {
  /** The task as configured (its id is the record's); `task` is what was searched (an oracle may add hints). */
  original: Task;
  task: Task;
  result: SearchResult | null;
  graded: { correct: boolean; answer?: string } | null;
  candidates?: CandidateRecord[];
  tree?: TreeRecord;
  oracle: boolean;
  searchName: string;
  policyId: string;
  /** Spent so far, for a search that failed before it could report usage. */
  spent: { tokens: number; calls: number };
  start: number;
  error?: { code: string; message: string };
}

/** The trajectory record of one task, shared by `reasoner run` and learners' rollouts. */
export function taskRecord(o: TaskOutcome): TrajectoryRecord {
  const best = o.result?.best;
  return {
    taskId: o.original.id,
    prompt: o.task.prompt,
    steps: best?.steps ?? [],
    solution: best?.text ?? '',
    answer: o.graded?.answer ?? best?.answer ?? rewardAnswer(best?.reward) ?? null,
    gold: o.task.answer ?? null,
    reward: best?.reward ?? null,
    correct: o.graded?.correct ?? false,
    ...(o.oracle ? { oracle: true } : {}),
    search: { name: o.searchName, stats: o.result?.stats ?? {}, candidates: o.result?.candidates.length ?? 0 },
    ...(o.candidates ? { candidates: o.candidates } : {}),
    ...(o.tree ? { tree: o.tree } : {}),
    usage: o.result?.usage ?? { promptTokens: 0, completionTokens: o.spent.tokens, calls: o.spent.calls },
    policyId: o.policyId,
    ms: Date.now() - o.start,
    time: new Date().toISOString(),
    ...(o.error ? { error: o.error } : {}),
  };
}

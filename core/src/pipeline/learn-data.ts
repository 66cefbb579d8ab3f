/**
 * Search data as learners read it: one group per prompt with every graded candidate (from a
 * run's records, which keep them, or from dataset records). STaR sets, DPO pairs, PRM labels and
 * exports are all built from these groups.
 */
import type { DatasetRecord, LearnEnv, TrainablePolicy } from '../types/learn.js';
import { nothingToLearn } from './learn-loop.js';
import type { CandidateRecord, TrajectoryRecord } from '../types/records.js';
import type { Rng } from '../types/services.js';
import type { Task, TaskSource, TaskSplit } from '../types/task.js';

export interface CandidateGroup {
  taskId: string;
  prompt: string;
  gold: string | null;
  /** Distinct candidates (first occurrence of each text kept), graded. */
  candidates: CandidateRecord[];
}

/** The task a group was searched for, as far as the records tell (id, prompt, gold answer). */
export const groupTask = (g: CandidateGroup): Task => ({ id: g.taskId, prompt: g.prompt, ...(g.gold !== null ? { answer: g.gold } : {}) });

/**
 * Whether a training sequence fits a trainable policy's context (`contextLength`, counted with
 * its `countTokens`); always true for an unbounded policy. Learners drop what does not fit.
 */
export function fitsContext(policy: Pick<TrainablePolicy, 'contextLength' | 'countTokens'>): (prompt: string, completion: string) => boolean {
  const limit = policy.contextLength ?? Infinity;
  return (prompt, completion) => (policy.countTokens?.(prompt + completion) ?? prompt.length + completion.length) <= limit;
}

/** Solutions that differ only in surrounding whitespace are the same solution. */
export const sameText = (a: string, b: string): boolean => a.trim() === b.trim();

function dedupe(cands: CandidateRecord[]): CandidateRecord[] {
  const seen = new Set<string>();
  const out: CandidateRecord[] = [];
  for (const c of cands) {
    const k = c.text.trim();
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

/**
 * Groups from trajectory records. Records written before candidates were kept contribute their
 * best solution only; records of failed tasks (`error`) are skipped. Records of the same task
 * (several runs) are merged.
 */
export function groupsFromRecords(records: readonly TrajectoryRecord[]): CandidateGroup[] {
  const byTask = new Map<string, CandidateGroup>();
  for (const r of records) {
    if (r.error) continue;
    const cands: CandidateRecord[] = r.candidates?.length
      ? r.candidates
      : r.solution ? [{ text: r.solution, answer: r.answer, reward: r.reward?.value ?? null, correct: r.correct, tokens: r.usage?.completionTokens ?? 0 }] : [];
    const key = `${r.taskId}\u0000${r.prompt}`;
    const g = byTask.get(key);
    if (g) g.candidates = dedupe([...g.candidates, ...cands]);
    else byTask.set(key, { taskId: r.taskId, prompt: r.prompt, gold: r.gold ?? null, candidates: dedupe(cands) });
  }
  return [...byTask.values()];
}

/**
 * Groups from dataset records (`data export` JSONL or any `{prompt, solution, reward}` file):
 * `meta.correct` when present, else reward ≥ `threshold` counts as correct.
 */
export function groupsFromDataset(records: readonly DatasetRecord[], threshold = 0.5): CandidateGroup[] {
  const byPrompt = new Map<string, CandidateGroup>();
  for (const r of records) {
    const correct = typeof r.meta?.correct === 'boolean' ? r.meta.correct : r.reward >= threshold;
    const c: CandidateRecord = { text: r.solution, answer: r.answer ?? null, reward: r.reward, correct, tokens: 0 };
    const g = byPrompt.get(r.prompt);
    if (g) g.candidates = dedupe([...g.candidates, c]);
    else byPrompt.set(r.prompt, { taskId: r.id ?? `p${byPrompt.size}`, prompt: r.prompt, gold: r.answer ?? null, candidates: dedupe([c]) });
  }
  return [...byPrompt.values()];
}

/** Counts for reports: prompts, candidates, correct ones, prompts with at least one of each. */
export function groupStats(groups: readonly CandidateGroup[]): { prompts: number; candidates: number; correct: number; solved: number; mixed: number } {
  let candidates = 0, correct = 0, solved = 0, mixed = 0;
  for (const g of groups) {
    const c = g.candidates.filter((x) => x.correct).length;
    candidates += g.candidates.length;
    correct += c;
    if (c > 0) solved++;
    if (c > 0 && c < g.candidates.length) mixed++;
  }
  return { prompts: groups.length, candidates, correct, solved, mixed };
}

/**
 * `n` tasks drawn without replacement from the first `pool` tasks of a split (default 8·n), by
 * reservoir sampling with `rng`: online learners get fresh, reproducible prompts each round.
 */
export async function drawTasks(source: TaskSource, split: TaskSplit, n: number, rng: Rng, pool = n * 8): Promise<Task[]> {
  const out: Task[] = [];
  let i = 0;
  for await (const t of source.tasks({ split, limit: pool })) {
    if (out.length < n) out.push(t);
    else {
      const j = rng.int(i + 1);
      if (j < n) out[j] = t;
    }
    i++;
  }
  return out;
}

/**
 * The groups a learner works on: the records or dataset it was given (offline), else a fresh
 * search of `tasks` training tasks with the current policy (online; expert iteration).
 */
export async function learnGroups(env: LearnEnv, tasks: number, learner: string): Promise<{ groups: CandidateGroup[]; online: boolean }> {
  if (env.records?.length) return { groups: groupsFromRecords(env.records), online: false };
  if (env.dataset?.length) return { groups: groupsFromDataset(env.dataset), online: false };
  if (env.records || env.dataset) throw nothingToLearn(learner, 'the given data has no records', 'run a search first (`reasoner run`) and pass its folder, or a JSONL of {prompt, solution, reward}');
  const drawn = await drawTasks(env.tasks, env.trainSplit, tasks, env.rng.fork('tasks'));
  if (drawn.length === 0) throw nothingToLearn(learner, `task source "${env.tasks.name}" has no ${env.trainSplit} tasks`, 'configure a task source with a training split');
  env.logger.info(`${learner}: searching ${drawn.length} ${env.trainSplit} tasks`);
  return { groups: groupsFromRecords(await env.rollout(drawn)), online: true };
}

/**
 * `reasoner data export --format …`: searched data in the layouts the big training engines
 * document, so a data set searched here trains a real model there (the search → distil loop for
 * models Reasoner cannot train itself).
 *
 * - `trl-sft`  TRL "prompt-completion" (standard format): {"prompt", "completion"} JSONL — SFTTrainer.
 * - `trl-dpo`  TRL "preference" with explicit prompt: {"prompt", "chosen", "rejected"} — DPOTrainer
 *              (also OpenRLHF's DPO/RM trainers with --prompt_key prompt --chosen_key chosen --rejected_key rejected).
 * - `trl-prm`  TRL "stepwise supervision": {"prompt", "completions": [step…], "labels": [bool…]} — PRMTrainer.
 * - `openrlhf` OpenRLHF's default keys: {"input", "output", "label"} — train_sft (--input_key input
 *              --output_key output) and PPO/REINFORCE prompt data (--input_key input --label_key label).
 * - `verl`     verl's RL data (Parquet): data_source, prompt (chat messages), ability,
 *              reward_model {style, ground_truth}, extra_info {split, index, prompt}; beside it
 *              `reasoner_reward.py`, a verl custom reward function that scores with `reasoner serve`.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReasonerError } from '../errors.js';
import type { Task } from '../types/task.js';
import { groupTask, sameText, type CandidateGroup } from './learn-data.js';
import { buildPairs } from './learn-pairs.js';

export const EXPORT_FORMATS = ['trl-sft', 'trl-dpo', 'trl-prm', 'openrlhf', 'verl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Distinct correct solutions per prompt (SFT formats; default 4). */
  perPrompt?: number;
  /** Pairs per prompt (trl-dpo; default 4). */
  pairsPerPrompt?: number;
  /** Splits a solution into steps (trl-prm; default one step per non-empty line). */
  splitSteps?: (text: string) => string[];
  /** Process scores of a step prefix, per step (trl-prm labels of incorrect solutions: score ≥ 0.5 = a good step). */
  scoreSteps?: (task: Task, steps: string[]) => Promise<number[]>;
  /** verl `data_source` (a task source name; see `verlDataSource`) and `ability` (default "reasoning"); `extra_info.split`. */
  dataSource?: string;
  ability?: string;
  split?: string;
}

/** Shortest distinct correct solutions; a completion cut at the token limit never ended, so it is no demonstration. */
const correctTexts = (g: CandidateGroup, n: number): string[] =>
  g.candidates.filter((c) => c.correct && !c.truncated && c.text.trim()).sort((a, b) => a.text.length - b.text.length).slice(0, n).map((c) => c.text);

export function trlSftRows(groups: readonly CandidateGroup[], o: ExportOptions = {}): Array<{ prompt: string; completion: string }> {
  return groups.flatMap((g) => correctTexts(g, o.perPrompt ?? 4).map((completion) => ({ prompt: g.prompt, completion })));
}

export function trlDpoRows(groups: readonly CandidateGroup[], o: ExportOptions = {}): Array<{ prompt: string; chosen: string; rejected: string }> {
  return buildPairs(groups, { by: 'correct', pairsPerPrompt: o.pairsPerPrompt ?? 4, minMargin: 0 }).pairs.map((p) => ({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected }));
}

/**
 * Step labels: every step of a correct solution is good; an incorrect one is labelled by the
 * process scorer when there is one (prompt-only checkers such as Countdown's `verifyPartial`),
 * and left out otherwise — a wrong final answer does not say which step was wrong.
 */
export async function trlPrmRows(groups: readonly CandidateGroup[], o: ExportOptions = {}): Promise<{ rows: Array<{ prompt: string; completions: string[]; labels: boolean[] }>; skipped: number }> {
  const split = o.splitSteps ?? ((t: string) => t.split('\n').map((s) => s.trim()).filter(Boolean));
  const rows: Array<{ prompt: string; completions: string[]; labels: boolean[] }> = [];
  let skipped = 0;
  for (const g of groups) {
    for (const c of g.candidates) {
      const steps = split(c.text);
      if (!steps.length) continue;
      if (c.correct) rows.push({ prompt: g.prompt, completions: steps, labels: steps.map(() => true) });
      else if (o.scoreSteps) {
        const s = await o.scoreSteps(groupTask(g), steps);
        rows.push({ prompt: g.prompt, completions: steps, labels: steps.map((_, i) => (s[i] ?? 0) >= 0.5) });
      } else skipped++;
    }
  }
  return { rows, skipped };
}

export function openrlhfRows(groups: readonly CandidateGroup[], o: ExportOptions = {}): Array<{ input: string; output: string; label: string }> {
  return groups.flatMap((g) => correctTexts(g, o.perPrompt ?? 4).map((output) => ({ input: g.prompt, output, label: g.gold ?? '' })));
}

export interface VerlRow {
  data_source: string;
  prompt: Array<{ role: string; content: string }>;
  ability: string;
  reward_model: { style: string; ground_truth: string };
  /** The prompt as plain text: the reward function sends it with the response (Countdown's numbers live there). */
  extra_info: { split: string; index: bigint; prompt: string };
}

/**
 * verl's `data_source` of a task source: `reasoner/<name>`. Not verl's own names (openai/gsm8k,
 * HuggingFaceH4/MATH-500): those route to verl's built-in scorers, which expect answer formats
 * ("#### 18", \boxed{}) Reasoner's prompts do not ask for, so they would score every response 0.
 * Rewards come from `reasoner_reward.py` (custom_reward_function), the same reward Reasoner uses.
 */
export function verlDataSource(taskSource: string | undefined): string {
  if (!taskSource) return 'reasoner';
  return taskSource.includes('/') ? taskSource : `reasoner/${taskSource}`;
}

/** One row per prompt (verl samples its own responses); ground_truth is the gold answer, as its rule rewards expect. */
export function verlRows(groups: readonly CandidateGroup[], o: ExportOptions = {}): VerlRow[] {
  return groups.map((g, i) => ({
    data_source: verlDataSource(o.dataSource), prompt: [{ role: 'user', content: g.prompt }], ability: o.ability ?? 'reasoning',
    // ground_truth is a string column; '' = no gold answer (reasoner_reward.py then sends none).
    reward_model: { style: 'rule', ground_truth: g.gold ?? '' }, extra_info: { split: o.split ?? 'train', index: BigInt(i), prompt: g.prompt },
  }));
}

/** verl's custom reward function (Python, stdlib only) that asks a Reasoner server's `/get_reward`. */
export const VERL_REWARD_FILE = 'reasoner_reward.py';
const verlRewardSource = fileURLToPath(new URL('../../assets/verl_reward.py', import.meta.url));

/** verl reads Parquet: nested columns with the standard LIST / struct encoding (pandas/pyarrow read them as lists of dicts). */
async function writeVerlParquet(file: string, rows: VerlRow[]): Promise<void> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const str = (name: string, repetition_type: 'REQUIRED' | 'OPTIONAL' = 'OPTIONAL') => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type });
  const schema = [
    { name: 'root', num_children: 5 },
    str('data_source'),
    { name: 'prompt', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL' as const, num_children: 2 },
    str('content'), str('role'),
    str('ability'),
    { name: 'reward_model', repetition_type: 'OPTIONAL' as const, num_children: 2 },
    str('ground_truth'), str('style'),
    { name: 'extra_info', repetition_type: 'OPTIONAL' as const, num_children: 3 },
    { name: 'index', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const }, str('prompt'), str('split'),
  ];
  const buf = parquetWriteBuffer({
    schema,
    columnData: [
      { name: 'data_source', data: rows.map((r) => r.data_source) },
      { name: 'prompt', data: rows.map((r) => r.prompt.map((m) => ({ content: m.content, role: m.role }))) },
      { name: 'ability', data: rows.map((r) => r.ability) },
      { name: 'reward_model', data: rows.map((r) => ({ ground_truth: r.reward_model.ground_truth, style: r.reward_model.style })) },
      { name: 'extra_info', data: rows.map((r) => ({ index: r.extra_info.index, prompt: r.extra_info.prompt, split: r.extra_info.split })) },
    ],
  } as never);
  await writeFile(file, Buffer.from(buf));
}

/** Rows of any format (verl rows for Parquet). */
export async function exportRows(format: ExportFormat, groups: readonly CandidateGroup[], o: ExportOptions = {}): Promise<{ rows: unknown[]; skipped: number }> {
  switch (format) {
    case 'trl-sft': return { rows: trlSftRows(groups, o), skipped: 0 };
    case 'trl-dpo': return { rows: trlDpoRows(groups, o), skipped: 0 };
    case 'trl-prm': return trlPrmRows(groups, o);
    case 'openrlhf': return { rows: openrlhfRows(groups, o), skipped: 0 };
    case 'verl': return { rows: verlRows(groups, o), skipped: 0 };
  }
}

/** Writes `format` to `file` (JSONL, or Parquet for verl); refuses an empty result with the reason. */
export async function writeExport(format: ExportFormat, groups: readonly CandidateGroup[], file: string, o: ExportOptions = {}): Promise<{ records: number; skipped: number; rewardFunction?: string }> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ReasonerError('RSN_ERR_USAGE', `unknown export format "${format}"`, { hint: `use one of: ${EXPORT_FORMATS.join(', ')}` });
  }
  const { rows, skipped } = await exportRows(format, groups, o);
  if (rows.length === 0) {
    const why = format === 'trl-dpo' ? 'no prompt has both a correct and an incorrect candidate (identical texts are not pairs)'
      : format === 'verl' ? 'there are no prompts' : 'no candidate is correct';
    throw new ReasonerError('RSN_ERR_DATASET', `nothing to export as ${format}: ${why}`, { hint: 'export a run searched with several samples per prompt (e.g. best-of-16), whose records keep every candidate' });
  }
  if (format === 'verl') {
    await writeVerlParquet(file, rows as VerlRow[]);
    const rewardFunction = path.join(path.dirname(file), VERL_REWARD_FILE);
    await copyFile(verlRewardSource, rewardFunction);
    return { records: rows.length, skipped, rewardFunction };
  }
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { records: rows.length, skipped };
}

export { sameText };

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CandidateGroup } from './learn-data.js';
import { verlDataSource, writeExport } from './export-formats.js';

const dir = mkdtempSync(path.join(tmpdir(), 'export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const groups: CandidateGroup[] = [
  { taskId: 't1', prompt: '3 4 5>17\n', gold: '17', candidates: [
    { text: '3*4=12\n12+5=17\n=17', correct: true, reward: 1, answer: '17', tokens: 17 },
    { text: '3+4=7\n7+5=12\n=17', correct: false, reward: 0, answer: '17', tokens: 15 },
  ] },
  { taskId: 't2', prompt: '2 9>18\n', gold: '18', candidates: [{ text: '2*9=18\n=18', correct: true, reward: 1, answer: '18', tokens: 9 }] },
];
const jsonl = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

// Field names as the projects document them: TRL "Dataset formats and types" (prompt-completion,
// preference with explicit prompt, stepwise supervision), OpenRLHF's default --input_key input /
// --output_key / --label_key label, verl's "Prepare Data for Post-Training" (data_source, prompt,
// ability, reward_model{style, ground_truth}, extra_info{split, index}).
describe('data export formats', () => {
  it('trl-sft: {prompt, completion} per correct candidate', async () => {
    const f = path.join(dir, 'sft.jsonl');
    expect((await writeExport('trl-sft', groups, f)).records).toBe(2);
    expect(jsonl(f)[0]).toEqual({ prompt: '3 4 5>17\n', completion: '3*4=12\n12+5=17\n=17' });
    // A correct completion cut at the token limit never ended: no demonstration.
    const cut: CandidateGroup[] = [{ ...groups[1]!, candidates: [{ ...groups[1]!.candidates[0]!, truncated: true }] }, groups[0]!];
    expect((await writeExport('trl-sft', cut, f)).records).toBe(1);
  });
  it('trl-dpo: {prompt, chosen, rejected} of one prompt', async () => {
    const f = path.join(dir, 'dpo.jsonl');
    await writeExport('trl-dpo', groups, f);
    expect(jsonl(f)).toEqual([{ prompt: '3 4 5>17\n', chosen: '3*4=12\n12+5=17\n=17', rejected: '3+4=7\n7+5=12\n=17' }]);
  });
  it('trl-prm: {prompt, completions, labels} with step labels from the process scorer', async () => {
    const f = path.join(dir, 'prm.jsonl');
    const r = await writeExport('trl-prm', groups, f, { scoreSteps: async (_t, steps) => steps.map((s) => (s.startsWith('7+5') || s === '=17' ? 0 : 1)) });
    expect(r.records).toBe(3);
    const rows = jsonl(f);
    expect(Object.keys(rows[0]).sort()).toEqual(['completions', 'labels', 'prompt']);
    expect(rows[1]).toEqual({ prompt: '3 4 5>17\n', completions: ['3+4=7', '7+5=12', '=17'], labels: [true, false, false] });
    // Without a scorer, a wrong solution's step labels are unknown: it is left out, not guessed.
    expect((await writeExport('trl-prm', groups, f)).skipped).toBe(1);
  });
  it('openrlhf: {input, output, label}', async () => {
    const f = path.join(dir, 'orl.jsonl');
    await writeExport('openrlhf', groups, f);
    expect(jsonl(f)[1]).toEqual({ input: '2 9>18\n', output: '2*9=18\n=18', label: '18' });
  });
  it('verl: Parquet with nested prompt messages, reward_model and extra_info', async () => {
    const f = path.join(dir, 'train.parquet');
    const res = await writeExport('verl', groups, f, { dataSource: 'task-countdown', ability: 'math' });
    const { parquetReadObjects } = await import('hyparquet');
    const buf = readFileSync(f);
    const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      data_source: 'reasoner/task-countdown', prompt: [{ content: '3 4 5>17\n', role: 'user' }], ability: 'math',
      reward_model: { ground_truth: '17', style: 'rule' }, extra_info: { index: 0n, prompt: '3 4 5>17\n', split: 'train' },
    });
    // The custom reward function verl loads (custom_reward_function.path) lands beside the data.
    expect(res.rewardFunction).toBe(path.join(dir, 'reasoner_reward.py'));
    expect(readFileSync(res.rewardFunction!, 'utf8')).toContain('def compute_score(data_source, solution_str, ground_truth, extra_info=None');
    // Never verl's own names (its built-in scorers expect answer formats our prompts do not ask for).
    expect(['gsm8k', 'math500', undefined, 'me/x'].map(verlDataSource)).toEqual(['reasoner/gsm8k', 'reasoner/math500', 'reasoner', 'me/x']);
  });
  it('nothing to export: RSN_ERR_DATASET with the reason', async () => {
    const allRight = [groups[1]!];
    await expect(writeExport('trl-dpo', allRight, path.join(dir, 'x.jsonl'))).rejects.toMatchObject({ code: 'RSN_ERR_DATASET', message: expect.stringContaining('both a correct and an incorrect') });
  });
});

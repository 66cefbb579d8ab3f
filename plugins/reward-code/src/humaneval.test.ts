import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createHumanEvalSource } from '@reasoner/plugin-task-humaneval';
import type { Task } from '@reasoner/core';
import { createCodeReward } from './plugin.js';
import { SlotPool } from './pool.js';

async function allTasks(): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of createHumanEvalSource().tasks()) out.push(t);
  return out;
}

describe('HumanEval through the reward (sandboxed, pooled)', () => {
  const reward = createCodeReward({ timeoutMs: 15_000 });
  const pool = new SlotPool(); // only to fan the 164 scores out; the reward's runner bounds the sandboxes

  it('all 164 canonical solutions pass; the prompt alone fails every one', async () => {
    const tasks = await allTasks();
    expect(tasks).toHaveLength(164);
    const started = performance.now();
    const good = await pool.map(tasks, (t) => reward.score(t, t.solution!));
    const bad = await pool.map(tasks, (t) => reward.score(t, ''));
    const ms = performance.now() - started;
    const failures = good.flatMap((r, i) => (r.correct ? [] : [`${tasks[i]!.id}: ${String(r.detail?.status)} ${String(r.detail?.stderr)}`]));
    expect(failures).toEqual([]);
    expect(good.every((r) => r.value === 1)).toBe(true);
    const passedEmpty = bad.flatMap((r, i) => (r.correct ? [tasks[i]!.id] : []));
    expect(passedEmpty).toEqual([]);
    expect(bad.every((r) => r.value === 0)).toBe(true);
    console.log(`HumanEval: 328 sandboxed runs in ${Math.round(ms)} ms`);
  }, 120_000);

  it('partial credit gives the fraction of check() statements that pass', async () => {
    const tasks = await allTasks();
    const t = tasks.find((x) => x.id === 'HumanEval/0')!;
    const partial = createCodeReward({ partialCredit: true });
    // wrong on purpose: "close" means <= instead of <, which some asserts catch and others do not
    const wrong = '    return any(abs(a - b) <= threshold * 3 for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j)\n';
    const r = await partial.score(t, wrong);
    expect(r.correct).toBe(false);
    expect(r.value).toBeGreaterThan(0);
    expect(r.value).toBeLessThan(1);
    expect(r.detail).toMatchObject({ status: 'failed', total: 7 });
    const full = await partial.score(t, t.solution!);
    expect(full).toMatchObject({ value: 1, correct: true, detail: { passedCount: 7, total: 7 } });
  });

  it('accepts a chat answer with a fenced block that redefines the function', async () => {
    const tasks = await allTasks();
    const t = tasks.find((x) => x.id === 'HumanEval/2')!; // truncate_number
    const answer = 'Sure! Here is the code:\n\n```python\ndef truncate_number(number: float) -> float:\n    return number % 1.0\n```\n\nThis works because…';
    expect(await reward.score(t, answer)).toMatchObject({ value: 1, correct: true });
    const wrong = '```python\ndef truncate_number(number: float) -> float:\n    return number\n```';
    expect(await reward.score(t, wrong)).toMatchObject({ value: 0, correct: false, detail: { status: 'failed' } });
  });
});

// Broken programs: canonical solutions with one small mutation each, kept only when plain
// `python3` (no sandbox, no harness: program + tests + check() in one script) shows they fail.
const MUTATIONS: Array<[RegExp, string]> = [
  [/ < /, ' <= '], [/ > /, ' >= '], [/ == /, ' != '], [/\+ 1\b/, '+ 2'], [/- 1\b/, '- 2'], [/return True/, 'return False'],
  [/return False/, 'return True'], [/\bmin\(/, 'max('], [/\bmax\(/, 'min('], [/ and /, ' or '], [/\[0\]/, '[1]'], [/ \+ /, ' - '],
];

function failsPlainPython(source: string): Promise<boolean> {
  // a mutant that loops forever is not kept: it would only measure the timeout
  return new Promise((resolve) => execFile('/usr/bin/python3', ['-c', source], { timeout: 3000 }, (err) => resolve(err !== null && !err.killed)));
}

async function brokenPrograms(tasks: Task[], want: number): Promise<Array<{ task: Task; program: string }>> {
  const out: Array<{ task: Task; program: string }> = [];
  const pool = new SlotPool();
  for (let i = 0; i < tasks.length && out.length < want; i += 8) {
    const batch = tasks.slice(i, i + 8).flatMap((task) => {
      const m = MUTATIONS.find(([re]) => re.test(task.solution!));
      return m ? [{ task, program: task.solution!.replace(m[0], m[1]) }] : [];
    });
    const fails = await pool.map(batch, (b) => failsPlainPython(`${b.task.prompt}${b.program}\n${b.task.tests!.code}\ncheck(${b.task.tests!.entryPoint})\n`));
    out.push(...batch.filter((_, j) => fails[j]));
  }
  return out.slice(0, want);
}

let brokenOnce: Promise<Array<{ task: Task; program: string }>> | undefined;
describe.each([{ prefork: true }, { prefork: false }])('40 broken HumanEval programs fail %o', ({ prefork }) => {
  it('every one is scored 0', async () => {
    const broken = await (brokenOnce ??= allTasks().then((t) => brokenPrograms(t, 40)));
    expect(broken).toHaveLength(40);
    const reward = createCodeReward({ timeoutMs: 15_000, prefork });
    const results = await new SlotPool().map(broken, (b) => reward.score(b.task, b.program));
    expect(results.flatMap((r, i) => (r.correct || r.value !== 0 ? [broken[i]!.task.id] : []))).toEqual([]);
    await reward.close?.();
  }, 120_000);
});

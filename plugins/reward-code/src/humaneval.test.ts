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

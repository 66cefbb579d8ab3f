import { describe, expect, it } from 'vitest';
import { createLogger, createRng, createHooks, splitOfKey } from '@reasoner/core';
import type { PluginContext, Task } from '@reasoner/core';
import plugin, {
  applyOp, countdownAlphabet, countdownKey, countdownSource, generateCountdown, noisySolution, parsePrompt,
  solveCountdown, verifyCountdown, verifyCountdownPartial,
} from './index.js';
import type { CountdownOp } from './index.js';

const task = (numbers: number[], target: number): Task => ({ id: 't', prompt: `${numbers.join(' ')}>${target}\n`, answer: String(target) });

/** Unpruned exhaustive search: is `target` reachable in at most `steps` steps? */
function bruteReachable(pool: number[], target: number, steps: number): boolean {
  if (pool.includes(target)) return true;
  if (steps === 0) return false;
  for (let i = 0; i < pool.length; i++) for (let j = 0; j < pool.length; j++) {
    if (i === j) continue;
    for (const op of ['+', '-', '*', '/'] as CountdownOp[]) {
      const c = applyOp(pool[i]!, op, pool[j]!);
      if (c === undefined) continue;
      const rest = pool.filter((_, k) => k !== i && k !== j);
      if (bruteReachable([...rest, c], target, steps - 1)) return true;
    }
  }
  return false;
}

describe('generation', () => {
  it('every generated problem is solvable and its solution verifies, for 3, 4 and 5 numbers', () => {
    const rng = createRng(7);
    for (const n of [3, 4, 5]) {
      for (let i = 0; i < 600; i++) {
        const t = generateCountdown(rng, { numbers: n });
        expect(t.meta.numbers).toHaveLength(n);
        expect(t.meta.target).toBeGreaterThanOrEqual(10);
        expect(t.meta.target).toBeLessThanOrEqual(100);
        expect(t.meta.level).toBeGreaterThanOrEqual(2);
        expect(parsePrompt(t.prompt)).toEqual({ numbers: t.meta.numbers, target: t.meta.target });
        const v = verifyCountdown(t, t.solution);
        expect(v, t.solution).toMatchObject({ correct: true, answer: t.answer });
        expect(v.steps).toEqual(new Array(t.meta.level + 1).fill(1));
      }
    }
  });

  it('minSteps / maxSteps select the level', async () => {
    const src = countdownSource({ sizes: [4], minSteps: 3, maxSteps: 3, testSize: 100 });
    for await (const t of src.tasks({ split: 'test' })) expect((t.meta as { level: number }).level).toBe(3);
  });

  it('the stored solution is a shortest one (checked against an unpruned exhaustive search)', () => {
    const rng = createRng(3);
    for (let i = 0; i < 150; i++) {
      const t = generateCountdown(rng, { numbers: 4, maxNumber: 12, minSteps: 1 });
      expect(bruteReachable(t.meta.numbers, t.meta.target, t.meta.level)).toBe(true);
      expect(bruteReachable(t.meta.numbers, t.meta.target, t.meta.level - 1)).toBe(false);
    }
  });

  it('solveCountdown returns only valid shortest solutions, and none when unreachable', () => {
    const sols = solveCountdown([3, 7, 25, 4], 107);
    expect(sols.length).toBeGreaterThan(0);
    const len = sols[0]!.length;
    for (const s of sols) {
      expect(s).toHaveLength(len);
      const text = s.map((x) => `${x.a}${x.op}${x.b}=${x.c}`).join('\n') + '\n=107\n';
      expect(verifyCountdown(task([3, 7, 25, 4], 107), text).correct).toBe(true);
    }
    expect(len).toBe(2);
    expect(solveCountdown([3, 7, 25, 4], 89)).toEqual([]); // 89 is out of reach
    expect(solveCountdown([1, 1, 1], 50)).toEqual([]);
    expect(solveCountdown([5, 9], 9)).toEqual([[]]);
  });

  it('prompts and solutions only use the alphabet', () => {
    const rng = createRng(11);
    const alphabet = new Set(countdownAlphabet);
    for (let i = 0; i < 300; i++) {
      const t = generateCountdown(rng, { numbers: 3 + (i % 3) });
      expect([...(t.prompt + t.solution + noisySolution(t, rng, { noise: 0.9 }))].filter((ch) => !alphabet.has(ch))).toEqual([]);
    }
  });
});

describe('splits', () => {
  const ids = async (src: ReturnType<typeof countdownSource>, split: 'train' | 'validation' | 'test', limit?: number): Promise<Task[]> => {
    const out: Task[] = [];
    for await (const t of src.tasks({ split, limit })) out.push(t);
    return out;
  };
  const keyOf = (t: Task): string => countdownKey((t.meta as { numbers: number[] }).numbers, Number(t.answer));

  it('train, validation and test are disjoint, across seeds too', async () => {
    const train = new Set((await ids(countdownSource({ seed: 0 }), 'train', 20_000)).map(keyOf));
    expect(train.size).toBe(20_000);
    for (const seed of [0, 1, 2]) {
      const src = countdownSource({ seed });
      const test = (await ids(src, 'test')).map(keyOf);
      const val = (await ids(src, 'validation')).map(keyOf);
      expect(test).toHaveLength(500);
      expect(new Set(test).size).toBe(500);
      for (const k of test) expect(train.has(k)).toBe(false);
      for (const k of val) expect(train.has(k) || test.includes(k)).toBe(false);
      for (const k of test) expect(splitOfKey(k)).toBe('test');
    }
  });

  it('order is stable per seed; another seed draws other problems', async () => {
    const a = (await ids(countdownSource({ seed: 5 }), 'test', 50)).map((t) => t.id);
    const b = (await ids(countdownSource({ seed: 5 }), 'test', 50)).map((t) => t.id);
    const c = (await ids(countdownSource({ seed: 6 }), 'test', 50)).map((t) => t.id);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect((await ids(countdownSource({ seed: 5 }), 'test', 10)).map((t) => t.id)).toEqual(a.slice(0, 10));
  });

  it('the plugin applies defaults when setup is called directly, and counts', async () => {
    const ctx = { hooks: createHooks(), logger: createLogger('silent'), configDir: '.', rng: createRng(0), onClose() {}, service: () => undefined } as unknown as PluginContext;
    const src = await plugin.definition.setup(ctx, {} as never);
    expect(await src.count!({ split: 'test' })).toBe(500);
    expect(await src.count!({ split: 'train', limit: 7 })).toBe(7);
    let n = 0;
    for await (const t of src.tasks({ split: 'validation', limit: 5 })) { n++; expect((await src.verify!(t, t.solution!)).correct).toBe(true); }
    expect(n).toBe(5);
  });

  it('a too-narrow problem space fails with RSN_ERR_TASK instead of looping', async () => {
    const src = countdownSource({ maxNumber: 2, sizes: [3], minTarget: 10, testSize: 50 });
    await expect(ids(src, 'test')).rejects.toMatchObject({ code: 'RSN_ERR_TASK' });
  });
});

describe('verifier', () => {
  const t = task([3, 7, 25, 4], 89);

  it('judges the final value against the target and each step on its own', () => {
    const cases: Array<[string, boolean, number[]]> = [
      ['25*4=100\n7+3=10\n100-10=90\n=90\n', false, [1, 1, 1, 1]], // valid steps, wrong target
      ['25*4=100\n7+3=10\n100-10=90\n90-1=89\n=89', false, [1, 1, 1, 0, 0]], // 1 is not available, so 89 is not either
      ['25*4=100\n100-7=93\n93-4=89\n=89', false, [1, 1, 0, 0]], // 4 already used
      ['3*25=75\n7+75=82\n4+82=86\n=86', false, [1, 1, 1, 1]], // smaller operand first is fine for + and *
      ['7-4=3\n25+3=28\n28*3=84\n=84', false, [1, 1, 1, 1]], // a produced 3 and the original 3
    ];
    for (const [sol, correct, steps] of cases) expect(verifyCountdown(t, sol), sol).toMatchObject({ correct, steps });
    expect(verifyCountdown(t, '25*4=100\n7+3=10\n100-10=90\n=90').answer).toBe('90');
  });

  it('accepts a correct solution and marks each step', () => {
    const t2 = task([3, 7, 25, 4], 107);
    const sol = '25*4=100\n100+7=107\n=107\n';
    expect(verifyCountdown(t2, sol)).toMatchObject({ correct: true, answer: '107', steps: [1, 1, 1] });
    expect(verifyCountdown(t2, sol.trimEnd())).toMatchObject({ correct: true });
  });

  it('rejects corrupted solutions: wrong arithmetic, reused numbers, negative, inexact, wrong or missing final line, junk', () => {
    const t2 = task([3, 7, 25, 4], 107);
    const cases: Array<[string, number[]]> = [
      ['25*4=101\n101+6=107\n=107\n', [0, 0, 0]], // wrong result; 6 is not available, so neither is 107
      ['25*4=100\n100+7=107\n', [1, 1]], // no final line
      ['25*4=100\n100+7=107\n=100\n', [1, 1, 0]], // final value not available
      ['25*4=100\n100+7=107\n=107\n3+4=7\n', [1, 1, 1, 0]], // text after the final line
      ['4*4=16\n16+7=23\n=23\n', [0, 0, 0]], // 4 used twice
      ['3-7=4\n', [0]], // negative intermediate (written as a wrong result)
      ['7/3=2\n', [0]], // inexact division
      ['25 * 4 = 100\n', [0]], // not the format
      ['025*4=100\n', [0]],
      ['<\n', [0]], // nothing to backtrack
    ];
    for (const [sol, steps] of cases) expect(verifyCountdown(t2, sol), sol).toMatchObject({ correct: false, steps });
  });

  it('corrupting any digit of a generated solution makes it incorrect (or it stays a valid solution)', () => {
    const rng = createRng(21);
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const g = generateCountdown(rng, { numbers: 3 + (i % 3) });
      const digits = [...g.solution].flatMap((ch, k) => (/[0-9]/.test(ch) ? [k] : []));
      const k = digits[rng.int(digits.length)]!;
      const bad = g.solution.slice(0, k) + String((Number(g.solution[k]) + 1 + rng.int(9)) % 10) + g.solution.slice(k + 1);
      const v = verifyCountdown(g, bad);
      if (!v.correct) { rejected++; expect(v.steps).toContain(0); }
    }
    expect(rejected).toBe(300);
  });

  it('backtracking undoes steps, so a dead end followed by < is still correct', () => {
    const t2 = task([3, 7, 25, 4], 107);
    expect(verifyCountdown(t2, '3+4=7\n7*7=49\n<<\n25*4=100\n100+7=107\n=107\n')).toMatchObject({ correct: true, steps: [1, 1, 1, 1, 1, 1] });
    expect(verifyCountdown(t2, '25*4=99\n<\n25*4=100\n100+7=107\n=107\n')).toMatchObject({ correct: true, steps: [0, 1, 1, 1, 1] });
    // without the backtrack the 7 is gone
    expect(verifyCountdown(t2, '3+4=7\n7*7=49\n25*4=100\n100+7=107\n=107\n').correct).toBe(false);
    expect(verifyCountdown(t2, '3+4=7\n<\n<\n=107\n').steps).toEqual([1, 1, 0, 0]);
  });

  it('verifyPartial reports validity and whether the target is still reachable', () => {
    const t2 = task([3, 7, 25, 4], 107);
    expect(verifyCountdownPartial(t2, ['25*4=100']).detail).toMatchObject({ valid: true, reachable: true, complete: false });
    expect(verifyCountdownPartial(t2, ['25*4=100']).correct).toBe(false);
    expect(verifyCountdownPartial(t2, ['7-3=4', '4*4=16']).detail).toMatchObject({ reachable: false });
    expect(verifyCountdownPartial(t2, ['25*4=100\n', '100+7=107\n', '=107\n'])).toMatchObject({ correct: true, steps: [1, 1, 1] });
    expect(verifyCountdownPartial(t2, ['25*4=101'])).toMatchObject({ steps: [0], detail: { valid: false, reachable: false } });
    expect(verifyCountdownPartial(t2, [])).toMatchObject({ steps: [], detail: { reachable: true } });
  });

  it('throws RSN_ERR_TASK for a task that is not a countdown problem', () => {
    expect(() => verifyCountdown({ id: 'x', prompt: 'what is 2+2?' }, '=4')).toThrow(expect.objectContaining({ code: 'RSN_ERR_TASK' }));
  });
});

describe('noisy solutions', () => {
  const rng = createRng(99);
  const tasks = Array.from({ length: 400 }, (_, i) => generateCountdown(rng, { numbers: 3 + (i % 3) }));

  it('noise 0 gives a correct shortest solution', () => {
    for (const t of tasks) {
      const s = noisySolution(t, rng, { noise: 0 });
      expect(verifyCountdown(t, s).correct).toBe(true);
      expect(s.split('\n').length - 2).toBe(t.meta.level);
    }
  });

  it('recovered noise (detours, fixed slips) stays correct and is longer; unrecovered slips are always wrong', () => {
    let longer = 0, withBacktrack = 0, withBadStep = 0;
    for (const t of tasks) {
      const s = noisySolution(t, rng, { noise: 0.9, unrecovered: 0 });
      const v = verifyCountdown(t, s);
      expect(v.correct, s).toBe(true);
      if (s.length > t.solution.length) longer++;
      if (s.includes('<')) withBacktrack++;
      if (v.steps!.includes(0)) withBadStep++;
      const w = noisySolution(t, rng, { noise: 1, unrecovered: 1 });
      expect(verifyCountdown(t, w).correct, w).toBe(false);
    }
    expect(longer).toBeGreaterThan(300);
    expect(withBacktrack).toBeGreaterThan(300);
    expect(withBadStep).toBeGreaterThan(50);
  });

  it('the default mix gives a substantial share of correct and incorrect solutions', () => {
    let correct = 0;
    for (const t of tasks) if (verifyCountdown(t, noisySolution(t, rng)).correct) correct++;
    expect(correct / tasks.length).toBeGreaterThan(0.6);
    expect(correct / tasks.length).toBeLessThan(0.97);
  });
});

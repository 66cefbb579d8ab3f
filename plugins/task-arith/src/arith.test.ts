import { describe, expect, it } from 'vitest';
import { createRng } from '@reasoner/core';
import type { Task } from '@reasoner/core';
import { splitOfKey } from '@reasoner/core';
import plugin, { arithAlphabet, arithKey, arithSource, generateArith, makeArithTask, noisySolution, verifyArith, verifyArithPartial } from './index.js';

const collect = async (src: ReturnType<typeof arithSource>, split: 'train' | 'validation' | 'test', limit?: number): Promise<Task[]> => {
  const out: Task[] = [];
  for await (const t of src.tasks({ split, limit })) out.push(t);
  return out;
};

describe('scratchpad format', () => {
  it('writes carries, borrows and partial products as documented', () => {
    expect(makeArithTask({ a: 4821, op: '+', b: 937 })).toMatchObject({
      prompt: '4821+937\n', answer: '5758', solution: '1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5758\n',
    });
    expect(makeArithTask({ a: 999, op: '+', b: 1 }).solution).toBe('9+1+0=10\n9+0+1=10\n9+0+1=10\n=1000\n');
    expect(makeArithTask({ a: 503, op: '-', b: 87 }).solution).toBe('3-7-0=-4\n0-8-1=-9\n5-0-1=4\n=416\n');
    expect(makeArithTask({ a: 1000, op: '-', b: 999 }).solution).toBe('0-9-0=-9\n0-9-1=-10\n0-9-1=-10\n1-0-1=0\n=1\n');
    expect(makeArithTask({ a: 4821, op: '*', b: 307 }).solution).toBe('4821*7=33747\n4821*0=0\n4821*300=1446300\n33747+0=33747\n33747+1446300=1480047\n=1480047\n');
    expect(makeArithTask({ a: 123, op: '*', b: 4 }).solution).toBe('123*4=492\n=492\n');
  });

  it('every generated solution verifies, for every op, with one 1 per line', () => {
    const rng = createRng(1);
    for (let i = 0; i < 3000; i++) {
      const t = generateArith(rng, { minDigits: 1 + (i % 5), maxDigits: 5, maxMultiplierDigits: 1 + (i % 3) });
      const v = verifyArith(t, t.solution);
      expect(v, t.prompt + t.solution).toMatchObject({ correct: true, answer: t.answer });
      expect(v.steps).toEqual(new Array(t.meta.level + 1).fill(1));
      expect(Number(t.answer)).toBe(t.meta.op === '+' ? t.meta.a + t.meta.b : t.meta.op === '-' ? t.meta.a - t.meta.b : t.meta.a * t.meta.b);
      expect([...(t.prompt + t.solution + noisySolution(t, rng, { noise: 0.9 }))].filter((ch) => !arithAlphabet.includes(ch))).toEqual([]);
    }
  });
});

describe('verifier', () => {
  const t = makeArithTask({ a: 4821, op: '+', b: 937 });

  it('rejects corrupted solutions and marks the bad step', () => {
    const cases: Array<[string, number[]]> = [
      ['1+7+0=8\n2+3+0=6\n8+9+0=17\n4+0+1=5\n=5768\n', [1, 0, 1, 1, 1]], // slip, carried through consistently
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+0=4\n=4758\n', [1, 1, 1, 0, 1]], // dropped carry
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5759\n', [1, 1, 1, 1, 0]], // final line does not follow
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n=758\n', [1, 1, 1, 0]], // a column missing
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n', [1, 1, 1, 1]], // no final line
      ['=5758\n', [0]], // bare answer without the work
      ['7+1+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5758\n', [0, 1, 1, 1, 1]], // operands in the wrong order
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n9+9+9=27\n=5758\n', [1, 1, 1, 1, 0, 0]], // extra step
      ['1+7+0=8\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5758\n=5758\n', [1, 1, 1, 1, 1, 0]], // text after final
    ];
    for (const [sol, steps] of cases) expect(verifyArith(t, sol), sol).toMatchObject({ correct: false, steps });
  });

  it('corrupting any digit of a generated solution is caught', () => {
    const rng = createRng(5);
    for (let i = 0; i < 500; i++) {
      const g = generateArith(rng);
      const digits = [...g.solution].flatMap((ch, k) => (/[0-9]/.test(ch) ? [k] : []));
      const k = digits[rng.int(digits.length)]!;
      const bad = g.solution.slice(0, k) + String((Number(g.solution[k]) + 1 + rng.int(9)) % 10) + g.solution.slice(k + 1);
      const v = verifyArith(g, bad);
      expect(v.correct, `${g.prompt}${bad}`).toBe(false);
      expect(v.steps).toContain(0);
    }
  });

  it('a slip followed by < and the right line is correct', () => {
    expect(verifyArith(t, '1+7+0=8\n2+3+0=6\n<\n2+3+0=5\n8+9+0=17\n4+0+1=5\n=5758\n')).toMatchObject({ correct: true, steps: [1, 0, 1, 1, 1, 1, 1] });
    expect(verifyArith(t, '<<\n')).toMatchObject({ correct: false, steps: [0] });
  });

  it('verifyPartial checks a prefix', () => {
    expect(verifyArithPartial(t, ['1+7+0=8', '2+3+0=5'])).toMatchObject({ correct: false, steps: [1, 1], detail: { valid: true, complete: false } });
    expect(verifyArithPartial(t, ['1+7+0=8\n', '2+3+0=4\n'])).toMatchObject({ steps: [1, 0], detail: { valid: false } });
  });

  it('parses the prompt when meta is missing, and rejects non-arith prompts with RSN_ERR_TASK', () => {
    expect(verifyArith({ id: 'x', prompt: '12*3\n' }, '12*3=36\n=36\n').correct).toBe(true);
    expect(() => verifyArith({ id: 'x', prompt: 'hello' }, '=1')).toThrow(expect.objectContaining({ code: 'RSN_ERR_TASK' }));
  });
});

describe('noisy solutions', () => {
  const rng = createRng(9);
  const tasks = Array.from({ length: 500 }, () => generateArith(rng));

  it('noise 0 is the clean solution; recovered slips stay correct; unrecovered ones are wrong', () => {
    for (const t of tasks) {
      expect(noisySolution(t, rng, { noise: 0 })).toBe(t.solution);
      const fixed = noisySolution(t, rng, { noise: 1, unrecovered: 0 });
      expect(fixed).toContain('<');
      expect(verifyArith(t, fixed).correct, fixed).toBe(true);
      const wrong = noisySolution(t, rng, { noise: 1, unrecovered: 1 });
      const v = verifyArith(t, wrong);
      expect(v.correct, wrong).toBe(false);
      expect(v.steps!.filter((s) => s === 0).length).toBeGreaterThan(0);
      expect(v.steps![v.steps!.length - 1]).toBe(1); // the final line follows from the (wrong) steps
    }
  });
});

describe('task source', () => {
  it('splits are disjoint across seeds; order is stable', async () => {
    const train = new Set((await collect(arithSource({ seed: 0 }), 'train', 20_000)).map((t) => arithKey(t.meta as never)));
    for (const seed of [0, 1]) {
      const test = await collect(arithSource({ seed }), 'test');
      expect(test).toHaveLength(500);
      for (const x of test) {
        expect(train.has(arithKey(x.meta as never))).toBe(false);
        expect(splitOfKey(arithKey(x.meta as never))).toBe('test');
      }
    }
    const a = (await collect(arithSource({ seed: 3 }), 'validation', 20)).map((x) => x.id);
    expect((await collect(arithSource({ seed: 3 }), 'validation', 20)).map((x) => x.id)).toEqual(a);
  });

  it('the plugin fills defaults when setup is called directly, and verifies', async () => {
    const src = await plugin.definition.setup({} as never, {} as never);
    expect(await src.count!({ split: 'test' })).toBe(500);
    for await (const t of src.tasks({ split: 'test', limit: 3 })) expect((await src.verify!(t, t.solution!)).correct).toBe(true);
  });

  it('bad options fail with RSN_ERR_TASK', () => {
    expect(() => generateArith(createRng(0), { ops: ['*'], maxDigits: 14, maxMultiplierDigits: 4 })).toThrow(expect.objectContaining({ code: 'RSN_ERR_TASK' }));
  });
});

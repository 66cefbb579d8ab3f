import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLatex, tryEvaluate, warmUp } from './cas.js';
import { isEquivalent } from './equivalence.js';
import { extractAnswer } from './extract.js';
import { normalizeAnswer } from './normalize.js';
import { parseValue } from './structure.js';
import { verify } from './verify.js';

function jsonl<T>(rel: string): T[] {
  const text = readFileSync(new URL(rel, import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

interface Gsm { question: string; answer: string }
interface MathRow { solution: string; answer: string; unique_id: string }

const gsm = jsonl<Gsm>('../../task-gsm8k/data/test.jsonl');
const math = jsonl<MathRow>('../../task-math/data/test.jsonl');

beforeAll(() => warmUp());

describe('GSM8K test gold solutions', () => {
  it('extractAnswer gives the #### answer for every solution (1319/1319)', () => {
    const misses = gsm.filter((r) => extractAnswer(r.answer) !== r.answer.split('####').pop()!.trim());
    expect(gsm.length).toBe(1319);
    expect(misses).toEqual([]);
  });

  it('without the #### line, the last-number fallback still agrees on ≥ 96 % (measured 1281/1319)', () => {
    const agree = gsm.filter((r) => {
      const gold = r.answer.split('####').pop()!.trim();
      const body = r.answer.replace(/####[\s\S]*$/, '');
      const got = extractAnswer(body);
      return got !== null && isEquivalent(gold, got);
    }).length;
    expect(agree / gsm.length).toBeGreaterThanOrEqual(0.96);
  });
});

describe('MATH-500 reference solutions', () => {
  it('verify(answer, solution) holds for every problem (500/500)', () => {
    const misses = math.filter((r) => !verify(r.answer, r.solution)).map((r) => r.unique_id);
    expect(math.length).toBe(500);
    expect(misses).toEqual([]);
  });

  it('a solution paired with the next problem\'s answer is rejected unless the answers agree', () => {
    const falsePositives = math.filter((r, i) => {
      const next = math[(i + 1) % math.length]!;
      return verify(r.answer, next.solution) && !isEquivalent(r.answer, next.answer);
    });
    expect(falsePositives).toEqual([]);
  });

  it('numeric answers (428) match their own decimal rendering and reject a 0.1 % perturbation', () => {
    let numeric = 0;
    let agree = 0;
    let rejected = 0;
    for (const r of math) {
      const n = normalizeAnswer(r.answer);
      const v = parseValue(n.text);
      if (v.kind !== 'expr' || n.percent) continue;
      const cas = parseLatex(v.latex);
      if (cas.json === null || cas.vars.length > 0) continue;
      const x = tryEvaluate(cas.json, {});
      if (!Number.isFinite(x)) continue;
      numeric++;
      if (verify(r.answer, `The answer is $${x.toPrecision(15)}$.`)) agree++;
      if (!verify(r.answer, `The answer is $${(x + 0.001 * Math.max(1, Math.abs(x))).toPrecision(15)}$.`)) rejected++;
    }
    expect(numeric).toBeGreaterThan(250);
    expect(agree).toBe(numeric);
    expect(rejected).toBe(numeric);
  });

  it('every answer survives reformatting (\\dfrac, \\left( \\right), boxed in a sentence): 500/500', () => {
    const rejected = math.filter((r) => {
      const v = r.answer.replace(/\\frac/g, '\\dfrac').replace(/\(/g, '\\left(').replace(/\)/g, '\\right)');
      return !verify(r.answer, `So we get $\\boxed{${v}}$.`);
    });
    expect(rejected.map((r) => r.answer)).toEqual([]);
  });

  it('changing the last digit of an answer is caught (487/489; the 2 misses are unit exponents cm^2 → cm^3)', () => {
    const accepted: string[] = [];
    let n = 0;
    for (const r of math) {
      const m = /(\d)(?!.*\d)/s.exec(r.answer);
      if (!m) continue;
      n++;
      const changed = r.answer.slice(0, m.index) + String((Number(m[1]) + 1) % 10) + r.answer.slice(m.index + 1);
      if (verify(r.answer, `The answer is $\\boxed{${changed}}$`)) accepted.push(r.answer);
    }
    expect(n).toBe(489);
    expect(accepted).toEqual(['864 \\mbox{ inches}^2', '15\\mbox{ cm}^2']);
  });
});

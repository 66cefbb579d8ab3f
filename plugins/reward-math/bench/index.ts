import { readFileSync } from 'node:fs';
import { clearCasCache, warmUp } from '../src/cas.js';
import { casStats } from '../src/cas-worker.js';
import { fuzzPublicApi } from '../src/fuzz.js';
import { scoreClasses } from './classes.js';
import { extractAnswer } from '../src/extract.js';
import { verify } from '../src/verify.js';

/**
 * Checks per second of `verify` on a mixed set (MATH-500 reference solutions, GSM8K gold
 * solutions, mismatched MATH-500 pairs, the Math-Verify-style held-out cases), one core, with
 * p50/p99 latency. Baseline in the same run: extract both sides and compare trimmed strings
 * (what a reward without equivalence checking costs).
 */
function jsonl<T>(rel: string): T[] {
  return readFileSync(new URL(rel, import.meta.url), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

function mixedSet(): Array<[string, string]> {
  const math = jsonl<{ answer: string; solution: string }>('../../task-math/data/test.jsonl');
  const gsm = jsonl<{ answer: string }>('../../task-gsm8k/data/test.jsonl').slice(0, 500);
  const held = [
    ...(JSON.parse(readFileSync(new URL('../test-data/heldout.json', import.meta.url), 'utf8')) as Array<{ gold: string; pred: string }>),
    ...(JSON.parse(readFileSync(new URL('../test-data/heldout-fresh.json', import.meta.url), 'utf8')) as Array<{ gold: string; pred: string }>),
  ];
  return [
    ...math.map((r): [string, string] => [r.answer, r.solution]),
    ...math.map((r, i): [string, string] => [r.answer, math[(i + 1) % math.length]!.solution]),
    ...gsm.map((r): [string, string] => [r.answer.split('####').pop()!.trim(), r.answer]),
    ...held.map((c): [string, string] => [c.gold, c.pred]),
  ];
}

function mathPairs(): Array<[string, string]> {
  const math = jsonl<{ answer: string; solution: string }>('../../task-math/data/test.jsonl');
  return math.map((r): [string, string] => [r.answer, r.solution]);
}

function gsmPairs(): Array<[string, string]> {
  const gsm = jsonl<{ answer: string }>('../../task-gsm8k/data/test.jsonl');
  return gsm.map((r): [string, string] => [r.answer.split('####').pop()!.trim(), r.answer]);
}

function timeAll(pairs: Array<[string, string]>, f: (g: string, p: string) => unknown): { perSecond: number; p50: number; p99: number; max: number } {
  const lat: number[] = [];
  const t0 = performance.now();
  for (const [g, p] of pairs) {
    const t = performance.now();
    f(g, p);
    lat.push(performance.now() - t);
  }
  const total = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const q = (x: number): number => Number(lat[Math.min(lat.length - 1, Math.floor(x * lat.length))]!.toFixed(3));
  return { perSecond: Math.round((pairs.length / total) * 1000), p50: q(0.5), p99: q(0.99), max: q(1) };
}

export default {
  name: 'reward-math',
  async run(): Promise<Record<string, unknown>> {
    const pairs = mixedSet();
    const t = performance.now();
    warmUp();
    const warmUpMs = Math.round(performance.now() - t);
    const baseline = timeAll(pairs, (g, p) => (extractAnswer(g) ?? '').trim() === (extractAnswer(p) ?? '').trim());
    clearCasCache();
    const cold = timeAll(pairs, (g, p) => verify(g, p)); // every parse is a first sight
    const warm = timeAll(pairs, (g, p) => verify(g, p)); // parses cached (repeated gold answers, re-scored candidates)
    // Per data set: cold = first sight of every answer (parse caches cleared), warm = the same checks again.
    const perSet: Record<string, unknown> = {};
    for (const [name, set] of [['math500', mathPairs()], ['gsm8k', gsmPairs()]] as const) {
      clearCasCache();
      const c = timeAll(set, (g, p) => verify(g, p));
      const w = timeAll(set, (g, p) => verify(g, p));
      perSet[name] = { checks: set.length, coldChecksPerSecond: c.perSecond, coldMaxMs: c.max, warmChecksPerSecond: w.perSecond, warmP99Ms: w.p99, warmMaxMs: w.max };
    }
    const classes = scoreClasses();
    const agree = classes.reduce((a, s) => a + s.agree, 0);
    const cases = classes.reduce((a, s) => a + s.cases, 0);
    const tp = classes.reduce((a, s) => a + s.truePositives, 0);
    const fp = classes.reduce((a, s) => a + s.falsePositives, 0);
    const t1 = performance.now();
    const fuzz = fuzzPublicApi({ seed: 7, runs: 300, maxLen: 1 << 20, maxRepeat: 200_000 });
    const fuzzMs = Math.round(performance.now() - t1);
    return {
      checks: pairs.length,
      warmUpMs,
      coldChecksPerSecond: cold.perSecond,
      coldP50Ms: cold.p50,
      coldP99Ms: cold.p99,
      coldMaxMs: cold.max,
      warmChecksPerSecond: warm.perSecond,
      warmP50Ms: warm.p50,
      warmP99Ms: warm.p99,
      warmMaxMs: warm.max,
      baselineStringChecksPerSecond: baseline.perSecond,
      coldVsStringBaseline: Number((cold.perSecond / baseline.perSecond).toFixed(3)),
      ...perSet,
      classAgreement: `${agree}/${cases}`,
      classPrecision: Number((tp / Math.max(1, tp + fp)).toFixed(3)),
      classFalsePositives: fp,
      perClass: Object.fromEntries(classes.map((s) => [s.cls, `${s.agree}/${s.cases} (FP ${s.falsePositives}/${s.negatives})`])),
      fuzzRuns: fuzz.runs,
      fuzzCalls: fuzz.calls,
      fuzzWorstMs: fuzz.worstMs,
      fuzzWorstCall: fuzz.worstCall,
      fuzzWorstInputLength: fuzz.worstInputLength,
      fuzzWallMs: fuzzMs,
      casTimeouts: casStats.timeouts,
      casRestarts: casStats.restarts,
    };
  },
};


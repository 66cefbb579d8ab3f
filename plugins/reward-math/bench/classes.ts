import { CLASS_CASES, type ClassCase } from '../test-data/classes.js';
import { verify } from '../src/verify.js';

export interface ClassScore { cls: string; cases: number; agree: number; positives: number; truePositives: number; falsePositives: number; negatives: number }

/** Agreement with the expected verdicts per class, with the counts precision and recall need. */
export function scoreClasses(check: (gold: string, pred: string) => boolean = verify, cases: ClassCase[] = CLASS_CASES): ClassScore[] {
  const by = new Map<string, ClassScore>();
  for (const k of cases) {
    const s = by.get(k.cls) ?? { cls: k.cls, cases: 0, agree: 0, positives: 0, truePositives: 0, falsePositives: 0, negatives: 0 };
    by.set(k.cls, s);
    const got = check(k.gold, k.pred);
    s.cases++;
    if (got === k.expected) s.agree++;
    if (k.expected) { s.positives++; if (got) s.truePositives++; } else { s.negatives++; if (got) s.falsePositives++; }
  }
  return [...by.values()];
}

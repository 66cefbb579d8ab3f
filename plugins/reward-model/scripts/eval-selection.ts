/**
 * Offline: how often each way of aggregating step scores picks a correct candidate, on a run's
 * records (graded candidates). Usage:
 *   node --conditions=source --import tsx plugins/reward-model/scripts/eval-selection.ts runs/<id> [reward-model dir]
 */
import { RunStore, lineSteps } from '@reasoner/core';
import { DEFAULT_REWARD_CHECKPOINT } from '../src/checkpoint.js';
import { aggregateScores, type Aggregate } from '../src/index.js';
import { RewardModel } from '../src/model.js';

const [runDir, dir = DEFAULT_REWARD_CHECKPOINT] = process.argv.slice(2);
if (!runDir) throw new Error('usage: eval-selection.ts <run dir> [reward-model dir]');
const records = await RunStore.read(runDir);
const model = await RewardModel.load(dir);
const ways: Aggregate[] = ['min', 'last', 'mean', 'prod'];
const hits: Record<string, number> = Object.fromEntries(ways.map((w) => [w, 0]));
let anyCorrect = 0, first = 0;
for (const r of records) {
  const cands = r.candidates ?? [];
  if (!cands.length) continue;
  const scores = model.scoreSteps(cands.map((c) => ({ prompt: r.prompt, steps: lineSteps.split(c.text) })));
  for (const w of ways) {
    let best = 0;
    scores.forEach((s, i) => { if (aggregateScores(s, w) > aggregateScores(scores[best]!, w)) best = i; });
    if (cands[best]!.correct) hits[w]!++;
  }
  if (cands.some((c) => c.correct)) anyCorrect++;
  if (cands[0]!.correct) first++;
}
const n = records.length;
console.log(JSON.stringify({ tasks: n, passAtN: anyCorrect / n, first: first / n, ...Object.fromEntries(ways.map((w) => [w, hits[w]! / n])) }, null, 2));
model.dispose();

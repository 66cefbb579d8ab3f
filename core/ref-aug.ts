import { readFileSync, writeFileSync } from 'node:fs';
import { solveCountdown, countdownSolutionText, countdownProblemOf } from '@reasoner/plugin-task-countdown';
const [inp, out] = process.argv.slice(2);
const recs = readFileSync(inp!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
let added = 0;
for (const r of recs) {
  if (r.candidates.some((c: { correct: boolean }) => c.correct)) continue;
  const { numbers, target } = countdownProblemOf({ id: r.taskId, prompt: r.prompt } as never);
  const sol = solveCountdown(numbers, target, { max: 1 })[0];
  if (!sol) continue;
  r.candidates.push({ text: countdownSolutionText(sol, target), answer: String(target), reward: 1, correct: true, tokens: 0 });
  added++;
}
writeFileSync(out!, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log('reference added to', added, 'of', recs.length);

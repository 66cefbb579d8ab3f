import { readFileSync, writeFileSync } from 'node:fs';
import { kernelFromConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown, { verifyCountdown } from '@reasoner/plugin-task-countdown';
const [inp, out, ckpt] = process.argv.slice(2);
const k = await kernelFromConfig({ policy: tiny(ckpt ? { checkpoint: ckpt } : {}), tasks: countdown() } as never, process.cwd());
const policy = k.require('policy');
const recs = readFileSync(inp!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const t0 = Date.now();
let fails = 0;
const B = 64;
for (let i = 0; i < recs.length; i += B) {
  const chunk = recs.slice(i, i + B);
  const res = await Promise.all(chunk.map((r) => policy.generate({ prompt: r.prompt, n: 1, temperature: 0 })));
  chunk.forEach((r, j) => {
    const text = res[j]!.completions[0]!.text;
    const task = { id: r.taskId, prompt: r.prompt, answer: r.gold };
    const ok = verifyCountdown(task as never, text).correct;
    if (!ok) fails++;
    r.candidates = [{ text, answer: '', reward: ok ? 1 : 0, correct: ok, tokens: text.length }, ...r.candidates];
  });
}
writeFileSync(out!, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log('greedy failures', fails, 'of', recs.length, 'ms', Date.now() - t0);
await k.close();

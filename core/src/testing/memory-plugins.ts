/**
 * Zero-latency in-memory plugins for kernel tests and the kernel benchmark. Not a product
 * default: the policy "solves" `a+b` prompts, right with probability `accuracy`.
 */
import { definePlugin } from '../kernel/define.js';
import type { Policy } from '../types/policy.js';
import type { Search } from '../types/search.js';
import type { Task, TaskSource } from '../types/task.js';
import { createRng } from '../util/rng.js';

export const memoryTasks = definePlugin<{ count: number; delayMs: number }, 'task'>({
  name: 'memory-tasks',
  kind: 'task',
  apiVersion: 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { count: { type: 'integer', default: 10 }, delayMs: { type: 'number', default: 0 } } },
  setup(_ctx, { count = 10 }): TaskSource {
    const make = (i: number): Task => ({ id: `t${i}`, prompt: `${i}+${i * 7 % 13}`, answer: String(i + (i * 7) % 13) });
    return {
      name: 'memory-tasks',
      async *tasks(q = {}) {
        const n = Math.min(count, q.limit ?? Infinity);
        for (let i = 0; i < n; i++) yield make(i);
      },
      async count(q = {}) { return Math.min(count, q.limit ?? Infinity); },
      verify(task, solution) {
        const answer = solution.trim().split('\n').pop()?.replace(/^ans\s*/, '') ?? '';
        return { correct: answer === task.answer, answer };
      },
    };
  },
});

export const memoryPolicy = definePlugin<{ accuracy: number; delayMs: number }, 'policy'>({
  name: 'memory-policy',
  kind: 'policy',
  apiVersion: 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { accuracy: { type: 'number', default: 0.5 }, delayMs: { type: 'number', default: 0 } } },
  setup(_ctx, { accuracy = 0.5, delayMs = 0 }): Policy {
    return {
      id: 'memory-policy',
      capabilities: { logprobs: false, prefix: false, nativeN: true, trainable: false },
      async generate(req) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        const rng = createRng(req.seed ?? 0);
        const [a, b] = req.prompt.split('+').map(Number);
        const completions = Array.from({ length: req.n ?? 1 }, () => {
          const ok = (req.temperature ?? 1) === 0 ? accuracy >= 0.5 : rng.next() < accuracy;
          const sum = a! + b! + (ok ? 0 : 1 + rng.int(3));
          // 8 tokens per solution; a shorter maxTokens cuts it (as a real policy would).
          const tokens = Math.min(8, req.maxTokens ?? 8);
          const text = `${a}+${b}=${sum}\nans ${sum}`;
          return { text: tokens < 8 ? text.slice(0, tokens) : text, tokens, finishReason: tokens < 8 ? 'length' as const : 'eos' as const };
        });
        const completionTokens = completions.reduce((s, c) => s + c.tokens, 0);
        return { completions, usage: { promptTokens: req.prompt.length * completions.length, completionTokens, calls: 1 } };
      },
    };
  },
});

/** Takes one sample and scores it: the smallest possible search. */
export const memorySearch = definePlugin<Record<string, never>, 'search'>({
  name: 'memory-search',
  kind: 'search',
  apiVersion: 1,
  setup(): Search {
    return {
      name: 'memory-search',
      async search({ task, policy, reward }) {
        const res = await policy.generate({ prompt: task.prompt, n: 1 });
        const c = res.completions[0]!;
        const r = await reward.score(task, c.text);
        const best = { text: c.text, steps: c.text.split('\n'), reward: r, tokens: c.tokens };
        return { best, candidates: [best], stats: { samples: 1 }, usage: res.usage };
      },
    };
  },
});

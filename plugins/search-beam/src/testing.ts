/**
 * Test and benchmark helpers: a zero-latency, seeded random Countdown policy (it plays legal-looking
 * moves at random, so search has something to find), and a search environment built from core's
 * own instrumentation (hooks, budget reservation, seeds) without a kernel.
 */
import { Budget, createHooks, createRng, instrumentPolicy, instrumentReward, lineSteps, type BudgetLimits, type Completion, type GenerateRequest, type Hooks, type Policy, type Reward, type SearchEnv, type Task } from '@reasoner/core';

export interface RandomCountdownOptions {
  /** Probability that a written result is right. */
  pCorrect?: number;
  /** Probability of writing the final line as soon as the target is on the board. */
  pFinal?: number;
  logprobs?: boolean;
  prefix?: boolean;
}

const OPS = ['+', '-', '*', '/'] as const;

function apply(a: number, op: string, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    default: return b !== 0 && a % b === 0 ? a / b : a + b;
  }
}

/** The numbers on the board after the written steps (steps are applied as written). */
function board(prompt: string, lines: string[]): { pool: number[]; target: number; done: boolean } {
  const [nums, t] = prompt.trim().split('>');
  const pool = nums!.split(' ').map(Number);
  let done = false;
  for (const line of lines) {
    const m = /^(\d+)[-+*/](\d+)=(\d+)$/.exec(line);
    if (m) {
      for (const x of [Number(m[1]), Number(m[2])]) { const i = pool.indexOf(x); if (i >= 0) pool.splice(i, 1); }
      pool.push(Number(m[3]));
    } else if (line.startsWith('=')) done = true;
  }
  return { pool, target: Number(t), done };
}

/** A policy that plays Countdown at random: right often enough for search to matter, never always. */
export function randomCountdownPolicy(o: RandomCountdownOptions = {}): Policy & { requests: GenerateRequest[] } {
  const pCorrect = o.pCorrect ?? 0.9, pFinal = o.pFinal ?? 0.8;
  const requests: GenerateRequest[] = [];
  const nextLine = (rng: ReturnType<typeof createRng>, pool: number[], target: number): string => {
    if (pool.includes(target) && rng.next() < pFinal) return `=${target}`;
    if (pool.length < 2) return `=${pool[0] ?? 0}`;
    const i = rng.int(pool.length);
    let j = rng.int(pool.length - 1);
    if (j >= i) j++;
    const [a, b] = [pool[i]!, pool[j]!].sort((x, y) => y - x) as [number, number];
    const op = OPS[rng.int(4)]!;
    const c = apply(a, op, b) + (rng.next() < pCorrect ? 0 : 1);
    return `${a}${op}${b}=${c}`;
  };
  return {
    id: 'random-countdown',
    capabilities: { logprobs: o.logprobs ?? true, prefix: o.prefix ?? true, nativeN: true, trainable: false },
    requests,
    async generate(req) {
      requests.push(req);
      const rng = createRng(req.seed ?? 0);
      const prior = lineSteps.split(req.prefix ?? '');
      const stepwise = req.stop?.includes('\n') ?? false;
      const completions: Completion[] = Array.from({ length: req.n ?? 1 }, (_, k) => {
        const r = rng.fork(k);
        const lines = [...prior];
        const out: string[] = [];
        let finish: Completion['finishReason'] = 'eos';
        for (;;) {
          const st = board(req.prompt, lines);
          if (st.done) break;
          const line = nextLine(r, st.pool, st.target);
          out.push(line);
          lines.push(line);
          if (stepwise) { finish = 'stop'; break; }
        }
        let text = stepwise ? out.join('') : out.map((l) => l + '\n').join('');
        let tokens = text.length + 1;
        const max = req.maxTokens ?? 256;
        if (tokens > max) { text = text.slice(0, max); tokens = max; finish = 'length'; }
        return { text, tokens, finishReason: finish, ...(req.logprobs && (o.logprobs ?? true) ? { logprobs: Array.from({ length: tokens }, () => -r.next()) } : {}) };
      });
      const promptTokens = (req.prompt.length + (req.prefix?.length ?? 0) + 1) * completions.length;
      return { completions, usage: { promptTokens, completionTokens: completions.reduce((a, c) => a + c.tokens, 0), calls: 1 } };
    },
  };
}

export interface FakeEnvOptions {
  task: Task;
  policy: Policy;
  reward: Reward;
  budget?: BudgetLimits;
  seed?: number;
  hooks?: Hooks;
  signal?: AbortSignal;
}

/** A SearchEnv built from core's instrumentation (budget reservation, hooks, seeds), as the kernel builds it. */
export function fakeEnv(o: FakeEnvOptions): SearchEnv & { budgetImpl: Budget } {
  const budget = new Budget(o.budget ?? {});
  const hooks = o.hooks ?? createHooks();
  const rng = createRng(o.seed ?? 1).fork(o.task.id);
  const signal = o.signal ?? new AbortController().signal;
  const ctx = { hooks, task: o.task, budget, rng, signal };
  return {
    task: o.task, hooks, rng, signal, steps: lineSteps, budget, budgetImpl: budget,
    policy: instrumentPolicy(o.policy, ctx),
    reward: instrumentReward(o.reward, ctx),
  };
}

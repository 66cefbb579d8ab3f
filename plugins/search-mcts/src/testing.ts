/**
 * Fake environment for tests and the overhead bench: a toy task whose solution is `depth` steps
 * `ok0 … ok{depth-1}`, a zero-latency policy that proposes `ok<i>` with probability `p` (else
 * `bad<i>`), a process reward that rejects a prefix from its first `bad` step, and an outcome
 * reward that accepts exactly the right steps. The budget counts what the policy reports, as the
 * kernel's instrumented policy does.
 */
import { ReasonerError, createHooks, createRng, type BudgetAmounts, type BudgetView, type Completion, type GenerateRequest, type Hooks, type Policy, type Reward, type SearchEnv, type StepFormat, type Task } from '@reasoner/core';

export const lineFormat: StepFormat = {
  delimiter: '\n',
  split: (t) => t.split('\n').map((s) => s.trim()).filter(Boolean),
  join: (s) => s.join('\n'),
};

export class FakeBudget implements BudgetView {
  tokens = 0;
  calls = 0;
  constructor(readonly limit: number = Infinity, readonly callLimit: number = Infinity) {}
  remaining(): BudgetAmounts {
    return { tokens: Math.max(0, this.limit - this.tokens), calls: Math.max(0, this.callLimit - this.calls), ms: Infinity };
  }
  exhausted(): 'tokens' | 'calls' | null {
    return this.tokens >= this.limit ? 'tokens' : this.calls >= this.callLimit ? 'calls' : null;
  }
  spent(): BudgetAmounts {
    return { tokens: this.tokens, calls: this.calls, ms: 0 };
  }
}

export interface FakeOptions {
  depth?: number;
  p?: number;
  logprobs?: boolean;
  /** Tokens a call may take beyond what fits: the fake throws like the kernel when nothing fits. */
  budget?: FakeBudget;
  /** Each round of same-tick calls is recorded here (prefixes), to check batching. */
  rounds?: string[][];
  onCall?: (req: GenerateRequest) => void;
}

export function fakePolicy(o: FakeOptions = {}): Policy {
  const depth = o.depth ?? 3, p = o.p ?? 0.5;
  let round: string[] | null = null;
  return {
    id: 'fake',
    capabilities: { logprobs: o.logprobs ?? true, prefix: true, nativeN: true, trainable: false },
    countTokens: (text) => text.length,
    async generate(req, signal) {
      if (signal?.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'aborted', {});
      o.onCall?.(req);
      if (o.rounds) {
        // A round = the calls made before the event loop turns (what a batching backend coalesces).
        await new Promise((r) => setImmediate(r));
        if (!round) {
          round = [];
          o.rounds.push(round);
          setImmediate(() => { round = null; });
        }
        round.push(req.prefix ?? '');
      }
      const promptTokens = 1 + req.prompt.length + (req.prefix ?? '').length;
      const b = o.budget;
      const n = req.n ?? 1;
      if (b && b.remaining().tokens < n * (promptTokens + 1)) throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', 'budget exhausted (tokens)', {});
      const rng = createRng(req.seed ?? 0);
      const done = (req.prefix ?? '').split('\n').filter(Boolean);
      const completions: Completion[] = [];
      for (let k = 0; k < n; k++) {
        let text = '';
        const lps: number[] = [];
        let finish: Completion['finishReason'] = 'eos';
        for (let i = done.length; i < depth; i++) {
          const good = rng.next() < p;
          const step = `${good ? 'ok' : 'bad'}${i}\n`;
          for (const _ of step) lps.push(Math.log(good ? p : 1 - p) / step.length);
          text += step;
          if (req.stop?.includes('\n')) { finish = i === depth - 1 ? 'eos' : 'stop'; if (finish === 'stop') text = text.slice(0, -1); break; }
        }
        const max = req.maxTokens ?? Infinity;
        if (text.length > max) { text = text.slice(0, max); finish = 'length'; lps.length = text.length; }
        completions.push({ text, tokens: text.length, finishReason: finish, ...(req.logprobs && o.logprobs !== false ? { logprobs: lps.slice(0, text.length) } : {}) });
      }
      const usage = { promptTokens: promptTokens * n, completionTokens: completions.reduce((a, c) => a + c.tokens, 0), calls: 1 };
      if (b) { b.tokens += usage.promptTokens + usage.completionTokens; b.calls += 1; }
      return { completions, usage };
    },
  };
}

export function fakeReward(depth = 3, opts: { throwAfter?: number; hang?: boolean } = {}): Reward {
  let calls = 0;
  const guard = async (): Promise<void> => {
    calls++;
    if (opts.throwAfter !== undefined && calls > opts.throwAfter) throw new Error('reward backend is down');
    if (opts.hang) await new Promise(() => {});
  };
  return {
    kind: 'outcome',
    needsGold: false,
    async score(_task, solution) {
      await guard();
      const steps = lineFormat.split(solution);
      const correct = steps.length === depth && steps.every((s, i) => s === `ok${i}`);
      return { value: correct ? 1 : 0, correct, answer: steps[steps.length - 1] };
    },
    async scoreSteps(_task, steps) {
      await guard();
      let ok = 1;
      return steps.map((s, i) => (ok = ok && s === `ok${i}` ? 1 : 0));
    },
  };
}

export const fakeTask: Task = { id: 'toy', prompt: 'toy>' };

export function fakeEnv(o: { policy: Policy; reward?: Reward; budget?: BudgetView; seed?: number; signal?: AbortSignal; hooks?: Hooks; task?: Task }): SearchEnv {
  return {
    task: o.task ?? fakeTask,
    policy: o.policy,
    reward: o.reward ?? fakeReward(),
    budget: o.budget ?? new FakeBudget(),
    hooks: o.hooks ?? createHooks(),
    rng: createRng(o.seed ?? 1),
    signal: o.signal ?? new AbortController().signal,
    steps: lineFormat,
  };
}

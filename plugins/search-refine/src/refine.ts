/**
 * Sequential revision (self-refine): attempt → critique → revision, until a fair verifier says
 * the solution is correct, the revisions stop changing, or the budget runs out.
 */
import { ReasonerError, isReasonerError, lineSteps, rewardAnswer, type Candidate, type ChatMessage, type GenerateRequest, type RewardResult, type SearchEnv, type SearchResult, type StepFormat, type Usage } from '@reasoner/core';
import type { RefineOptions } from './options.js';

export interface RefineStats {
  [key: string]: number;
  attempts: number;
  revisions: number;
  critiques: number;
  unchanged: number;
  firstCorrect: number;
  stoppedByCorrect: number;
  stoppedByApproval: number;
  stoppedByPatience: number;
  stoppedByBudget: number;
}

interface Attempt {
  steps: string[];
  text: string;
  tokens: number;
  reward: RewardResult;
  /** Leading steps the checker accepts (mode checker). */
  progress: number;
}

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/**
 * What a reward says about a failed attempt in words, when it says anything: a checker's first
 * error, a sandbox's failure reason, failing tests' output (reward-code keeps the stderr tail).
 */
export function feedbackOf(r: RewardResult): string | undefined {
  const d = (r.detail ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.error === 'string') parts.push(d.error);
  if (typeof d.reason === 'string') parts.push(d.reason);
  if (typeof d.passedCount === 'number' && typeof d.total === 'number') parts.push(`${d.passedCount} of ${d.total} tests passed`);
  if (typeof d.stderr === 'string' && d.stderr.trim()) parts.push(`test output:\n${d.stderr.trim()}`);
  if (typeof d.feedback === 'string') parts.push(d.feedback);
  return parts.length ? parts.join('\n') : undefined;
}

const isBudget = (e: unknown) => isReasonerError(e) && e.code === 'RSN_ERR_BUDGET_EXHAUSTED';

async function timed<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReasonerError('RSN_ERR_REWARD', `${what} did not answer within ${ms} ms`, { hint: 'check the reward, or raise the search option rewardTimeoutMs' })), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (isReasonerError(e)) throw e;
    throw new ReasonerError('RSN_ERR_REWARD', `${what} failed: ${(e as Error)?.message ?? String(e)}`, { hint: 'fix the reward plugin' }, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

export async function refineSearch(env: SearchEnv, o: RefineOptions): Promise<SearchResult> {
  const { task, policy, reward, signal } = env;
  const fmt: StepFormat = env.steps ?? lineSteps;
  const rng = env.rng.fork('search-refine');
  const mode = o.critique === 'auto' ? (reward.scoreSteps ? 'checker' : 'policy') : o.critique;
  if (mode === 'checker' && !reward.scoreSteps) {
    throw new ReasonerError('RSN_ERR_INPUT', `search-refine critique "checker" needs a reward that scores steps (scoreSteps); kind ${reward.kind} has none`, {
      hint: 'use a task with a step checker (verifyPartial) or a process reward model, or critique: "policy"',
    });
  }
  const count = (text: string) => (policy.countTokens?.(text) ?? text.length) + 1;
  const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
  const stats: RefineStats = { attempts: 0, revisions: 0, critiques: 0, unchanged: 0, firstCorrect: 0, stoppedByCorrect: 0, stoppedByApproval: 0, stoppedByPatience: 0, stoppedByBudget: 0 };
  const attempts: Attempt[] = [];

  /** One policy call sized to the budget; null when it cannot fit a single token. */
  const call = async (req: GenerateRequest, cap: number): Promise<{ text: string; tokens: number } | null> => {
    const rem = env.budget.remaining();
    if (env.budget.exhausted() || rem.calls < 1) return null;
    const room = Math.min(cap, rem.tokens - count(req.prompt + (req.prefix ?? '')));
    if (room < 1) return null;
    const res = await policy.generate({ ...req, n: 1, maxTokens: room, topP: o.topP, seed: rng.int(2 ** 31) }, signal);
    usage.promptTokens += res.usage.promptTokens;
    usage.completionTokens += res.usage.completionTokens;
    usage.calls += res.usage.calls;
    const c = res.completions[0];
    return c ? { text: c.text, tokens: c.tokens } : null;
  };
  const score = (text: string) => timed('reward.score', o.rewardTimeoutMs, () => reward.score(task, text, signal));
  const progressOf = async (steps: string[]): Promise<number> => {
    if (mode !== 'checker' || !steps.length) return 0;
    const scoreOf = (prefix: string[]) => timed('reward.scoreSteps', o.rewardTimeoutMs, () => reward.scoreSteps!(task, prefix, signal));
    const s = await scoreOf(steps);
    let bad = s.findIndex((x) => x <= o.threshold);
    if (bad < 0) bad = steps.length;
    // A checker may judge "can this still succeed?" only for the whole prefix it is given (the
    // last element), so check the shorter prefixes too: the revision restarts where it first died.
    for (let i = 0; i < Math.min(bad, steps.length - 1); i++) {
      const last = (await scoreOf(steps.slice(0, i + 1)))[i] ?? 1;
      if (last <= o.threshold) return i;
    }
    return bad;
  };
  const record = async (steps: string[], tokens: number): Promise<Attempt> => {
    const text = fmt.join(steps);
    const r = await score(text);
    const a: Attempt = { steps, text, tokens, reward: r, progress: await progressOf(steps) };
    attempts.push(a);
    stats.attempts++;
    return a;
  };
  const chat = (content: string): Pick<GenerateRequest, 'prompt' | 'messages'> => {
    const messages: ChatMessage[] = [{ role: 'user', content }];
    return { prompt: content, messages };
  };

  try {
    const first = await call({ prompt: task.prompt, temperature: o.firstTemperature }, o.maxTokens);
    if (!first) {
      throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `search-refine cannot afford a first attempt: ${JSON.stringify(env.budget.remaining())} left`, { hint: 'raise run.budget.perTask' });
    }
    let cur = await record(fmt.split(first.text), first.tokens);
    if (cur.reward.correct) stats.firstCorrect = 1;
    let unchanged = 0;
    while (!cur.reward.correct) {
      if (stats.revisions >= o.maxRevisions) break;
      if (unchanged >= o.patience) { stats.stoppedByPatience = 1; break; }
      if (signal.aborted) break;
      let next: Attempt;
      if (mode === 'checker') {
        // Keep what the checker accepts; resample from the first step it rejects.
        const keep = cur.steps.slice(0, Math.min(cur.progress, Math.max(0, cur.steps.length - 1)));
        const prefix = keep.length ? fmt.join(keep) + fmt.delimiter : undefined;
        const out = await call({ prompt: task.prompt, prefix, temperature: o.temperature }, o.maxTokens - (prefix ? count(prefix) - 1 : 0));
        if (!out) { stats.stoppedByBudget = 1; break; }
        next = await record([...keep, ...fmt.split(out.text)], out.tokens);
      } else {
        let feedback = feedbackOf(cur.reward);
        if (!feedback) {
          const critique = await call({ ...chat(fill(o.critiqueTemplate, { prompt: task.prompt, solution: cur.text })), temperature: 0 }, o.critiqueTokens);
          if (!critique) { stats.stoppedByBudget = 1; break; }
          stats.critiques++;
          feedback = critique.text.trim();
          if (cur.reward.correct === undefined && feedback.includes(o.approval)) { stats.stoppedByApproval = 1; break; }
        }
        const out = await call({ ...chat(fill(o.reviseTemplate, { prompt: task.prompt, solution: cur.text, feedback })), temperature: o.temperature }, o.maxTokens);
        if (!out) { stats.stoppedByBudget = 1; break; }
        next = await record(fmt.split(out.text), out.tokens);
      }
      stats.revisions++;
      if (next.text === cur.text) { unchanged++; stats.unchanged++; } else unchanged = 0;
      // Checker mode climbs: a revision that fails earlier than the current attempt is not kept.
      if (mode !== 'checker' || next.progress >= cur.progress || next.reward.value > cur.reward.value) cur = next;
      if (next.reward.correct) cur = next;
    }
    if (cur.reward.correct) stats.stoppedByCorrect = 1;
  } catch (e) {
    const aborted = signal.aborted || (isReasonerError(e) && e.code === 'RSN_ERR_ABORTED');
    if (!(isBudget(e) || aborted) || !attempts.length) throw e;
    if (isBudget(e)) stats.stoppedByBudget = 1;
  }

  // The best: highest reward, the latest among equals (revisions are meant to improve).
  let best = attempts[0]!;
  for (const a of attempts) if (a.reward.value >= best.reward.value) best = a;
  const toCandidate = (a: Attempt): Candidate => ({ text: a.text, steps: a.steps, reward: a.reward, answer: rewardAnswer(a.reward), tokens: a.tokens });
  return { best: toCandidate(best), candidates: attempts.map(toCandidate), stats, usage };
}

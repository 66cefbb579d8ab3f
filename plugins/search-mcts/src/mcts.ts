import {
  ReasonerError, isReasonerError, rewardAnswer,
  type Candidate, type Completion, type GenerateResult, type RewardResult, type SearchEnv, type SearchNode, type SearchResult, type StepFormat, type Usage,
} from '@reasoner/core';
import { parseCompletion, prefixOf, type ParsedSteps } from './parse.js';
import { Tree, type MctsNode } from './tree.js';

export interface MctsOptions {
  /** Most simulations (one completion each) per task; the token budget usually stops it first. */
  simulations: number;
  /** Leaves selected (with virtual loss) and expanded together in one batched policy round. */
  batch: number;
  /**
   * How a leaf is expanded. `step`: generate one step (stop at the delimiter) — cheap, and a
   * process reward can reject it before more is paid for. `rollout`: generate to the end of the
   * solution and add every step. `hybrid` (default): steps at depth < `stepDepth`, rollouts below
   * (early steps are where a policy goes wrong most, and a rejected step costs only its own tokens).
   */
  expand: 'rollout' | 'step' | 'hybrid';
  /** With `hybrid`: nodes shallower than this expand by one step. */
  stepDepth: number;
  /** Cap on tokens of one generated step. */
  stepTokens: number;
  cPuct: number;
  widenC: number;
  widenAlpha: number;
  /** Value of a child with no visits yet. */
  fpu: number;
  temperature: number;
  /** Sampling temperature of single-step expansions (default: `temperature`). */
  stepTemperature?: number;
  topP: number;
  /** Cap on tokens per completion (rollouts end earlier at eos; steps at the delimiter). */
  maxTokens: number;
  /** A completion shorter than this is not worth its prompt: the search stops instead. */
  minTokens: number;
  /** Deepest step count; deeper non-final nodes are pruned. */
  maxDepth: number;
  /** Tree size cap (memory); the search stops, returning its best, when reached. */
  maxNodes: number;
  /** A process score at or below this prunes the node (the checker gives 0 for a dead end). */
  pruneBelow: number;
  /** Stop as soon as a finished solution scores at least this (1 = the checker accepts it). */
  stopAt: number;
  /** Use the reward's `scoreSteps` (process reward) to value and prune partial solutions. */
  process: boolean;
  /** Ask the outcome reward whether an unfinished leaf is already a full solution (e.g. ends in `=target`). */
  probe: boolean;
  /** Value of an unfinished leaf when there is no process reward. */
  neutral: number;
  /**
   * Value of a simulation that hit a dead end: `zero` (plain MCTS), or `progress` = the share of
   * the path's steps that were valid (valid depth / dead node's depth), so the search prefers
   * validated prefixes that got further.
   */
  deadValue: 'zero' | 'progress';
  /** Priors from step logprobs (PUCT) when the policy returns them; else UCT. */
  priors: boolean;
  /** A reward call taking longer than this fails the search (best so far is kept). */
  rewardTimeoutMs: number;
}

export const mctsDefaults: MctsOptions = {
  simulations: 256,
  batch: 4,
  expand: 'hybrid',
  stepDepth: 1,
  stepTokens: 16,
  cPuct: 1,
  widenC: 1,
  widenAlpha: 0.5,
  fpu: 0.5,
  temperature: 0.8,
  topP: 1,
  maxTokens: 40,
  minTokens: 8,
  maxDepth: 12,
  maxNodes: 10_000,
  pruneBelow: 0,
  stopAt: 1,
  process: true,
  probe: true,
  neutral: 0.5,
  deadValue: 'progress',
  priors: true,
  rewardTimeoutMs: 30_000,
};

/** Default step format when the environment has none (one step per non-empty line). */
const LINE_STEPS: StepFormat = {
  delimiter: '\n',
  split: (t) => t.split('\n').map((s) => s.trim()).filter(Boolean),
  join: (s) => s.join('\n'),
};

type Stop = 'simulations' | 'budget' | 'nodes' | 'solved' | 'abort' | 'reward';

interface Request { leaf: MctsNode; path: MctsNode[]; n: number; maxTokens: number; step: boolean }

interface HookLike { taps?: unknown[] }
const tapped = (h: unknown): boolean => ((h as HookLike | undefined)?.taps?.length ?? 0) > 0;

/**
 * Monte Carlo tree search over reasoning steps for one task (see README.md):
 * select (PUCT + progressive widening, virtual loss so `batch` leaves differ) → expand (one
 * batched policy round: every leaf's continuation) → evaluate (process reward prunes dead ends;
 * a finished solution gets the outcome reward) → backup.
 */
export async function runMcts(env: SearchEnv, o: MctsOptions): Promise<SearchResult> {
  const { task, policy, reward, budget, hooks, signal } = env;
  const fmt = env.steps ?? LINE_STEPS;
  const tree = new Tree({ cPuct: o.cPuct, widenC: o.widenC, widenAlpha: o.widenAlpha, fpu: o.fpu });
  const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
  const candidates: Candidate[] = [];
  const useProcess = o.process && typeof reward.scoreSteps === 'function';
  const wantLogprobs = o.priors && policy.capabilities.logprobs;
  const count = (text: string): number => (policy.countTokens?.(text) ?? text.length) + 1; // +1: the model's <bos>
  const stats = { simulations: 0, rounds: 0, requests: 0, deadEnds: 0, duplicates: 0, rewardCalls: 0 };
  let stop: Stop | null = null;
  let failure: unknown;

  // --- reward calls: bounded in time, failures end the search (best so far is kept) ---
  const rewardCall = async <T>(what: string, fn: (sig: AbortSignal) => Promise<T>): Promise<T> => {
    stats.rewardCalls++;
    // A plain timer raced against the call (AbortSignal.timeout/any per call cost more than the search).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReasonerError('RSN_ERR_REWARD', `reward did not answer within ${o.rewardTimeoutMs} ms (${what})`, {
        hint: 'fix the reward plugin, or raise the search option rewardTimeoutMs',
      })), o.rewardTimeoutMs);
    });
    try {
      return await Promise.race([fn(signal), hang]);
    } catch (e) {
      if (isReasonerError(e) && (e.code === 'RSN_ERR_REWARD' || e.code === 'RSN_ERR_HOOK' || e.code === 'RSN_ERR_ABORTED')) throw e;
      throw new ReasonerError('RSN_ERR_REWARD', `reward failed while scoring ${what}: ${(e as Error)?.message ?? e}`, {
        hint: 'fix the reward plugin (search-mcts keeps the best solution found before the failure)',
      }, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  };
  const processScore = async (steps: string[]): Promise<number> => {
    const scores = await rewardCall(`steps of a partial solution (${steps.length} steps)`, (sig) => reward.scoreSteps!(task, steps, sig));
    const s = scores[steps.length - 1];
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new ReasonerError('RSN_ERR_REWARD', `scoreSteps returned ${scores.length} scores for ${steps.length} steps (need one finite score per step)`, {
        hint: 'a process reward returns one score in [0, 1] per step prefix',
      });
    }
    return s;
  };
  const outcome = (steps: string[]): Promise<RewardResult> =>
    rewardCall(`a solution of ${steps.length} steps`, (sig) => reward.score(task, fmt.join(steps), sig));

  const pathTokens = (node: MctsNode): number => tree.path(node).reduce((a, n) => a + n.tokens, 0);
  const addCandidate = (node: MctsNode, steps: string[], r: RewardResult): void => {
    candidates.push({ text: fmt.join(steps), steps, reward: r, answer: rewardAnswer(r), tokens: pathTokens(node) });
    if (r.value >= o.stopAt) stop ??= 'solved';
  };

  // --- hooks (skipped when nothing taps them: the view copies cost more than the search) ---
  const select = async (): Promise<MctsNode> => {
    const node = tree.select();
    if (!tapped(hooks.searchSelect)) return node;
    const chosen: SearchNode = await hooks.searchSelect.promise(tree.view(node), task);
    const other = chosen && tree.nodes[chosen.id];
    return other && !other.dead && !other.terminal ? other : node;
  };
  const evaluate = async (node: MctsNode, value: number): Promise<number> => {
    if (!tapped(hooks.searchEvaluate)) return value;
    const v = await hooks.searchEvaluate.promise(value, tree.view(node), task);
    return typeof v === 'number' && Number.isFinite(v) ? v : value;
  };

  /** Adds a completion's steps under `leaf`, values the end of the chain, backs it up. */
  const integrate = async (leaf: MctsNode, parsed: ParsedSteps): Promise<void> => {
    stats.simulations++;
    const base = tree.steps(leaf);
    const chain = parsed.steps.slice(0, Math.max(0, o.maxDepth - leaf.depth));
    const truncatedByDepth = chain.length < parsed.steps.length;
    // Nodes the chain already has in the tree, then process scores of the new prefixes (at once).
    const existing: MctsNode[] = [];
    for (let n: MctsNode | undefined = leaf, i = 0; i < chain.length; i++) {
      n = tree.child(n, chain[i]!.text);
      if (!n) break;
      existing.push(n);
    }
    // One prefix at a time, stopping at the first dead end (nothing below it is added): a learned
    // PRM then pays one forward pass per step it actually has to judge.
    const scores: Array<number | null> = chain.map((_, i) => (i < existing.length ? existing[i]!.score : null));
    if (useProcess) {
      for (let i = existing.length; i < chain.length; i++) {
        if (i > 0 && i === existing.length && existing[i - 1]!.dead) break;
        const sc = await processScore([...base, ...chain.slice(0, i + 1).map((s) => s.text)]);
        scores[i] = sc;
        if (sc <= o.pruneBelow) break;
      }
    }
    let node = leaf;
    const created: MctsNode[] = [];
    let value: number | null = null;
    let capped = false;
    let walked = 0;
    for (let i = 0; i < chain.length; i++) {
      const s = chain[i]!;
      let next = tree.child(node, s.text);
      if (next) {
        if (i === 0) stats.duplicates++;
      } else {
        if (tree.size >= o.maxNodes) { capped = true; stop ??= 'nodes'; break; }
        next = tree.add(node, s.text);
        next.logp = s.logp;
        next.tokens = s.tokens;
        next.score = scores[i] ?? null;
        created.push(next);
      }
      node = next;
      walked++;
      if (node.dead) { value = o.deadValue === 'progress' ? (node.depth - 1) / node.depth : 0; break; }
      const sc = node.score;
      // A finished solution is kept as a candidate even when its last step fails (DPO needs failures).
      const finalStep = parsed.ended && !truncatedByDepth && i === chain.length - 1;
      if (sc !== null && sc <= o.pruneBelow && !node.terminal && !finalStep) {
        node.dead = true;
        stats.deadEnds++;
        value = o.deadValue === 'progress' ? (node.depth - 1) / node.depth : 0;
        break;
      }
      if (node.terminal) { value = node.score ?? 0; break; }
    }
    const reachedEnd = walked === chain.length;
    if (tapped(hooks.searchExpand)) {
      const direct = created.filter((c) => c.parent === leaf.id);
      if (direct.length) {
        const kept = await hooks.searchExpand.promise(direct.map((c) => tree.view(c)), tree.view(leaf), task);
        const keep = new Set((kept ?? []).map((c) => c.id));
        for (const c of direct) if (!keep.has(c.id)) c.dead = true;
        if (node !== leaf && tree.path(node).some((n) => n.dead)) value = 0;
      }
    }
    if (value === null && !capped) {
      const steps = tree.steps(node);
      if (parsed.ended && !truncatedByDepth && reachedEnd && node !== tree.root) {
        // The policy ended the solution here: a finished candidate, valued by the outcome reward.
        const r = await outcome(steps);
        node.terminal = true;
        node.score = r.value;
        addCandidate(node, steps, r);
        value = r.value;
      } else if (parsed.ended && node === tree.root) {
        value = 0; // an empty solution
      } else if (o.probe && node !== tree.root && !node.terminal) {
        // Not ended (a step, a length cut): a finished-looking solution may already be right.
        const r = await outcome(steps);
        if (r.value >= o.stopAt) {
          node.terminal = true;
          node.score = r.value;
          addCandidate(node, steps, r);
          value = r.value;
        }
      }
      if (value === null) {
        if (node.depth >= o.maxDepth && !node.terminal) { node.dead = true; value = 0; }
        else value = node.score ?? o.neutral;
      }
    }
    value ??= o.neutral;
    value = await evaluate(node, value);
    tree.backup(tree.path(node), value);
    if (tapped(hooks.searchBackup)) await hooks.searchBackup.promise(tree.view(node), value, task);
  };

  try {
    while (stop === null) {
      if (signal.aborted) { stop = 'abort'; break; }
      if (stats.simulations >= o.simulations) { stop = 'simulations'; break; }
      if (budget.exhausted()) { stop = 'budget'; break; }
      if (tree.size >= o.maxNodes) { stop = 'nodes'; break; }
      // Select up to `batch` leaves; virtual loss steers each selection away from the last.
      const left = budget.remaining();
      let room = left.tokens;
      let calls = left.calls;
      const requests: Request[] = [];
      const byLeaf = new Map<number, Request>();
      const want = Math.min(o.batch, o.simulations - stats.simulations);
      for (let b = 0; b < want; b++) {
        const leaf = await select();
        const prefix = prefixOf(tree.steps(leaf), fmt);
        const prompt = count(task.prompt + prefix);
        const step = o.expand === 'step' || (o.expand === 'hybrid' && leaf.depth < o.stepDepth);
        const maxTokens = Math.min(step ? Math.min(o.stepTokens, o.maxTokens) : o.maxTokens, Math.floor(room - prompt));
        if (maxTokens < Math.min(o.minTokens, o.maxTokens)) break;
        const same = byLeaf.get(leaf.id);
        if (!same && calls < 1) break;
        const path = tree.path(leaf);
        tree.addPending(path);
        leaf.expansions++;
        room -= prompt + maxTokens;
        if (same) {
          same.n++;
          same.maxTokens = Math.min(same.maxTokens, maxTokens);
        } else {
          const r = { leaf, path, n: 1, maxTokens, step };
          byLeaf.set(leaf.id, r);
          requests.push(r);
          calls--;
        }
      }
      if (requests.length === 0) { stop = 'budget'; break; }
      stats.rounds++;
      stats.requests += requests.length;
      // One round: every request is issued in the same tick, so a batching backend (policy-onnx
      // coalesces concurrent calls) runs them as one batch.
      const settled = await Promise.allSettled(requests.map((r) => policy.generate({
        prompt: task.prompt,
        prefix: prefixOf(tree.steps(r.leaf), fmt),
        n: r.n,
        temperature: r.step ? o.stepTemperature ?? o.temperature : o.temperature,
        topP: o.topP,
        maxTokens: r.maxTokens,
        ...(r.step ? { stop: [fmt.delimiter] } : {}),
        ...(wantLogprobs ? { logprobs: true } : {}),
        seed: env.rng.int(2 ** 31),
      }, signal)));
      for (const r of requests) tree.removePending(r.path, r.n);
      for (let i = 0; i < requests.length; i++) {
        const s = settled[i]!;
        if (s.status === 'rejected') {
          const e = s.reason;
          if (isReasonerError(e) && e.code === 'RSN_ERR_BUDGET_EXHAUSTED') stop ??= 'budget';
          else if (signal.aborted || (isReasonerError(e) && e.code === 'RSN_ERR_ABORTED')) stop ??= 'abort';
          else throw e;
          continue;
        }
        const res: GenerateResult = s.value;
        usage.promptTokens += res.usage.promptTokens;
        usage.completionTokens += res.usage.completionTokens;
        usage.calls += res.usage.calls;
        // Every completion of the round is paid for: integrate them all (more candidates to keep).
        for (const c of res.completions as Completion[]) await integrate(requests[i]!.leaf, parseCompletion(c, fmt));
      }
    }
  } catch (e) {
    // A broken hook stops the run; anything else keeps the best found so far when there is one.
    if (isReasonerError(e) && e.code === 'RSN_ERR_HOOK') throw e;
    failure = e;
    stop = 'reward';
  }

  let best: Candidate | undefined;
  for (const c of candidates) if (!best || (c.reward?.value ?? -Infinity) > (best.reward?.value ?? -Infinity)) best = c;
  if (!best) {
    if (failure) throw failure;
    if (stats.simulations === 0) {
      if (stop === 'abort') throw new ReasonerError('RSN_ERR_ABORTED', 'search-mcts was cancelled before its first simulation', {});
      const left = budget.remaining();
      throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `search-mcts: the budget left (${left.tokens} tokens, ${left.calls} calls) does not fit one completion (prompt ${count(task.prompt)} + ${Math.min(o.minTokens, o.maxTokens)} tokens)`, {
        limit: 'tokens', hint: 'raise run.budget.perTask.tokens, or lower the search option minTokens',
      });
    }
    // No finished solution: the most visited line, scored as it stands.
    const node = tree.principal();
    const steps = tree.steps(node);
    let r: RewardResult | undefined;
    try { r = await outcome(steps); } catch { r = undefined; }
    best = { text: fmt.join(steps), steps, ...(r ? { reward: r, answer: rewardAnswer(r) } : {}), tokens: pathTokens(node) };
  }
  return {
    best,
    candidates,
    tree: tree.nodes.map((n) => tree.view(n)),
    usage,
    stats: {
      ...stats,
      nodes: tree.size,
      maxDepth: tree.maxDepth(),
      candidates: candidates.length,
      solved: best.reward && best.reward.value >= o.stopAt ? 1 : 0,
      stoppedByBudget: stop === 'budget' ? 1 : 0,
      stoppedByNodes: stop === 'nodes' ? 1 : 0,
      stoppedBySimulations: stop === 'simulations' ? 1 : 0,
      cancelled: stop === 'abort' ? 1 : 0,
      rewardFailed: failure ? 1 : 0,
    },
  };
}

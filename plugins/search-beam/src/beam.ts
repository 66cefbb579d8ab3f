/**
 * Step-level tree search over a policy's reasoning steps: beam, ToT-style BFS / DFS with
 * backtracking, and DVTS. Each round expands a set of nodes by sampling their next step
 * (prefix continuation up to the step delimiter), all in one batch of concurrent requests (a
 * batching policy such as policy-onnx runs them as one forward pass per token), scores the
 * children with a process reward (`scoreSteps`) or the policy's logprobs, and keeps the best.
 */
import { ReasonerError, isReasonerError, rewardAnswer, type Candidate, type GenerateResult, type RewardResult, type SearchEnv, type SearchNode, type SearchResult, type StepFormat, type Usage } from '@reasoner/core';
import { isAbort, isBudgetError, left, prefixOf, promptTokens, stepFormat, withRewardTimeout } from './env.js';
import type { Aggregate, BeamOptions } from './options.js';

interface TreeNode extends SearchNode {
  depth: number;
  /** DVTS subtree (0 elsewhere). */
  subtree: number;
  /** Sum of the generated tokens' logprobs along the path, and their count. */
  logprob: number;
  tokens: number;
  expanded: boolean;
  dead: boolean;
  /** Outcome reward of a terminal node. */
  outcome?: RewardResult;
}

export interface BeamStats {
  [key: string]: number;
  nodes: number;
  maxDepth: number;
  rounds: number;
  rows: number;
  deadEnds: number;
  terminals: number;
  backtracks: number;
  restarts: number;
  correctCandidates: number;
  stoppedByBudget: number;
  stoppedByCorrect: number;
  contextFull: number;
}

const meanLp = (n: TreeNode): number => (n.tokens ? n.logprob / n.tokens : 0);
/** Higher score first, then the likelier path, then the older node (deterministic). */
const byRank = (a: TreeNode, b: TreeNode): number => b.value - a.value || meanLp(b) - meanLp(a) || a.id - b.id;

export function aggregate(scores: readonly number[], how: Aggregate): number {
  if (!scores.length) return 1;
  switch (how) {
    case 'last': return scores[scores.length - 1]!;
    case 'min': return Math.min(...scores);
    case 'prod': return scores.reduce((a, b) => a * b, 1);
    case 'mean': return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
}

export async function beamSearch(env: SearchEnv, o: BeamOptions): Promise<SearchResult> {
  const { task, policy, reward, hooks, signal } = env;
  const fmt: StepFormat = stepFormat(env);
  const rng = env.rng.fork('search-beam');
  const useLogprobs = policy.capabilities.logprobs;
  const scoreBy = o.score === 'auto' ? (reward.scoreSteps ? 'reward' : useLogprobs ? 'logprob' : null) : o.score;
  if (scoreBy === null || (scoreBy === 'reward' && !reward.scoreSteps) || (scoreBy === 'logprob' && !useLogprobs)) {
    const why = scoreBy === 'logprob' || (o.score === 'logprob') ? `policy "${policy.id}" returns no logprobs` : `the reward (kind ${reward.kind}) has no scoreSteps and policy "${policy.id}" returns no logprobs`;
    throw new ReasonerError('RSN_ERR_INPUT', `search-beam cannot rank partial solutions: ${why}`, {
      hint: 'use a process reward (a task with verifyPartial, or a PRM), a policy with logprobs, or search-bon',
    });
  }
  if (!policy.capabilities.prefix) {
    throw new ReasonerError('RSN_ERR_INPUT', `search-beam continues partial solutions, and policy "${policy.id}" cannot (capabilities.prefix is false)`, { hint: 'use a policy with prefix continuation, or search-bon' });
  }

  const usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
  const stats: BeamStats = { nodes: 1, maxDepth: 0, rounds: 0, rows: 0, deadEnds: 0, terminals: 0, backtracks: 0, restarts: 0, correctCandidates: 0, stoppedByBudget: 0, stoppedByCorrect: 0, contextFull: 0 };
  const nodes: TreeNode[] = [];
  const candidates: Array<{ cand: Candidate; node: TreeNode }> = [];
  const mk = (parent: TreeNode | null, steps: string[], lp: number, tokens: number, terminal: boolean, subtree: number): TreeNode => {
    const n: TreeNode = {
      id: nodes.length, parent: parent?.id ?? null, steps, visits: 0, value: 0, terminal, children: [],
      depth: steps.length, subtree, logprob: (parent?.logprob ?? 0) + lp, tokens: (parent?.tokens ?? 0) + tokens, expanded: false, dead: false,
    };
    nodes.push(n);
    parent?.children.push(n.id);
    return n;
  };
  const root = mk(null, [], 0, 0, false, 0);
  root.value = 1;
  const textOf = (steps: readonly string[]) => fmt.join([...steps]);
  const promptOf = (n: TreeNode) => task.prompt + prefixOf(fmt, n.steps);
  let stop = false;

  // After a cancellation the best-so-far is still scored (bounded by the timeout), so it is not lost.
  const rewardScore = (steps: readonly string[], sig: AbortSignal = signal) =>
    withRewardTimeout('reward.score', o.rewardTimeoutMs, sig, (s) => reward.score(task, textOf(steps), s));
  const processScore = async (n: TreeNode, steps: readonly string[]): Promise<number> => {
    if (scoreBy === 'logprob') return Math.exp(meanLp(n));
    const scores = await withRewardTimeout('reward.scoreSteps', o.rewardTimeoutMs, signal, (s) => reward.scoreSteps!(task, [...steps], s));
    return aggregate(scores, o.aggregate);
  };
  const addCandidate = (n: TreeNode, steps: string[], r: RewardResult) => {
    n.outcome = r;
    n.reward = r.value;
    stats.terminals++;
    if (r.correct) stats.correctCandidates++;
    candidates.push({ node: n, cand: { text: textOf(steps), steps, reward: r, answer: rewardAnswer(r), tokens: n.tokens } });
    if (r.correct && o.stopOnCorrect) { stop = true; stats.stoppedByCorrect = 1; }
  };
  const backup = async (n: TreeNode, value: number) => {
    for (let p: TreeNode | undefined = n; p; p = p.parent === null ? undefined : nodes[p.parent]) p.visits++;
    await hooks.searchBackup.promise(n, value, task);
  };

  /** Longest step (in tokens) generated so far; lets the last rounds reserve less than stepTokens. */
  let longestStep = 0;
  /**
   * Rows per node that fit the budget, best nodes first, round-robin up to `want[i]`. Each row
   * reserves prompt + maxTokens, so the search never spends more than it has. maxTokens is
   * stepTokens while that fits, else the longest step seen so far + 1 (a longer step is cut).
   */
  const plan = (sel: TreeNode[], want: readonly number[]): Array<{ node: TreeNode; n: number; maxTokens: number }> => {
    const rem = left(env);
    const chosen = sel.slice(0, Math.max(0, Math.min(sel.length, rem.calls)));
    const cost = chosen.map((n) => promptTokens(env, promptOf(n)));
    const fill = (m: number) => {
      const rows = chosen.map(() => 0);
      let spent = 0;
      for (let added = true; added;) {
        added = false;
        chosen.forEach((_, i) => {
          const c = cost[i]! + m;
          if (rows[i]! < want[i]! && spent + c <= rem.tokens) { rows[i]!++; spent += c; added = true; }
        });
      }
      return rows;
    };
    const full = fill(o.stepTokens);
    let m = o.stepTokens, rows = full;
    const wanted = want.slice(0, chosen.length).reduce((a, b) => a + b, 0);
    if (full.reduce((a, b) => a + b, 0) < wanted && longestStep > 0 && longestStep + 1 < o.stepTokens) {
      m = longestStep + 1;
      rows = fill(m);
    }
    const out = chosen.map((node, i) => ({ node, n: rows[i]!, maxTokens: m })).filter((r) => r.n > 0);
    if (!out.length && chosen.length) {
      // Not even one short step fits: one row for the best node with what is left, if a token is.
      const room = rem.tokens - cost[0]!;
      if (room >= 1) out.push({ node: chosen[0]!, n: 1, maxTokens: Math.min(m, room) });
    }
    return out;
  };

  /** One batched round: every planned request in flight at once. */
  const generate = async (reqs: Array<{ node: TreeNode; n: number; maxTokens: number; temperature: number }>): Promise<GenerateResult[]> => {
    const results = await Promise.all(reqs.map((r) => policy.generate({
      prompt: task.prompt, prefix: prefixOf(fmt, r.node.steps) || undefined, n: r.n, stop: [fmt.delimiter],
      maxTokens: r.maxTokens, temperature: r.temperature, topP: o.topP, logprobs: useLogprobs, seed: rng.int(2 ** 31),
    }, signal).catch((e: unknown): GenerateResult => {
      // A path that fills the context window cannot grow: it ends here (scored as it stands).
      if (!(isReasonerError(e) && e.code === 'RSN_ERR_CONTEXT_LENGTH')) throw e;
      r.node.terminal = true;
      stats.contextFull++;
      return { completions: [], usage: { promptTokens: 0, completionTokens: 0, calls: 0 } };
    })));
    for (const res of results) {
      for (const c of res.completions) if (c.finishReason === 'stop') longestStep = Math.max(longestStep, c.tokens);
      usage.promptTokens += res.usage.promptTokens;
      usage.completionTokens += res.usage.completionTokens;
      usage.calls += res.usage.calls;
    }
    stats.rounds++;
    stats.rows += reqs.reduce((a, r) => a + r.n, 0);
    return results;
  };

  /** Greedy rollout of `lookahead` steps past each child; returns the steps to score each by. */
  const lookahead = async (kids: TreeNode[]): Promise<Map<TreeNode, string[]>> => {
    const ext = new Map<TreeNode, string[]>(kids.map((k) => [k, [...k.steps]]));
    let open = kids.filter((k) => !k.terminal);
    for (let i = 0; i < o.lookahead && open.length && !stop; i++) {
      const probe = open.map((k) => ({ ...k, steps: ext.get(k)! }));
      const planned = plan(probe, probe.map(() => 1));
      if (!planned.length) break;
      const res = await generate(planned.map((p) => ({ ...p, temperature: 0 })));
      const next: TreeNode[] = [];
      planned.forEach((p, j) => {
        const kid = open[probe.indexOf(p.node)]!;
        const c = res[j]!.completions[0];
        if (!c) return;
        const steps = ext.get(kid)!;
        steps.push(...fmt.split(c.text));
        if (c.finishReason !== 'eos' && steps.length < o.maxDepth) next.push(kid);
      });
      open = next;
    }
    return ext;
  };

  /** Expands the selected nodes by one step (one batched round); returns the new live children. */
  const expand = async (sel: TreeNode[], want: readonly number[], hosts?: Map<TreeNode, number[]>): Promise<TreeNode[] | null> => {
    const planned = plan(sel, want);
    if (!planned.length) { stats.stoppedByBudget = 1; return null; }
    const results = await generate(planned.map((p) => ({ ...p, temperature: o.temperature })));
    const seen = new Set<string>();
    const fresh: TreeNode[] = [];
    for (let i = 0; i < planned.length && nodes.length < o.maxNodes; i++) {
      const parent = planned[i]!.node;
      parent.expanded = true;
      let kids: TreeNode[] = [];
      for (const c of results[i]!.completions) {
        if (nodes.length >= o.maxNodes) break;
        const step = fmt.split(c.text);
        const steps = [...parent.steps, ...step];
        const key = textOf(steps) + (c.finishReason === 'eos' ? '\u0000' : '');
        if (o.dedupe && seen.has(key)) continue;
        seen.add(key);
        const lp = c.logprobs?.reduce((a, b) => a + b, 0) ?? 0;
        const terminal = c.finishReason === 'eos' || steps.length >= o.maxDepth;
        // DVTS: children of a node several subtrees share (the root) are dealt out among them.
        const share = hosts?.get(parent);
        kids.push(mk(parent, steps, lp, c.tokens, terminal, share ? share[kids.length % share.length]! : parent.subtree));
      }
      const kept = await hooks.searchExpand.promise(kids, parent, task);
      if (kept !== kids) {
        const keep = new Set(kept.map((k) => k.id));
        for (const k of kids) if (!keep.has(k.id)) k.dead = true;
        kids = kids.filter((k) => keep.has(k.id));
      }
      fresh.push(...kids);
    }
    stats.nodes = nodes.length;
    for (const p of planned) if (p.node.terminal && p.node.parent !== null && !p.node.outcome) { const r = await rewardScore(p.node.steps); addCandidate(p.node, p.node.steps, r); }
    // Evaluate: terminals get the outcome reward, others a process score (after any lookahead).
    const ext = o.lookahead > 0 ? await lookahead(fresh) : null;
    const live: TreeNode[] = [];
    for (const k of fresh) {
      if (stop) break;
      stats.maxDepth = Math.max(stats.maxDepth, k.depth);
      if (k.terminal) {
        const r = await rewardScore(k.steps);
        k.value = await hooks.searchEvaluate.promise(r.value, k, task);
        addCandidate(k, k.steps, r);
        await backup(k, k.value);
        continue;
      }
      const steps = ext?.get(k) ?? k.steps;
      const raw = await processScore(k, steps);
      k.value = await hooks.searchEvaluate.promise(raw, k, task);
      await backup(k, k.value);
      if (k.value <= o.threshold) { k.dead = true; stats.deadEnds++; continue; }
      if (o.stopOnCorrect && reward.kind === 'outcome') {
        // A finished solution whose eos has not been sampled yet: check it now and stop early.
        const r = await rewardScore(k.steps);
        if (r.correct) { addCandidate(k, k.steps, r); continue; }
      }
      if (ext && ext.get(k)!.length > k.steps.length && o.stopOnCorrect && reward.kind === 'outcome') {
        const r = await rewardScore(ext.get(k)!);
        if (r.correct) {
          const leaf = mk(k, ext.get(k)!, 0, 0, true, k.subtree);
          addCandidate(leaf, leaf.steps, r);
          continue;
        }
      }
      live.push(k);
    }
    return live;
  };

  const liveUnexpanded = (n: TreeNode) => !n.expanded && !n.dead && !n.terminal;
  /** The nodes to expand next round. */
  let last: TreeNode[] = [root];
  const stack: TreeNode[] = [root];
  const select = (): TreeNode[] => {
    if (o.strategy === 'dfs') {
      while (stack.length && !liveUnexpanded(stack[stack.length - 1]!)) stack.pop();
      const sel = stack.splice(Math.max(0, stack.length - o.width)).reverse();
      if (nodes.length > 1 && sel.some((n) => !last.includes(n))) stats.backtracks++;
      return sel.length ? sel : restart();
    }
    if (o.strategy === 'dvts') {
      const out: TreeNode[] = [];
      for (let t = 0; t < o.width; t++) {
        const mine = last.filter((n) => n.subtree === t && liveUnexpanded(n)).sort(byRank);
        if (mine.length) { out.push(mine[0]!); continue; }
        const older = nodes.filter((n) => n.subtree === t && n.parent !== null && liveUnexpanded(n)).sort((a, b) => b.depth - a.depth || byRank(a, b));
        if (older.length) { stats.backtracks++; out.push(older[0]!); continue; }
        out.push(root);
        if (nodes.length > 1) stats.restarts++;
      }
      return out;
    }
    const sel = last.filter(liveUnexpanded).sort(byRank).slice(0, o.width);
    if (o.strategy === 'bfs' && sel.length < o.width) {
      const fill = nodes.filter((n) => n.parent !== null && liveUnexpanded(n) && !sel.includes(n)).sort((a, b) => byRank(a, b) || b.depth - a.depth).slice(0, o.width - sel.length);
      if (fill.length) stats.backtracks++;
      sel.push(...fill);
    }
    return sel.length ? sel : restart();
  };
  const restart = (): TreeNode[] => {
    if (nodes.length > 1) stats.restarts++;
    return [root];
  };

  try {
    while (!stop && nodes.length < o.maxNodes) {
      if (signal.aborted) break;
      if (env.budget.exhausted()) { stats.stoppedByBudget = 1; break; }
      let sel = select();
      // DVTS: a root shared by several subtrees is expanded once, with each subtree's share.
      sel = await Promise.all(sel.map(async (n) => {
        const pick = await hooks.searchSelect.promise(n, task);
        return nodes[pick?.id ?? -1] ?? n;
      }));
      const kids = await expandSelected(sel);
      if (kids === null) break;
      last = kids;
      if (o.strategy === 'dfs') stack.push(...[...kids].sort(byRank).reverse());
    }
  } catch (e) {
    if (isBudgetError(e)) stats.stoppedByBudget = 1;
    else if (isAbort(e, signal)) { if (!candidates.length && nodes.length === 1) throw e; }
    else throw e;
  }

  /** Expands the selection; DVTS subtrees sharing a node expand it once, with a share of rows each. */
  async function expandSelected(sel: TreeNode[]): Promise<TreeNode[] | null> {
    if (o.strategy !== 'dvts') return expand(sel, sel.map(() => o.expansions));
    const hosts = new Map<TreeNode, number[]>();
    sel.forEach((n, t) => hosts.set(n, [...(hosts.get(n) ?? []), t]));
    const uniq = [...hosts.keys()];
    return expand(uniq, uniq.map((n) => o.expansions * hosts.get(n)!.length), hosts);
  }

  // The best: a terminal candidate by outcome reward, then path score; else the best partial path.
  const rank = (a: { cand: Candidate; node: TreeNode }, b: { cand: Candidate; node: TreeNode }) =>
    (b.cand.reward?.value ?? -Infinity) - (a.cand.reward?.value ?? -Infinity) || byRank(a.node, b.node);
  candidates.sort(rank);
  if (!candidates.length) {
    const partial = nodes.filter((n) => n.parent !== null && !n.dead).sort((a, b) => b.depth - a.depth || byRank(a, b))[0]
      ?? nodes.filter((n) => n.parent !== null).sort(byRank)[0];
    if (!partial) {
      if (signal.aborted) throw new ReasonerError('RSN_ERR_ABORTED', 'search aborted before the first step', {});
      throw new ReasonerError('RSN_ERR_BUDGET_EXHAUSTED', `search-beam could not generate a single step: ${env.budget.exhausted() ?? 'tokens'} left ${JSON.stringify(left(env))}`, {
        hint: 'raise run.budget.perTask (one step needs about prompt + stepTokens tokens)',
      });
    }
    const r = await rewardScore(partial.steps, new AbortController().signal);
    partial.outcome = r;
    partial.reward = r.value;
    candidates.push({ node: partial, cand: { text: textOf(partial.steps), steps: partial.steps, reward: r, answer: rewardAnswer(r), tokens: partial.tokens } });
  }
  stats.nodes = nodes.length;
  const tree: SearchNode[] = nodes.map(({ id, parent, steps, visits, value, prior, terminal, children, reward: rv }) => ({ id, parent, steps, visits, value, prior, terminal, children, ...(rv === undefined ? {} : { reward: rv }) }));
  return { best: candidates[0]!.cand, candidates: candidates.map((c) => c.cand), tree, stats, usage };
}

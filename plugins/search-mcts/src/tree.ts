import type { SearchNode } from '@reasoner/core';

/** One node of the search tree: a step appended to its parent's steps. */
export interface MctsNode {
  id: number;
  /** -1 for the root. */
  parent: number;
  /** The step this node adds ('' at the root). */
  step: string;
  depth: number;
  children: number[];
  /** Real visits (backed-up simulations through this node). */
  visits: number;
  /** Simulations in flight through this node (virtual loss: counted as visits of value 0). */
  pending: number;
  /** Sum of backed-up values. */
  total: number;
  /** Log-probability of the step under the policy (null: the backend gave none). */
  logp: number | null;
  /** The node's own score: process reward of its prefix, or outcome reward when terminal. */
  score: number | null;
  /** The solution ends here. */
  terminal: boolean;
  /** Pruned: a dead end by the process reward, a wrong final answer, too deep, or filtered by a hook. */
  dead: boolean;
  /** Generated tokens attributed to this step. */
  tokens: number;
  /** Completions generated from this node (done + in flight): what progressive widening limits. */
  expansions: number;
}

export interface PuctOptions {
  /** Exploration constant. */
  cPuct: number;
  /** Progressive widening: a node may have ceil(widenC · N^widenAlpha) children (at least 1). */
  widenC: number;
  widenAlpha: number;
  /** Value assumed for a child with no visits yet (first-play urgency). */
  fpu: number;
}

/**
 * The tree and its statistics. Nodes live in one array (ids are indices), children are
 * deduplicated by step text, and steps from the root are rebuilt on demand (a node stores only
 * its own step), so memory is O(nodes).
 */
export class Tree {
  readonly nodes: MctsNode[] = [];
  private readonly byStep = new Map<string, number>();

  constructor(readonly opts: PuctOptions) {
    this.nodes.push(this.make(-1, '', 0));
  }

  get root(): MctsNode {
    return this.nodes[0]!;
  }

  get size(): number {
    return this.nodes.length;
  }

  private make(parent: number, step: string, depth: number): MctsNode {
    return { id: this.nodes.length, parent, step, depth, children: [], visits: 0, pending: 0, total: 0, logp: null, score: null, terminal: false, dead: false, tokens: 0, expansions: 0 };
  }

  /** The child of `parent` that adds `step`, if any. */
  child(parent: MctsNode, step: string): MctsNode | undefined {
    const id = this.byStep.get(`${parent.id}\u0000${step}`);
    return id === undefined ? undefined : this.nodes[id];
  }

  /** Adds a child (the caller checks `child` first and the node cap). */
  add(parent: MctsNode, step: string): MctsNode {
    const node = this.make(parent.id, step, parent.depth + 1);
    this.nodes.push(node);
    parent.children.push(node.id);
    this.byStep.set(`${parent.id}\u0000${step}`, node.id);
    return node;
  }

  steps(node: MctsNode): string[] {
    const out: string[] = [];
    for (let n: MctsNode | undefined = node; n && n.parent >= 0; n = this.nodes[n.parent]) out.push(n.step);
    return out.reverse();
  }

  /** Nodes from the root to `node`, root first. */
  path(node: MctsNode): MctsNode[] {
    const out: MctsNode[] = [];
    for (let n: MctsNode | undefined = node; n; n = n.parent >= 0 ? this.nodes[n.parent] : undefined) out.push(n);
    return out.reverse();
  }

  mean(node: MctsNode): number {
    const n = node.visits + node.pending;
    return n > 0 ? node.total / n : this.opts.fpu;
  }

  /** Children that may still be selected (not pruned, not finished). */
  open(node: MctsNode): MctsNode[] {
    const out: MctsNode[] = [];
    for (const id of node.children) {
      const c = this.nodes[id]!;
      if (!c.dead && !c.terminal) out.push(c);
    }
    return out;
  }

  /** Whether the next simulation through `node` should sample a new child from it. */
  canWiden(node: MctsNode, open: MctsNode[]): boolean {
    if (node.dead || node.terminal) return false;
    if (open.length === 0) return true;
    const n = node.visits + node.pending;
    const allowed = Math.max(1, Math.ceil(this.opts.widenC * Math.pow(n, this.opts.widenAlpha)));
    // Count samples drawn from the node, not distinct children: a policy that keeps proposing
    // the same step would otherwise be asked forever.
    return node.expansions < allowed;
  }

  /**
   * PUCT (AlphaZero): Q + c·P·√N/(1+n), priors P from the steps' logprobs normalised over the
   * siblings; UCT (Q + c·√(ln N / n)) when no child has a logprob. Ties go to the earliest child.
   */
  bestChild(node: MctsNode, open: MctsNode[]): MctsNode {
    const parentN = node.visits + node.pending;
    const withPriors = open.every((c) => c.logp !== null);
    let priors: number[] | null = null;
    if (withPriors) {
      const max = Math.max(...open.map((c) => c.logp!));
      const w = open.map((c) => Math.exp(c.logp! - max));
      const sum = w.reduce((a, b) => a + b, 0);
      priors = w.map((x) => x / sum);
    }
    let best = open[0]!;
    let bestScore = -Infinity;
    open.forEach((c, i) => {
      const n = c.visits + c.pending;
      const q = this.mean(c);
      const u = priors
        ? this.opts.cPuct * priors[i]! * Math.sqrt(parentN) / (1 + n)
        : n === 0 ? Infinity : this.opts.cPuct * Math.sqrt(Math.log(Math.max(1, parentN)) / n);
      const s = q + u;
      if (s > bestScore) { bestScore = s; best = c; }
    });
    return best;
  }

  /** Walks from the root to the node the next simulation expands. */
  select(): MctsNode {
    let node = this.root;
    for (;;) {
      const open = this.open(node);
      if (this.canWiden(node, open)) return node;
      node = this.bestChild(node, open);
    }
  }

  /** Virtual loss: marks a simulation in flight through `path` so the next selections diverge. */
  addPending(path: MctsNode[], k = 1): void {
    for (const n of path) n.pending += k;
  }

  removePending(path: MctsNode[], k = 1): void {
    for (const n of path) n.pending = Math.max(0, n.pending - k);
  }

  backup(path: MctsNode[], value: number): void {
    for (const n of path) {
      n.visits += 1;
      n.total += value;
    }
  }

  /** The most visited line from the root (the answer of a search with no finished solution). */
  principal(): MctsNode {
    let node = this.root;
    for (;;) {
      let best: MctsNode | undefined;
      for (const id of node.children) {
        const c = this.nodes[id]!;
        if (c.dead) continue;
        if (!best || c.visits > best.visits || (c.visits === best.visits && this.mean(c) > this.mean(best))) best = c;
      }
      if (!best) return node;
      node = best;
    }
  }

  /** The public view of a node (what hooks and records see). */
  view(node: MctsNode): SearchNode {
    const prior = node.logp === null ? undefined : Math.exp(node.logp);
    return {
      id: node.id,
      parent: node.parent < 0 ? null : node.parent,
      steps: this.steps(node),
      visits: node.visits,
      value: node.visits > 0 ? node.total / node.visits : 0,
      ...(prior === undefined ? {} : { prior }),
      ...(node.score === null ? {} : { reward: node.score }),
      terminal: node.terminal,
      children: [...node.children],
    };
  }

  maxDepth(): number {
    let d = 0;
    for (const n of this.nodes) if (n.depth > d) d = n.depth;
    return d;
  }
}

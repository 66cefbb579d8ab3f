/**
 * Routes kernel hook calls to whoever is listening for one task id (a /v1/reason stream, a
 * chat request's metrics). Hooks are frozen after setup, so the server-http extension taps them
 * once in its setup and the server subscribes per request here.
 */
import type { GenerateResult, Hooks, RewardResult, SearchNode, Task } from '@reasoner/core';

export type HubEvent =
  | { type: 'select'; node: SearchNode }
  | { type: 'expand'; node: SearchNode; children: SearchNode[] }
  | { type: 'evaluate'; node: SearchNode; value: number }
  | { type: 'backup'; node: SearchNode; value: number }
  | { type: 'candidate'; text: string; reward: RewardResult }
  | { type: 'generate'; completions: number; tokens: number };

export type HubListener = (event: HubEvent) => void;

export interface Hub {
  /** Listens to the hook calls made for `taskId`; returns the unsubscribe function. */
  subscribe(taskId: string, fn: HubListener): () => void;
  /** Every policy call of any task (metrics). */
  onGenerate(fn: (usage: GenerateResult['usage']) => void): void;
}

const HUBS = new WeakMap<Hooks, Hub>();

/** The hub tapped into this hook set by the server-http extension, if it is set up. */
export function hubOf(hooks: Hooks): Hub | undefined {
  return HUBS.get(hooks);
}

export function tapHub(hooks: Hooks, name = 'server-http'): Hub {
  const listeners = new Map<string, Set<HubListener>>();
  const generateFns: Array<(u: GenerateResult['usage']) => void> = [];
  const emit = (task: Task | undefined, event: HubEvent): void => {
    const set = task && listeners.get(task.id);
    if (!set) return;
    for (const fn of set) {
      try { fn(event); } catch { /* a listener's failure must not break the search */ }
    }
  };
  hooks.searchSelect.tapPromise(name, async (node, task) => { emit(task, { type: 'select', node }); return node; });
  hooks.searchExpand.tapPromise(name, async (children, node, task) => { emit(task, { type: 'expand', node, children }); return children; });
  hooks.searchEvaluate.tapPromise(name, async (value, node, task) => { emit(task, { type: 'evaluate', node, value }); return value; });
  hooks.searchBackup.tapPromise(name, async (node, value, task) => { emit(task, { type: 'backup', node, value }); });
  hooks.afterReward.tapPromise(name, async (result, solution, task) => { emit(task, { type: 'candidate', text: solution, reward: result }); return result; });
  hooks.afterGenerate.tapPromise(name, async (result, _req, task) => {
    for (const fn of generateFns) fn(result.usage);
    emit(task, { type: 'generate', completions: result.completions.length, tokens: result.usage.completionTokens });
    return result;
  });
  const hub: Hub = {
    subscribe(taskId, fn) {
      let set = listeners.get(taskId);
      if (!set) listeners.set(taskId, (set = new Set()));
      set.add(fn);
      return () => {
        set!.delete(fn);
        if (!set!.size) listeners.delete(taskId);
      };
    },
    onGenerate(fn) { generateFns.push(fn); },
  };
  HUBS.set(hooks, hub);
  return hub;
}

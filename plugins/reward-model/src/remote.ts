import { ReasonerError, type Task } from '@reasoner/core';

export interface RemoteOptions {
  /** The reward service's URL (OpenRLHF `--remote_rm_url`). */
  url: string;
  /** Extra headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Queries per request. */
  batch?: number;
}

/**
 * Client of OpenRLHF's remote reward-model protocol: `POST url` with
 * `{ "query": [prompt + response, …], "prompts": [prompt, …], "labels": [gold, …] }` and the
 * reply `{ "rewards": [number, …] }` (OpenRLHF's `remote_rm_fn`; newer servers may add `scores`
 * and `extra_logs`, which are ignored). So a big reward model served elsewhere can guide search.
 */
export async function remoteRewards(o: RemoteOptions, items: Array<{ task: Task; text: string }>, signal?: AbortSignal): Promise<number[]> {
  const out: number[] = [];
  const B = o.batch ?? 64;
  for (let i = 0; i < items.length; i += B) {
    const part = items.slice(i, i + B);
    const body = { query: part.map((x) => x.task.prompt + x.text), prompts: part.map((x) => x.task.prompt), labels: part.map((x) => x.task.answer ?? '') };
    const sig = AbortSignal.any([AbortSignal.timeout(o.timeoutMs ?? 30_000), ...(signal ? [signal] : [])]);
    let res: Response;
    try {
      res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json', ...o.headers }, body: JSON.stringify(body), signal: sig });
    } catch (e) {
      throw new ReasonerError('RSN_ERR_REWARD', `remote reward service ${o.url} is unreachable: ${(e as Error).message}`, { hint: 'check the URL and that the service runs; timeoutMs sets the wait' });
    }
    if (!res.ok) throw new ReasonerError('RSN_ERR_REWARD', `remote reward service ${o.url} answered HTTP ${res.status}`, { hint: 'check the service log; the request was { query, prompts, labels }' });
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ReasonerError('RSN_ERR_REWARD', `remote reward service ${o.url} answered with invalid JSON`, { hint: 'it must answer { "rewards": [number, …] }' });
    }
    const rewards = (json as { rewards?: unknown }).rewards;
    if (!Array.isArray(rewards) || rewards.length !== part.length || !rewards.every((r) => typeof r === 'number' && Number.isFinite(r))) {
      throw new ReasonerError('RSN_ERR_REWARD', `remote reward service ${o.url} must answer { "rewards": [${part.length} finite numbers] }`, { hint: 'see OpenRLHF remote_rm_fn for the protocol' });
    }
    out.push(...(rewards as number[]));
  }
  return out;
}

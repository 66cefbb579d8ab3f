import { forEachConcurrent, ReasonerError, type Grader, type Policy, type StepFormat, type Task } from '@reasoner/core';

/** One sampled solution with a value label per step prefix (Math-Shepherd). */
export interface StepExample {
  taskId: string;
  prompt: string;
  steps: string[];
  /** labels[i] = share of rollouts from steps[0..i] that reach a correct answer; last = graded outcome. */
  labels: number[];
  /** The whole solution is correct (by the grader). */
  correct: boolean;
}

export interface LabelOptions {
  policy: Policy;
  grader: Grader;
  steps: StepFormat;
  /** Solutions sampled per task. */
  samples: number;
  /** Rollouts per step prefix. */
  rollouts: number;
  temperature: number;
  maxTokens?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onTask?: (done: number) => void;
}

/**
 * Monte-Carlo step labels (Math-Shepherd, Wang et al. 2024): sample solutions, and from every
 * step prefix roll out `rollouts` completions; a prefix's label is the share of them the grader
 * calls correct. The complete solution's label is its own grade. Labels need the policy's
 * prefix continuation.
 */
export async function monteCarloLabels(tasks: AsyncIterable<Task> | Task[], o: LabelOptions): Promise<StepExample[]> {
  if (!o.policy.capabilities.prefix) {
    throw new ReasonerError('RSN_ERR_POLICY', `policy "${o.policy.id}" cannot continue a prefix, which Monte-Carlo step labels need`, { hint: 'use a policy with prefix continuation (policy-tiny, policy-onnx, or a completions endpoint)' });
  }
  const out: StepExample[] = [];
  let done = 0;
  const iter = Array.isArray(tasks) ? (async function* () { yield* tasks; })() : tasks;
  await forEachConcurrent(iter, o.concurrency ?? 16, async (task: Task) => {
    const res = await o.policy.generate({ prompt: task.prompt, n: o.samples, temperature: o.temperature, maxTokens: o.maxTokens }, o.signal);
    const seen = new Set<string>();
    for (const c of res.completions) {
      if (seen.has(c.text)) continue; // identical samples would only weight a prompt twice
      seen.add(c.text);
      const steps = o.steps.split(c.text);
      if (steps.length === 0) continue;
      const final = await o.grader.grade(task, c.text, o.signal);
      const labels = await Promise.all(steps.map(async (_s, i) => {
        if (i === steps.length - 1) return final.correct ? 1 : 0;
        const prefix = o.steps.join(steps.slice(0, i + 1)) + o.steps.delimiter;
        const roll = await o.policy.generate({ prompt: task.prompt, prefix, n: o.rollouts, temperature: o.temperature, maxTokens: o.maxTokens }, o.signal);
        let ok = 0;
        for (const r of roll.completions) if ((await o.grader.grade(task, prefix + r.text, o.signal)).correct) ok++;
        return ok / Math.max(1, roll.completions.length);
      }));
      out.push({ taskId: task.id, prompt: task.prompt, steps, labels, correct: final.correct });
    }
    o.onTask?.(++done);
  }, () => o.signal?.aborted === true);
  return out;
}

/**
 * Advantage estimators and token-level rewards for PPO and GRPO (pure numbers; the backend gets
 * the results as plain arrays, tensors stay inside it).
 */
import { klK3 } from '@reasoner/core';

/**
 * Generalised advantage estimation (Schulman et al. 2016) over one sequence:
 * δ_t = r_t + γ·V_{t+1} − V_t (V_T = 0), A_t = δ_t + γλ·A_{t+1}; returns = A + V.
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma = 1, lambda = 0.95): { advantages: number[]; returns: number[] } {
  if (rewards.length !== values.length) throw new Error(`gae: ${rewards.length} rewards but ${values.length} values`);
  const T = rewards.length;
  const advantages = new Array<number>(T).fill(0);
  let next = 0;
  for (let t = T - 1; t >= 0; t--) {
    const vNext = t + 1 < T ? values[t + 1]! : 0;
    const delta = rewards[t]! + gamma * vNext - values[t]!;
    next = delta + gamma * lambda * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]!) };
}

/**
 * GRPO's group-relative advantage (Shao et al. 2024): (r − mean) / (std + eps) within the group
 * of completions of one prompt; `scale: false` keeps only the mean baseline (Dr. GRPO). A group
 * whose rewards are all equal carries no signal: its advantages are all 0.
 */
export function groupAdvantages(rewards: readonly number[], opts: { scale?: boolean; eps?: number } = {}): number[] {
  const n = rewards.length;
  if (n === 0) return [];
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  const variance = rewards.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1); // unbiased, as torch.std
  const std = Math.sqrt(variance);
  if (std < 1e-12) return rewards.map(() => 0);
  const scale = opts.scale === false ? 1 : 1 / (std + (opts.eps ?? 1e-4));
  return rewards.map((r) => (r - mean) * scale);
}

/** Per-token KL estimators between the policy (logp) and the reference (refLogp) on sampled tokens. */
export function klK1(logp: number, refLogp: number): number {
  return logp - refLogp;
}
/** Schulman's k3 ≥ 0 (GRPO's per-token penalty), from core. */
export { klK3 };

/** Sequence KL of sampled text: mean over its tokens of k1 (an unbiased estimate of KL(π‖ref) per token). */
export function meanKl(logp: readonly number[], refLogp: readonly number[], estimator: 'k1' | 'k3' = 'k1'): number {
  if (logp.length === 0) return 0;
  const f = estimator === 'k1' ? klK1 : klK3;
  let s = 0;
  for (let i = 0; i < logp.length; i++) s += f(logp[i]!, refLogp[i]!);
  return s / logp.length;
}

export interface TokenRewardInput {
  /** Tokens of the completion. */
  tokens: number;
  /** Outcome reward of the whole completion, placed on its last token. */
  outcome: number;
  /** Process rewards per step, placed on the last token of each step (`stepEnds[i]`). */
  steps?: readonly number[];
  /** Index of the last token of each step (ascending, < tokens). */
  stepEnds?: readonly number[];
  /** Weight of process rewards (default 1). */
  processCoef?: number;
  /** Per-token KL penalty: r_t −= klCoef · (logp_t − refLogp_t) (PPO's reward shaping, as in TRL/OpenRLHF). */
  klCoef?: number;
  logp?: readonly number[];
  refLogp?: readonly number[];
}

/**
 * Token-level rewards for PPO: KL penalty on every token, process rewards at step ends, the
 * outcome reward on the final token.
 */
export function tokenRewards(o: TokenRewardInput): number[] {
  const r = new Array<number>(o.tokens).fill(0);
  if (o.tokens === 0) return r;
  if (o.klCoef && o.logp && o.refLogp) {
    for (let t = 0; t < o.tokens; t++) r[t]! -= o.klCoef * klK1(o.logp[t] ?? 0, o.refLogp[t] ?? 0);
  }
  if (o.steps && o.stepEnds) {
    const c = o.processCoef ?? 1;
    o.steps.forEach((s, i) => {
      const at = Math.min(o.tokens - 1, Math.max(0, o.stepEnds![i] ?? o.tokens - 1));
      r[at]! += c * s;
    });
  }
  r[o.tokens - 1]! += o.outcome;
  return r;
}

/**
 * Token index of each step's last character, for a character-level tokenizer (policy-tiny):
 * steps are the completion's lines; the newline that ends a step belongs to it.
 */
export function stepEndsByLine(text: string): number[] {
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') ends.push(i);
  if (text.length > 0 && text[text.length - 1] !== '\n') ends.push(text.length - 1);
  return ends;
}

/**
 * GRPO with process supervision (Shao et al. 2024, DeepSeekMath §4.1.3): every step reward of a
 * group is normalised by the mean and std of all the group's step rewards, and a token's
 * advantage is the sum of the normalised rewards of its own step and every later step.
 * `stepEnds[i][j]` is the last token of step j of sample i; `tokens[i]` its completion length.
 * A group whose step rewards are all equal carries no process signal (all zeros).
 */
export function processAdvantages(stepRewards: readonly (readonly number[])[], stepEnds: readonly (readonly number[])[], tokens: readonly number[], opts: { scale?: boolean; eps?: number } = {}): number[][] {
  const flat = groupAdvantages(stepRewards.flat(), opts);
  let k = 0;
  return stepRewards.map((steps, i) => {
    const norm = steps.map(() => flat[k++]!);
    const adv = new Array<number>(tokens[i]!).fill(0);
    let togo = 0;
    let j = steps.length - 1;
    for (let t = tokens[i]! - 1; t >= 0; t--) {
      // Steps end at or after t: add each step's reward once the walk reaches its last token.
      while (j >= 0 && Math.min(tokens[i]! - 1, stepEnds[i]![j]!) >= t) togo += norm[j--]!;
      adv[t] = togo;
    }
    return adv;
  });
}

/** Whitening over a batch (PPO normalises advantages per batch). */
export function whiten(xs: readonly number[], eps = 1e-8): number[] {
  if (xs.length < 2) return xs.map(() => 0);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return xs.map((x) => (x - mean) / (sd + eps));
}

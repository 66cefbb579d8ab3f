export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  prompt: string;
  /** Chat form, for chat models; `prompt` is still set (used by text-only backends). */
  messages?: ChatMessage[];
  /** A partial solution to continue (the policy generates what follows it). */
  prefix?: string;
  /** Number of completions (emulated by repeated calls when not native). */
  n?: number;
  /** 0 = greedy. */
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  /** Return per-token logprobs of the sampled text. */
  logprobs?: boolean;
  /** Seed for sampling; the kernel derives one per call from the run seed. */
  seed?: number;
}

export interface Completion {
  /** Generated text, excluding the prompt and prefix, and excluding the stop sequence. */
  text: string;
  /** Number of generated tokens. */
  tokens: number;
  /** Per-token logprobs of the generated tokens (when requested and supported). */
  logprobs?: number[];
  finishReason: 'stop' | 'length' | 'eos';
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

export interface GenerateResult {
  completions: Completion[];
  usage: Usage;
}

export interface PolicyCapabilities {
  /** Can return per-token logprobs (needed by PPO/DPO/GRPO). */
  logprobs: boolean;
  /** Can continue a partial solution (`prefix`). */
  prefix: boolean;
  /** Generates `n` completions in one call. */
  nativeN: boolean;
  /** Has weights Reasoner can update (see `TrainablePolicy`). */
  trainable: boolean;
}

export interface Policy {
  /** Stable id of the weights/model in use (recorded in every trajectory). */
  readonly id: string;
  readonly capabilities: PolicyCapabilities;
  generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult>;
  /**
   * Tokens `text` takes in this policy's tokenizer. Lets the kernel reserve a request's budget
   * before the call; without it, the text's length in characters is used (an upper bound for
   * most tokenizers).
   */
  countTokens?(text: string): number;
  /**
   * The most tokens a completion gets when a request sets no `maxTokens`. Lets the kernel reserve
   * a budget for such requests without shortening them; without it, an equal share of what is left.
   */
  readonly defaultMaxTokens?: number;
  /** Logprobs of given text after a prompt (teacher forcing); required when `capabilities.logprobs`. */
  scoreText?(prompt: string, text: string, signal?: AbortSignal): Promise<{ logprobs: number[]; tokens: number }>;
  close?(): Promise<void> | void;
}

/**
 * DeepSeek-R1 (-Zero) style: GRPO on an outcome verifier — a group of samples per prompt,
 * group-relative advantages, no critic, k3 KL to the start policy. The Countdown checker reads
 * only the prompt, so it is a fair verifier. `reasoner learn --config examples/recipes/deepseek-r1.config.ts`
 */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';
import ppo from '@reasoner/plugin-learn-ppo';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: bon({ n: 16, select: 'reward', temperature: 0.8 }),
  learn: ppo({ algorithm: 'grpo', iterations: 20, promptsPerIteration: 8, groupSize: 16, temperature: 0.8, klCoef: 0.04, lr: 2e-4 }),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

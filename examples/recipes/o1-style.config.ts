/**
 * o1-style (roadmap §5): PPO with a value head on outcome + process rewards. The reward is the
 * Countdown checker, whose `verifyPartial` scores every step prefix (a dead end costs once);
 * learn-ppo places those scores at step ends and the outcome on the last token, then GAE.
 * `reasoner learn --config examples/recipes/o1-style.config.ts` (online).
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
  learn: ppo({ algorithm: 'ppo', processCoef: 0.5, klCoef: 0.02, iterations: 20, promptsPerIteration: 8, groupSize: 16, temperature: 0.8, lr: 1e-4 }),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

/** Open-Reasoner: MCTS at test time, PPO (value head, GAE, process + outcome rewards) to learn. */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import mcts from '@reasoner/plugin-search-mcts';
import ppo from '@reasoner/plugin-learn-ppo';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: mcts(),
  learn: ppo({ algorithm: 'ppo', processCoef: 0.5, iterations: 20, promptsPerIteration: 8, groupSize: 16, temperature: 0.8, lr: 1e-4 }),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

/** Slow Thinking (STILL): tree search → DPO on correct vs incorrect solutions of one prompt. `reasoner iterate --config examples/recipes/slow-thinking.config.ts --rounds 1` */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import mcts from '@reasoner/plugin-search-mcts';
import dpo from '@reasoner/plugin-learn-dpo';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: mcts(),
  learn: dpo({ beta: 0.1 }),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

/** Marco-o1: MCTS over reasoning steps → SFT on the solutions the tree search found. `reasoner iterate --config examples/recipes/marco-o1.config.ts --rounds 2` */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import mcts from '@reasoner/plugin-search-mcts';
import sft from '@reasoner/plugin-learn-sft';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: mcts(),
  learn: sft(),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

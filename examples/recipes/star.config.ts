/** STaR / expert iteration (the default loop): best-of-16 selected by the checker → SFT on the correct candidates, with replay. `reasoner iterate --config examples/recipes/star.config.ts --rounds 3` */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';
import sft from '@reasoner/plugin-learn-sft';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: bon({ n: 16, select: 'reward', temperature: 0.8 }),
  learn: sft(),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

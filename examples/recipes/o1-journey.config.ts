/** O1 Replication Journey: step-level beam search → sequential refinement → expert iteration (SFT on what the searches found). */
import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import beam from '@reasoner/plugin-search-beam';
import sft from '@reasoner/plugin-learn-sft';

export default defineConfig({
  policy: tiny(),
  tasks: countdown(),
  search: beam(),
  learn: sft({ perPrompt: 2 }),
  run: { out: 'runs', seed: 1, concurrency: 16 },
});

/**
 * o1-coder: MCTS over code with test rewards → SFT. Code needs a code model: the embedded
 * Countdown policy cannot write Python, so this recipe points at an OpenAI-compatible server
 * (not trainable here): search with it, then `reasoner data export --run runs/<id> --format trl-sft`
 * and fine-tune the model where it runs (TRL / OpenRLHF / verl).
 */
import { defineConfig } from '@reasoner/core';
import openai from '@reasoner/plugin-policy-openai';
import mbpp from '@reasoner/plugin-task-mbpp';
import code from '@reasoner/plugin-reward-code';
import mcts from '@reasoner/plugin-search-mcts';
import sft from '@reasoner/plugin-learn-sft';

export default defineConfig({
  policy: openai({ baseURL: process.env.OPENAI_BASE_URL ?? 'http://127.0.0.1:8000/v1', model: process.env.OPENAI_MODEL ?? 'qwen2.5-coder-1.5b-instruct' }),
  tasks: mbpp(),
  reward: code(),
  search: mcts(),
  learn: sft(),
  run: { out: 'runs', seed: 1, concurrency: 4 },
});

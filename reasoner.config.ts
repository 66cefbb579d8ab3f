import { defineConfig } from '@reasoner/core';
import tiny from '@reasoner/plugin-policy-tiny';
import countdown from '@reasoner/plugin-task-countdown';
import bon from '@reasoner/plugin-search-bon';

/**
 * The default, offline pipeline (`npm start`): Countdown test problems → the shipped tiny
 * transformer (trained in tfjs by `npm run train:default`; generation exported to ONNX and run
 * with onnxruntime, ~10× faster than tfjs) → best-of-16, selected by the Countdown checker →
 * one trajectory record per task and a summary in runs/<id>/.
 *
 * Selecting by the checker is fair here: it needs only what the prompt states (the numbers and
 * the target), like a proof checker. Every sample ends in `=<target>`, so a majority vote over
 * final answers would carry no signal. For GSM8K/MATH, whose reward compares with a hidden gold
 * answer, use `select: 'majority'` instead.
 */
export default defineConfig({
  policy: tiny(), // engine 'onnx' by default; tiny({ engine: 'tfjs' }) runs it in tfjs
  tasks: countdown(),
  search: bon({ n: 16, select: 'reward', temperature: 0.8 }),
  run: { out: 'runs', concurrency: 16, seed: 1, split: 'test', limit: 200 },
});

import { describe, expect, it } from 'vitest';
import { createHooks } from '../kernel/hooks.js';
import { verifierGrader, verifierReward } from '../kernel/instrument.js';
import { FakeTrainablePolicy } from '../testing/fake-trainable.js';
import type { Task, TaskSource } from '../types/task.js';
import { evaluate } from './eval.js';

/** Tasks "a+b" with an answer; level 1 prompts are answered right by the policy, level 2 never. */
function source(withLevels: boolean): TaskSource {
  const tasks: Task[] = [1, 2, 3, 4, 5].map((i) => ({ id: `t${i}`, prompt: `${i}+1`, answer: String(i + 1), ...(withLevels ? { meta: { level: i <= 3 ? 1 : 2 } } : {}) }));
  return {
    name: 'levels',
    async *tasks() { yield* tasks; },
    verify: (task, text) => ({ correct: text.trim() === task.answer }),
  };
}
// The one completion of a level-1 prompt is its sum; a level-2 prompt only ever gets "0".
const policy = () => new FakeTrainablePolicy({ completions: (p) => [Number(p.split('+')[0]) <= 3 ? String(Number(p.split('+')[0]) + 1) : '0'] });

describe('evaluate', () => {
  it('breaks greedy and pass@k down by meta.level when tasks state one', async () => {
    const tasks = source(true);
    const rep = await evaluate({ tasks, policy: policy(), reward: verifierReward(tasks), grader: verifierGrader(tasks), hooks: createHooks() }, { k: 2 });
    expect(rep.n).toBe(5);
    expect(rep.accuracy).toBeCloseTo(3 / 5);
    expect(rep.byLevel).toEqual({ 1: { n: 3, accuracy: 1, passAtK: 1 }, 2: { n: 2, accuracy: 0, passAtK: 0 } });
  });

  it('has no breakdown for tasks without levels', async () => {
    const tasks = source(false);
    const rep = await evaluate({ tasks, policy: policy(), reward: verifierReward(tasks), grader: verifierGrader(tasks), hooks: createHooks() }, { k: 2 });
    expect(rep.accuracy).toBeCloseTo(3 / 5);
    expect(rep.byLevel).toBeUndefined();
  });
});

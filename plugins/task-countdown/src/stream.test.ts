import { describe, expect, it } from 'vitest';
import { createRng } from '@reasoner/core';
import type { Task } from '@reasoner/core';
import { backOut, countdownStream, fixFirstSlip, generateCountdown, noisySolution, verifyCountdown } from './index.js';

const task = (numbers: number[], target: number): Task => ({ id: 't', prompt: `${numbers.join(' ')}>${target}\n`, answer: String(target) });

describe('countdownStream', () => {
  const t = task([21, 19, 14], 26);
  const correct = '19-14=5\n21+5=26\n=26\n';

  it('writes the slip with its true result, backtracks it and goes on with the correct solution', () => {
    expect(countdownStream(t, '21-19=2\n14+2=26\n=26\n', correct)).toBe('21-19=2\n14+2=16\n<<\n19-14=5\n21+5=26\n=26\n');
  });

  it('backtracks only to where the attempt parted from the correct solution', () => {
    expect(countdownStream(t, '19-14=5\n21*5=26\n=26\n', correct)).toBe('19-14=5\n21*5=105\n<\n21+5=26\n=26\n');
  });

  it('cuts an attempt before an impossible step, a wrong final line or text it cannot parse', () => {
    expect(countdownStream(t, '21-14=7\n7-19=0\n=26\n', correct)).toBe('21-14=7\n<\n19-14=5\n21+5=26\n=26\n');
    expect(countdownStream(t, '21+19=40\n40-14=26\n', correct)).toBeUndefined(); // honest replay reaches the target
    expect(countdownStream(t, '21+14=35\n35-19=16\n=26\n', correct)).toBe('21+14=35\n35-19=16\n<<\n19-14=5\n21+5=26\n=26\n');
    expect(countdownStream(t, '21+14=35\nbanana\n', correct)).toBe('21+14=35\n<\n19-14=5\n21+5=26\n=26\n');
  });

  it('keeps the attempt\'s own backtracks and counts only the steps still in effect', () => {
    expect(countdownStream(t, '21+14=35\n<\n21-19=2\n14*2=26\n', correct)).toBe('21+14=35\n<\n21-19=2\n14*2=28\n<<\n19-14=5\n21+5=26\n=26\n');
  });

  it('makes nothing of an attempt with no step, one inside the correct solution, or a correct solution that is wrong', () => {
    expect(countdownStream(t, '=26\n', correct)).toBeUndefined();
    expect(countdownStream(t, '19-14=5\n=26\n', correct)).toBeUndefined();
    expect(countdownStream(t, '21-19=2\n14+2=26\n=26\n', '19-14=5\n21+5=27\n=27\n')).toBeUndefined();
  });

  it('every stream of noisy failures verifies, on generated problems', () => {
    const rng = createRng(3);
    let made = 0;
    for (let i = 0; i < 200; i++) {
      const p = generateCountdown(rng, { numbers: 4, maxNumber: 25, minTarget: 10, maxTarget: 100, minSteps: 2, maxSteps: 3 });
      const fail = noisySolution(p, rng, { noise: 1, unrecovered: 1 });
      if (verifyCountdown(p, fail).correct) continue;
      const s = countdownStream(p, fail, p.solution);
      if (s === undefined) continue;
      made++;
      expect(verifyCountdown(p, s).correct).toBe(true);
      expect(s.split('\n').some((l) => /^<+$/.test(l))).toBe(true);
    }
    expect(made).toBeGreaterThan(20);
  });
});

describe('fixFirstSlip', () => {
  const t = task([21, 19, 14], 26);

  it('writes the first wrong result right and drops what follows it', () => {
    expect(fixFirstSlip(t, '21-19=2\n14+2=26\n=26\n')).toBe('21-19=2\n14+2=16\n');
    expect(fixFirstSlip(t, '21-19=3\n14+3=17\n=17\n')).toBe('21-19=2\n');
    // A fix that reaches the target is still a fix: decoding on from it can finish.
    expect(fixFirstSlip(t, '19-14=5\n21+5=25\n=25\n')).toBe('19-14=5\n21+5=26\n');
  });

  it('keeps the attempt\'s backtracks before the slip', () => {
    expect(fixFirstSlip(t, '21+14=35\n<\n21-19=2\n14*2=26\n')).toBe('21+14=35\n<\n21-19=2\n14*2=28\n');
  });

  it('fixes nothing when the attempt has no wrong result or breaks down another way first', () => {
    expect(fixFirstSlip(t, '21+14=35\n35-19=16\n=26\n')).toBeUndefined(); // right arithmetic, wrong final
    expect(fixFirstSlip(t, '21-14=7\n7-19=0\n=26\n')).toBeUndefined(); // impossible step
    expect(fixFirstSlip(t, 'banana\n21-19=3\n')).toBeUndefined();
    expect(fixFirstSlip(t, '19-14=5\n21+5=26\n=26\n')).toBeUndefined(); // correct
  });
});

describe('backOut', () => {
  const t = task([21, 19, 14], 26);

  it('backtracks every step still in effect after the honest prefix', () => {
    expect(backOut(t, '21+14=35\n35-19=16\n=16\n')).toBe('21+14=35\n35-19=16\n<<\n');
    expect(backOut(t, '21-19=2\n14+2=26\n=26\n')).toBe('21-19=2\n14+2=16\n<<\n');
    expect(backOut(t, '21+14=35\n<\n21-19=2\n=2\n')).toBe('21+14=35\n<\n21-19=2\n<\n');
  });

  it('has nothing to back out of without a valid step, or when the honest replay reaches the target', () => {
    expect(backOut(t, '=26\n')).toBeUndefined();
    expect(backOut(t, '19-14=5\n21+5=25\n=25\n')).toBeUndefined(); // repaired, 21+5 reaches 26
    expect(backOut(t, 'banana\n')).toBeUndefined();
  });
});

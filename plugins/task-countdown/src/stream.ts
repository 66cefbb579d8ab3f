import type { Task } from '@reasoner/core';
import { applyOp, formatBacktrack, formatStep, joinLines, parseLine, splitLines } from './format.js';
import { countdownProblemOf, verifyCountdown } from './verify.js';
import { applyStep } from './walk.js';

/**
 * The steps of a failed attempt up to its first mistake, with that mistake done right: a step
 * with a wrong result is written with its true one (the dead end the policy should have seen),
 * an impossible step (unavailable number, negative or inexact result), a bad backtrack or a
 * final line that is not the target ends the attempt before it. Returns the lines, the steps
 * still in effect, whether it stopped at a wrong result (`slip`) and whether the honest replay
 * reached the target (then the attempt was no dead end).
 */
function honestPrefix(numbers: readonly number[], target: number, failed: string): { lines: string[]; stack: string[]; slip: boolean; reached: boolean } {
  const pool = [...numbers];
  const lines: string[] = [];
  const stack: { text: string; a: number; b: number; c: number }[] = [];
  let slip = false, reached = false;
  for (const text of splitLines(failed)) {
    const line = parseLine(text);
    if (line.kind === 'backtrack') {
      if (line.count > stack.length) break;
      for (let k = 0; k < line.count; k++) {
        const e = stack.pop()!;
        pool.splice(pool.indexOf(e.c), 1);
        pool.push(e.a, e.b);
      }
      lines.push(text.trim());
      continue;
    }
    if (line.kind !== 'step') break;
    const { a, op, b } = line.step;
    const ia = pool.indexOf(a);
    const ib = pool.lastIndexOf(b);
    if (ia < 0 || ib < 0 || (a === b && ia === ib)) break;
    const c = applyOp(a, op, b);
    if (c === undefined) break;
    const step = { a, op, b, c };
    applyStep(pool, step);
    const honest = formatStep(step);
    lines.push(honest);
    stack.push({ text: honest, a, b, c });
    reached = pool.includes(target);
    slip = c !== line.step.c;
    if (slip || reached) break;
  }
  return { lines, stack: stack.map((e) => e.text), slip, reached };
}

/**
 * A wrong result fixed in place: the attempt's lines up to its first wrong-result step, that
 * step written with its true result (a calculator's correction). Undefined when the attempt
 * breaks down some other way first (an impossible step, text it cannot parse) or has no wrong
 * result. For diagnosis: how far an attempt gets when only its arithmetic is repaired.
 */
export function fixFirstSlip(task: Task, attempt: string): string | undefined {
  const { numbers, target } = countdownProblemOf(task);
  const p = honestPrefix(numbers, target, attempt);
  return p.slip ? joinLines(p.lines) : undefined;
}

/**
 * A failed attempt backed out of entirely: its steps up to the first mistake (done right), then a
 * backtrack of every step still in effect, so decoding can start a new plan from the original
 * numbers. Undefined when there is nothing to back out of (no valid step) or the honest replay
 * reaches the target. For diagnosis: what greedy decoding does when it is made to try again.
 */
export function backOut(task: Task, attempt: string): string | undefined {
  const { numbers, target } = countdownProblemOf(task);
  const p = honestPrefix(numbers, target, attempt);
  return p.reached || p.stack.length === 0 ? undefined : joinLines([...p.lines, formatBacktrack(p.stack.length)]);
}

/**
 * One solution that searches in the open (Stream of Search, Gandhi et al. 2024): the failed
 * attempt up to its first mistake (done right), a backtrack to where it parted from the correct
 * solution, then the correct solution from there. Built from a search's own candidates, this
 * teaches the policy to notice a dead end and back out of it instead of writing the target as
 * the result of a wrong step. Undefined when the pair makes no such stream (the attempt is not
 * a dead end, shares everything with the correct one, or the result would not verify).
 */
export function countdownStream(task: Task, failed: string, correct: string): string | undefined {
  const { numbers, target } = countdownProblemOf(task);
  if (!verifyCountdown(task, correct).correct) return undefined;
  const attempt = honestPrefix(numbers, target, failed);
  if (attempt.reached || attempt.stack.length === 0) return undefined;
  const good = splitLines(correct).map((l) => l.trim());
  let shared = 0;
  while (shared < attempt.stack.length && shared < good.length && attempt.stack[shared] === good[shared]) shared++;
  if (shared === attempt.stack.length) return undefined;
  const text = joinLines([...attempt.lines, formatBacktrack(attempt.stack.length - shared), ...good.slice(shared)]);
  return verifyCountdown(task, text).correct ? text : undefined;
}

import { describe, expect, it } from 'vitest';
import { parseCompletion, prefixOf } from './parse.js';
import { lineFormat } from './testing.js';
import { Tree } from './tree.js';

describe('parseCompletion', () => {
  it('eos: every line is a step, the solution ended', () => {
    const p = parseCompletion({ text: '25+4=29\n29*3=87\n=87\n', tokens: 20, finishReason: 'eos', logprobs: Array(20).fill(-0.5) }, lineFormat);
    expect(p.steps.map((s) => s.text)).toEqual(['25+4=29', '29*3=87', '=87']);
    expect(p.ended).toBe(true);
    expect(p.steps.map((s) => s.tokens)).toEqual([8, 8, 4]);
    expect(p.steps[0]!.logp).toBeCloseTo(-4);
  });

  it('length: the unfinished tail is dropped; stop: the one step is whole', () => {
    expect(parseCompletion({ text: '1+2=3\n3*', tokens: 8, finishReason: 'length' }, lineFormat).steps.map((s) => s.text)).toEqual(['1+2=3']);
    expect(parseCompletion({ text: '3*', tokens: 2, finishReason: 'length' }, lineFormat).steps).toEqual([]);
    const s = parseCompletion({ text: '1+2=3', tokens: 5, finishReason: 'stop' }, lineFormat);
    expect(s.steps.map((x) => [x.text, x.logp])).toEqual([['1+2=3', null]]);
    expect(s.ended).toBe(false);
  });

  it('prefixOf ends with the delimiter', () => {
    expect(prefixOf([], lineFormat)).toBe('');
    expect(prefixOf(['a', 'b'], lineFormat)).toBe('a\nb\n');
  });
});

describe('Tree', () => {
  const t = () => new Tree({ cPuct: 1, widenC: 1, widenAlpha: 0.5, fpu: 0.5 });

  it('dedupes children by step, rebuilds steps, backs values up the path', () => {
    const tree = t();
    const a = tree.add(tree.root, 'a');
    expect(tree.child(tree.root, 'a')).toBe(a);
    const b = tree.add(a, 'b');
    expect(tree.steps(b)).toEqual(['a', 'b']);
    tree.backup(tree.path(b), 1);
    tree.backup(tree.path(a), 0);
    expect([tree.root.visits, a.visits, b.visits]).toEqual([2, 2, 1]);
    expect(tree.view(a).value).toBe(0.5);
  });

  it('PUCT prefers the higher prior at equal value; virtual loss moves the next pick elsewhere', () => {
    const tree = t();
    const a = tree.add(tree.root, 'a'), b = tree.add(tree.root, 'b');
    a.logp = Math.log(0.8); b.logp = Math.log(0.2);
    for (const n of [a, b]) tree.backup(tree.path(n), 0.5);
    tree.root.expansions = 99; // no widening
    expect(tree.select()).toBe(a);
    tree.addPending(tree.path(a), 3);
    expect(tree.select()).toBe(b);
    tree.removePending(tree.path(a), 3);
    expect(tree.select()).toBe(a);
  });

  it('widens a node whose children are all pruned', () => {
    const tree = t();
    const a = tree.add(tree.root, 'a');
    tree.backup(tree.path(a), 0);
    tree.root.expansions = 99;
    expect(tree.select()).toBe(a);
    a.dead = true;
    expect(tree.select()).toBe(tree.root);
  });
});

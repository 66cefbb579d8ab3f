import { describe, expect, it } from 'vitest';
import { buildProgram, definesFunction, extractCode, fencedBlocks } from './extract-code.js';

describe('extractCode', () => {
  it('returns a bare completion unchanged', () => {
    expect(extractCode('    return x + 1\n', 'python')).toBe('    return x + 1\n');
  });

  it('takes the python block, preferring one that defines the entry point', () => {
    const text = 'Use it like this:\n```python\nprint(f(2))\n```\nThe function:\n```python\ndef f(x):\n    return x\n```\nand a shell line:\n```bash\npython f.py\n```\n';
    expect(extractCode(text, 'python', 'f')).toBe('def f(x):\n    return x\n');
    expect(extractCode(text, 'python')).toBe('def f(x):\n    return x\n');
  });

  it('accepts untagged and unclosed (truncated) fences', () => {
    expect(extractCode('```\ndef g():\n    pass\n```', 'python', 'g')).toBe('def g():\n    pass\n');
    expect(extractCode('Here:\n```py\ndef g():\n    return 1', 'python', 'g')).toBe('def g():\n    return 1');
    expect(fencedBlocks('~~~ts\nlet a = 1\n~~~')).toEqual([{ tag: 'ts', code: 'let a = 1\n' }]);
  });

  it('picks TypeScript/JavaScript blocks for those languages', () => {
    const text = '```python\ndef f(): pass\n```\n```ts\nexport function f(): number { return 1 }\n```';
    expect(extractCode(text, 'typescript', 'f')).toBe('export function f(): number { return 1 }\n');
    expect(definesFunction('const f = (x) => x', 'f', 'javascript')).toBe(true);
  });
});

describe('buildProgram', () => {
  const prompt = 'from typing import List\n\ndef f(xs: List[int]) -> int:\n    """Sum."""\n';
  it('completes a HumanEval prompt with a bare body', () => {
    expect(buildProgram(prompt, '    return sum(xs)\n', 'python', 'f')).toBe(`${prompt}    return sum(xs)\n`);
  });
  it('keeps the prompt (imports, helpers) before a full redefinition', () => {
    expect(buildProgram(prompt, 'def f(xs):\n    return sum(xs)\n', 'python', 'f')).toBe(`${prompt}\ndef f(xs):\n    return sum(xs)\n`);
  });
  it('does not prepend a natural-language prompt (MBPP)', () => {
    expect(buildProgram('Write a function f.\nassert f(1) == 1\n', 'def f(x):\n    return x\n', 'python', 'f')).toBe('def f(x):\n    return x\n');
  });
});

/**
 * Seeded, splittable RNG (sfc32 seeded through splitmix32). Every random choice in Reasoner
 * takes one, so a search or a training run repeats exactly.
 */
export type { Rng } from '../types/services.js';
import type { Rng } from '../types/services.js';

/** The i-th output of splitmix32 from state x. */
function splitmix32(x: number, i: number): number {
  let t = (x + Math.imul(0x9e3779b9, i)) | 0;
  t ^= t >>> 16;
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/** sfc32 state seeded through splitmix32; a class (not closures) so that forking is cheap. */
class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const x = seed | 0;
    this.a = splitmix32(x, 1);
    this.b = splitmix32(x, 2);
    this.c = splitmix32(x, 3);
    this.d = splitmix32(x, 4);
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  fork(label: string | number): Rng {
    return new Sfc32(hashString(String(label), this.seed ^ 0x9e3779b9));
  }
}

/** FNV-1a, for turning labels into seeds. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  return new Sfc32(seed >>> 0);
}

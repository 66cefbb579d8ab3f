/** Small shared service interfaces (implemented in core/src/util). */

/**
 * Seeded, splittable RNG. Every random choice in Reasoner takes one, so a search or a training
 * run repeats exactly.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** A child stream derived from this seed and a label; independent of call order. */
  fork(label: string | number): Rng;
  readonly seed: number;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  child(name: string): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

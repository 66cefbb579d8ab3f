import { availableParallelism } from 'node:os';

/**
 * Bounded concurrency with numbered slots: at most `size` jobs run at once, and each running job
 * holds a slot number in [0, size) that no other running job holds (it selects the sandbox uid).
 */
export class SlotPool {
  readonly size: number;
  private readonly free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];

  constructor(size = availableParallelism()) {
    this.size = Math.max(1, Math.min(64, Math.floor(size)));
    this.free = Array.from({ length: this.size }, (_, i) => this.size - 1 - i);
  }

  async use<T>(job: (slot: number) => Promise<T>): Promise<T> {
    const slot = this.free.pop() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    try {
      return await job(slot);
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.free.push(slot);
    }
  }

  /** Runs `job` over all items with the pool's concurrency; results keep the input order. */
  map<I, T>(items: readonly I[], job: (item: I, index: number) => Promise<T>): Promise<T[]> {
    return Promise.all(items.map((item, i) => this.use(() => job(item, i))));
  }
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * compute-engine behind a hard time limit. Its parse/simplify are synchronous and cannot be
 * interrupted (`(a+b+c+d)^{63}(a+b+c+d)` takes seconds), so they run in a worker thread; the
 * caller blocks on `Atomics.wait` for at most the time it can spend, and a worker that overruns
 * is terminated and replaced by a pre-started spare. Only plain JSON crosses the thread boundary.
 */

export type CasRequest =
  | { op: 'parse'; latex: string }
  | { op: 'simplifyZero'; a: string; b: string }
  | { op: 'complexEqual'; a: string; b: string };

/** The worker's code, plain JS so it runs the same from src/ (tsx, vitest) and from dist/. */
const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const state = new Int32Array(flag);
let ce;
// Each request in its own scope: symbols one input declares (a_j makes "a" a list) must not
// change how the next input parses.
function scoped(f) {
  ce.pushScope();
  try { return f(); } finally { ce.popScope(); }
}
// Parsed inputs, so a symbolic check right after the parse of the same leaf does not parse again.
const parsed = new Map();
function box(latex) {
  let b = parsed.get(latex);
  if (b === undefined) {
    b = ce.parse(latex);
    if (parsed.size >= 2000) parsed.delete(parsed.keys().next().value);
    parsed.set(latex, b);
  }
  return b;
}
function parse(latex) {
  const b = box(latex);
  return b.isValid ? { json: b.json } : { json: null };
}
function simplifyZero(a, b) {
  const x = box(a), y = box(b);
  if (!x.isValid || !y.isValid) return undefined;
  const diff = ce.box(['Subtract', x, y]).simplify();
  if (diff.isSame(ce.number(0))) return true;
  if (diff.unknowns.length === 0) {
    const v = diff.N();
    if (v.isSame(ce.number(0)) || v.is(0)) return true;
  }
  return false;
}
function complexEqual(a, b) {
  const x = box(a), y = box(b);
  if (!x.isValid || !y.isValid) return undefined;
  return ce.box(['Subtract', x, y]).N().is(0);
}
function handle(req) {
  try {
    return scoped(() => {
      if (req.op === 'parse') return parse(req.latex);
      if (req.op === 'simplifyZero') return { value: simplifyZero(req.a, req.b) };
      if (req.op === 'complexEqual') return { value: complexEqual(req.a, req.b) };
      return { error: 'op' };
    });
  } catch (e) {
    return { error: String(e && e.message || e).slice(0, 200) };
  }
}
import(workerData.ceUrl).then((m) => {
  ce = new m.ComputeEngine();
  // Warm-up: build the engine and compile the simplification rules before saying ready.
  handle({ op: 'simplifyZero', a: '(x+1)^2', b: 'x^2+2x+1' });
  handle({ op: 'complexEqual', a: '(1+i)^2', b: '2i' });
  // …and the parser's common paths, so that the first real inputs are not the slow ones.
  for (const l of ['\\frac{\\sqrt{3}}{2}+\\sin(x)', '\\sum_{k=1}^{n} a_{k}', '3x^2-12x+7', '\\ln(y)\\cdot e^{-t}', '\\pi r^2 h', '|x-1|', 'f(x)=\\cos 2\\theta'])
    handle({ op: 'parse', latex: l });
  port.on('message', (msg) => {
    const result = handle(msg.req);
    port.postMessage({ id: msg.id, result });
    Atomics.store(state, 0, msg.id);
    Atomics.notify(state, 0);
  });
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 1);
});
`;

let ceUrl: string | undefined;
/** File URL of compute-engine's ESM build, resolved from this package (the worker has no resolution base). */
function computeEngineUrl(): string {
  if (!ceUrl) {
    const cjs = createRequire(import.meta.url).resolve('@cortex-js/compute-engine');
    const esm = join(dirname(cjs), 'compute-engine.min.esm.js');
    ceUrl = pathToFileURL(existsSync(esm) ? esm : cjs).href;
  }
  return ceUrl;
}

class CasThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** [0]: id of the last answered request; [1]: 1 once the engine is built. */
  readonly state: Int32Array;
  private nextId = 1;
  dead = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.state = new Int32Array(new SharedArrayBuffer(8));
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, flag: this.state.buffer, ceUrl: computeEngineUrl() },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    this.worker.on('error', () => { this.dead = true; });
    this.worker.on('exit', () => { this.dead = true; });
    // Never keep the process alive for the sake of the CAS.
    this.worker.unref();
    port1.unref();
  }

  ready(): boolean {
    return Atomics.load(this.state, 1) === 1;
  }

  /** Blocks until the engine is built or `ms` pass. */
  waitReady(ms: number): boolean {
    if (!this.ready() && ms > 0) Atomics.wait(this.state, 1, 0, ms);
    return this.ready();
  }

  /** Id of a request that ran out of time and has not been answered yet (0: none), and since when. */
  pendingId = 0;
  pendingSince = 0;

  /** The answer, or 'timeout' (the request stays pending; the thread takes no new work until it answers). */
  request(req: CasRequest, ms: number): unknown {
    const id = this.nextId++;
    this.port.postMessage({ id, req });
    const until = performance.now() + ms;
    for (;;) {
      const seen = Atomics.load(this.state, 0);
      const msg = receiveMessageOnPort(this.port) as { message: { id: number; result: unknown } } | undefined;
      if (msg) {
        if (msg.message.id === id) return msg.message.result;
        continue; // a stale answer to an earlier request
      }
      const left = until - performance.now();
      if (left <= 0 || this.dead) {
        this.pendingId = id;
        this.pendingSince = performance.now();
        return 'timeout';
      }
      Atomics.wait(this.state, 0, seen, left);
    }
  }

  /** Clears a pending request that has been answered since (its answer is dropped). */
  settle(): void {
    if (this.pendingId === 0) return;
    while (receiveMessageOnPort(this.port));
    if (Atomics.load(this.state, 0) >= this.pendingId) this.pendingId = 0;
  }

  kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

/** Two engines: when one overruns, the other takes the work while the first finishes or is replaced. */
const pool: Array<CasThread | undefined> = [undefined, undefined];
/** Requests that ran out of time, and workers terminated for overrunning (reported by the fuzz bench). */
export const casStats = { timeouts: 0, restarts: 0 };

/** Longest the very first request waits for the engine to be built (once per process). */
const FIRST_BOOT_MS = 15_000;
/** A worker still busy this long after its request ran out of time is terminated and replaced. */
const HARD_KILL_MS = 1_000;
let booted = false;

function free(t: CasThread | undefined): t is CasThread {
  return t !== undefined && !t.dead && t.pendingId === 0 && t.ready();
}

let overran = false;
const emptySince: number[] = [0, 0];
let scheduled = false;

/**
 * Refills slot i. Starting a worker costs the calling thread up to tens of ms, so it is done
 * between tasks (setImmediate); synchronously only on first use, or when a synchronous loop has
 * kept the slot empty for 2 s.
 */
function replace(i: number, now: number): void {
  if (!booted) { pool[i] = new CasThread(); return; }
  if (pool[i] !== undefined || emptySince[i] === 0) { pool[i] = undefined; emptySince[i] = now; }
  if (now - emptySince[i]! > 2_000) { pool[i] = new CasThread(); return; }
  if (!scheduled) {
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (let k = 0; k < pool.length; k++) {
        if ((k === 0 || overran) && (!pool[k] || pool[k]!.dead)) { pool[k] = new CasThread(); emptySince[k] = 0; }
      }
    }).unref();
  }
}

function pick(waitMs: number): CasThread | undefined {
  const now = performance.now();
  // One engine normally; a second only once a request has overrun (it takes the work meanwhile).
  const size = overran ? pool.length : 1;
  for (let i = 0; i < size; i++) {
    const t = pool[i];
    t?.settle();
    if (t && !t.dead && t.pendingId !== 0 && now - t.pendingSince > HARD_KILL_MS) {
      t.kill();
      casStats.restarts++;
    }
    if (!t || t.dead) replace(i, now);
  }
  if (!booted) {
    pool[0] ??= new CasThread();
    booted = pool[0].waitReady(FIRST_BOOT_MS);
    return free(pool[0]) ? pool[0] : undefined;
  }
  const ready = pool.find(free);
  if (ready) return ready;
  // Nothing free: wait (within the budget) for one that is booting.
  const booting = pool.find((t) => t !== undefined && !t.dead && t.pendingId === 0);
  return booting?.waitReady(waitMs) ? booting : undefined;
}

/**
 * Builds the engine on first use and returns how long that took (0 afterwards): a one-off
 * start-up cost that callers do not charge to the input being checked.
 */
export function ensureCasBooted(): number {
  if (booted) return 0;
  const t0 = performance.now();
  pick(FIRST_BOOT_MS);
  return performance.now() - t0;
}

/**
 * Runs one compute-engine request with at most `ms` of wall time. Undefined when the engine ran
 * out of time (the worker finishes in the background or is replaced), is not available, or `ms`
 * is not positive.
 */
export function casRequest(req: CasRequest, ms: number): unknown {
  if (!(ms > 0)) return undefined;
  const t0 = performance.now();
  const w = pick(ms);
  if (!w) return undefined;
  const result = w.request(req, ms - (performance.now() - t0));
  if (result === 'timeout') {
    casStats.timeouts++;
    overran = true;
    return undefined;
  }
  return result;
}

/** Starts both engines and waits until they are ready (≈0.5–3 s once per process, depending on load). */
export function bootCas(): boolean {
  pick(FIRST_BOOT_MS);
  return pool.some(free);
}

/** Stops the workers (tests, clean shutdown). The next request starts new ones. */
export function shutdownCas(): void {
  for (let i = 0; i < pool.length; i++) {
    pool[i]?.kill();
    pool[i] = undefined;
  }
  booted = false;
  overran = false;
}

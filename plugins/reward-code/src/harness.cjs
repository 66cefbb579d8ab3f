// Trusted test harness for JavaScript / TypeScript, run inside the sandbox from an execute-only
// copy of node (an unreadable executable makes the process non-dumpable: the program, same uid,
// cannot open /proc/<us>/mem or /proc/<us>/fd). stdin: JSON {nonce, program, names, setup,
// units: [{code, test}], partial, node, fifo}, already transpiled to CommonJS-flavoured scripts.
//
// The program runs in a separate node process (js-runner.cjs, started fresh: it never holds the
// tests). Each name the program declares is, in this realm, a stub that calls it there over a
// pair of FIFOs and gets the result back as plain data (numbers, strings, arrays, plain objects,
// Map, Set, Date…), rebuilt here from JSON: a Proxy, a poisoned valueOf/Symbol.toPrimitive or a
// polluted prototype stays in the program's process. The tests run in this realm with the
// assert/fs/vm this process loaded; results go to fd 3 ("<nonce> <event> ...", as harness.py),
// which only this process holds.
'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const assert = require('node:assert');
const { spawn, spawnSync } = require('node:child_process');

// fd 3 is inherited by the program's process (Node cannot set close-on-exec on it); the runner
// closes it before the program's first line
const chan = 3;
const data = JSON.parse(fs.readFileSync(0, 'utf8'));
const tag = data.nonce;
const emit = (...parts) => {
  try { fs.writeSync(chan, `${tag} ${parts.join(' ')}\n`); } catch { /* channel closed */ }
};
const report = (label, e, code) => {
  try {
    const where = code ? `: ${code.slice(0, 300)}` : '';
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    fs.writeSync(2, `[${label}]${where}\n${msg.slice(-2000)}\n`);
  } catch { /* stderr closed */ }
};
emit('input');

class Gone extends Error {}
class RemoteOpaque {
  constructor(text) { this.text = text; Object.freeze(this); }
  [Symbol.toPrimitive]() { throw new TypeError(`the program returned ${this.text}, which is not plain data`); }
}

const MAX_DEPTH = 200;
/** Plain data → tagged JSON (for arguments; the program's side has its own copy for results). */
function enc(v, depth = 0) {
  if (depth > MAX_DEPTH) throw new TypeError('value too deep');
  switch (typeof v) {
    case 'number': return Number.isNaN(v) ? ['nan'] : !Number.isFinite(v) ? ['inf', v > 0 ? 1 : -1] : Object.is(v, -0) ? ['n0'] : ['n', v];
    case 'string': return ['s', v];
    case 'boolean': return ['b', v];
    case 'undefined': return ['u'];
    case 'bigint': return ['i', v.toString()];
    default:
  }
  if (v === null) return ['z'];
  if (Array.isArray(v)) return ['a', Array.from(v, (x) => enc(x, depth + 1))];
  if (v instanceof Map) return ['m', [...v].map(([k, x]) => [enc(k, depth + 1), enc(x, depth + 1)])];
  if (v instanceof Set) return ['S', [...v].map((x) => enc(x, depth + 1))];
  if (v instanceof Date) return ['d', v.getTime()];
  const proto = Object.getPrototypeOf(v);
  if (typeof v === 'object' && (proto === Object.prototype || proto === null)) return ['o', Object.keys(v).map((k) => [k, enc(v[k], depth + 1)])];
  throw new TypeError(`cannot pass ${typeof v === 'function' ? 'a function' : 'this value'} to the program`);
}

/** Tagged JSON from the program → values of this realm only; anything malformed is a protocol error. */
function dec(t, depth = 0) {
  if (!Array.isArray(t) || depth > MAX_DEPTH + 1) throw new Gone('malformed value');
  const [k, a] = t;
  const list = (x) => { if (!Array.isArray(x)) throw new Gone('malformed value'); return x; };
  switch (k) {
    case 'n': if (typeof a !== 'number') throw new Gone('malformed number'); return a;
    case 'n0': return -0;
    case 'nan': return NaN;
    case 'inf': return a === -1 ? -Infinity : Infinity;
    case 's': if (typeof a !== 'string') throw new Gone('malformed string'); return a;
    case 'b': return a === true;
    case 'u': return undefined;
    case 'z': return null;
    case 'i': if (typeof a !== 'string' || !/^-?\d+$/.test(a)) throw new Gone('malformed bigint'); return BigInt(a);
    case 'd': return new Date(Number(a));
    case 'x': return new RemoteOpaque(String(a).slice(0, 200));
    case 'a': return list(a).map((x) => dec(x, depth + 1));
    case 'S': return new Set(list(a).map((x) => dec(x, depth + 1)));
    case 'm': return new Map(list(a).map((p) => { list(p); return [dec(p[0], depth + 1), dec(p[1], depth + 1)]; }));
    case 'o': {
      const o = {};
      for (const p of list(a)) {
        list(p);
        Object.defineProperty(o, String(p[0]), { value: dec(p[1], depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    default: throw new Gone('unknown tag');
  }
}

// ---- the program's process and the FIFOs to it ----
const dir = fs.mkdtempSync('/tmp/rpc-');
const reqPath = `${dir}/req`;
const repPath = `${dir}/rep`;
if (spawnSync(data.fifo, [reqPath, repPath]).status !== 0) {
  report('harness', 'cannot create the FIFOs');
  emit('error', 'harness');
  process.exit(0);
}
const child = spawn(data.node, [`--max-old-space-size=${data.maxOldSpaceMb}`, '-e', data.runner, reqPath, repPath], { stdio: ['ignore', 'inherit', 'inherit'] });
let exited = null;
child.on('exit', (code, signal) => (exited = { code, signal }));
const rep = fs.openSync(repPath, 'r'); // both block until the runner has opened its ends
const req = fs.openSync(reqPath, 'w');

function readExact(n) {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    let k;
    try { k = fs.readSync(rep, buf, got, n - got, null); } catch (e) { if (e.code === 'EAGAIN') continue; throw new Gone(e.code); }
    if (k === 0) throw new Gone('eof');
    got += k;
  }
  return buf;
}
const MAX_MESSAGE = 64 << 20;
function receive() {
  const n = readExact(4).readUInt32BE(0);
  if (n > MAX_MESSAGE) throw new Gone('message too large');
  let msg;
  try { msg = JSON.parse(readExact(n).toString('utf8')); } catch (e) { if (e instanceof Gone) throw e; throw new Gone('malformed message'); }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new Gone('malformed message');
  return msg;
}
function send(obj) {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  try { fs.writeSync(req, Buffer.concat([head, body])); } catch (e) { throw new Gone(e.code); }
}

const ERRORS = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
function copyBack(old, neu) {
  if (Array.isArray(old) && Array.isArray(neu)) { old.length = 0; old.push(...neu); }
  else if (old && typeof old === 'object' && Object.getPrototypeOf(old) === Object.prototype && neu && typeof neu === 'object' && !Array.isArray(neu)) {
    for (const k of Object.keys(old)) delete old[k];
    Object.assign(old, neu);
  }
}
function stub(name) {
  const call = function (...args) {
    let wire;
    try { wire = enc(args); } catch (e) { throw new TypeError(`${name}: ${e.message}`); }
    send({ call: name, args: wire });
    const r = receive();
    if (r.ok !== undefined) {
      const value = dec(r.ok);
      if (r.args !== undefined) {
        const after = dec(r.args);
        if (Array.isArray(after) && after.length === args.length) args.forEach((a, i) => copyBack(a, after[i]));
      }
      return r.async === true ? Promise.resolve(value) : value;
    }
    if (r.raise !== undefined) {
      const Cls = Object.prototype.hasOwnProperty.call(ERRORS, r.raise) ? ERRORS[r.raise] : Error;
      const err = new Cls(String(r.message ?? '').slice(0, 2000));
      if (r.async === true) return Promise.reject(err);
      throw err;
    }
    throw new Gone('protocol');
  };
  Object.defineProperty(call, 'name', { value: name });
  return call;
}

async function gone() {
  for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 4));
  if (!exited) return emit('error', 'protocol');
  const signals = require('node:os').constants.signals;
  emit('gone', exited.code ?? -1, exited.signal ? signals[exited.signal] ?? 9 : 0);
}

const reserved = new Set([...Object.getOwnPropertyNames(globalThis), 'assert', 'require', 'module', 'exports', '__proto__']);
globalThis.require = require;
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;
globalThis.assert = assert;

const run = async (code, filename) => {
  const value = new vm.Script(code, { filename }).runInThisContext();
  if (value && typeof value.then === 'function') await value;
};

(async () => {
  const units = data.units;
  const total = units.filter((u) => u.test).length;
  send({ program: data.program, names: data.names });
  let first;
  try { first = receive(); } catch (e) { if (e instanceof Gone) return gone(); throw e; }
  if (first.error !== undefined) {
    report(first.error === 'compile' ? 'program does not compile' : 'program raised', String(first.message ?? '').slice(0, 2000));
    return emit('error', first.error === 'compile' ? 'compile' : 'program');
  }
  if (!Array.isArray(first.ready)) return emit('error', 'protocol');
  emit('total', total);
  for (const entry of first.ready) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !data.names.includes(entry[0])) continue;
    // a program's `Number`, `isNaN` or `assert` must not answer for the tests' own
    if (reserved.has(entry[0])) continue;
    try {
      globalThis[entry[0]] = entry[1] === 'f' ? stub(entry[0]) : dec(entry[2]);
    } catch (e) { if (e instanceof Gone) return gone(); }
  }
  try {
    if (data.setup) await run(data.setup, 'setup.js');
  } catch (e) {
    if (e instanceof Gone) return gone();
    report('test setup raised', e);
    return emit('error', 'setup');
  }
  let passed = 0;
  for (const unit of units) {
    try {
      await run(unit.code, 'tests.js');
      if (unit.test) { passed++; emit('pass'); }
    } catch (e) {
      if (e instanceof Gone) return gone();
      report(unit.test ? 'test failed' : 'test code raised', e, unit.code);
      if (!unit.test) break;
      emit('fail');
      if (!data.partial) break;
    }
  }
  emit('done', passed, total);
})().catch((e) => report('harness', e)).finally(() => {
  try { child.kill('SIGKILL'); } catch { /* gone */ }
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* a host temp dir in unsafe mode */ }
  process.exit(0);
});

// The untrusted side for JavaScript / TypeScript (see harness.cjs): started by the harness as
// `node -e <this> <req fifo> <rep fifo>`. Runs the program in this realm, then serves calls of its
// declared names, sending each result back as tagged JSON. Nothing here is trusted: whatever this
// process writes, the harness only rebuilds plain data from it.
'use strict';
const fs = require('node:fs');
// the harness's result channel, inherited: gone before the program runs (node's own descriptors
// come after the inherited ones, so fd 3 is the channel when the harness passed it down)
try { fs.closeSync(3); } catch { /* not inherited */ }
const vm = require('node:vm');
const [reqPath, repPath] = process.argv.slice(-2);
const rep = fs.openSync(repPath, 'w');
const req = fs.openSync(reqPath, 'r');

function readExact(n) {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    let k;
    try { k = fs.readSync(req, buf, got, n - got, null); } catch (e) { if (e.code === 'EAGAIN') continue; process.exit(0); }
    if (k === 0) process.exit(0);
    got += k;
  }
  return buf;
}
const receive = () => JSON.parse(readExact(readExact(4).readUInt32BE(0)).toString('utf8'));
function send(obj) {
  let body;
  try { body = Buffer.from(JSON.stringify(obj), 'utf8'); } catch (e) { body = Buffer.from(JSON.stringify({ raise: 'TypeError', message: `the result cannot be sent back: ${e && e.message}` })); }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  fs.writeSync(rep, Buffer.concat([head, body]));
}

const MAX_DEPTH = 200;
function enc(v, depth = 0) {
  if (depth > MAX_DEPTH) return ['x', '<too deep>'];
  switch (typeof v) {
    case 'number': return Number.isNaN(v) ? ['nan'] : !Number.isFinite(v) ? ['inf', v > 0 ? 1 : -1] : Object.is(v, -0) ? ['n0'] : ['n', v];
    case 'string': return ['s', v];
    case 'boolean': return ['b', v];
    case 'undefined': return ['u'];
    case 'bigint': return ['i', v.toString()];
    case 'function': return ['x', `function ${v.name || ''}`];
    case 'symbol': return ['x', 'symbol'];
    default:
  }
  if (v === null) return ['z'];
  if (Array.isArray(v)) return ['a', Array.from(v, (x) => enc(x, depth + 1))];
  if (v instanceof Map) return ['m', [...v].map(([k, x]) => [enc(k, depth + 1), enc(x, depth + 1)])];
  if (v instanceof Set) return ['S', [...v].map((x) => enc(x, depth + 1))];
  if (v instanceof Date) return ['d', v.getTime()];
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return ['o', Object.keys(v).map((k) => [k, enc(v[k], depth + 1)])];
  return ['x', `object ${(proto && proto.constructor && proto.constructor.name) || ''}`];
}
function dec(t) {
  const [k, a] = t;
  switch (k) {
    case 'n': return a;
    case 'n0': return -0;
    case 'nan': return NaN;
    case 'inf': return a === -1 ? -Infinity : Infinity;
    case 's': return a;
    case 'b': return a;
    case 'u': return undefined;
    case 'z': return null;
    case 'i': return BigInt(a);
    case 'd': return new Date(a);
    case 'a': return a.map(dec);
    case 'S': return new Set(a.map(dec));
    case 'm': return new Map(a.map(([x, y]) => [dec(x), dec(y)]));
    case 'o': { const o = {}; for (const [key, x] of a) Object.defineProperty(o, key, { value: dec(x), enumerable: true, writable: true, configurable: true }); return o; }
    default: return undefined;
  }
}
const errName = (e) => (e && typeof e === 'object' && typeof e.name === 'string' ? e.name : 'Error');
const errMessage = (e) => { try { return e instanceof Error ? `${e.name}: ${e.message}` : String(e); } catch { return 'Error'; } };

(async () => {
  const { program, names } = receive();
  globalThis.require = require;
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
  let script;
  try {
    script = new vm.Script(program, { filename: 'program.js' });
  } catch (e) {
    return send({ error: 'compile', message: errMessage(e) });
  }
  try {
    const v = script.runInThisContext();
    if (v && typeof v.then === 'function') await v;
  } catch (e) {
    return send({ error: 'program', message: errMessage(e) });
  }
  const lookup = (name) => {
    try { return { v: vm.runInThisContext(name) }; } catch { /* not declared after all */ }
    const ex = globalThis.module.exports;
    return ex && Object.prototype.hasOwnProperty.call(ex, name) ? { v: ex[name] } : null;
  };
  const ready = [];
  const table = new Map();
  for (const name of names) {
    const found = lookup(name);
    if (!found) continue;
    table.set(name, found.v);
    ready.push(typeof found.v === 'function' ? [name, 'f'] : [name, 'v', enc(found.v)]);
  }
  send({ ready });
  for (;;) {
    const r = receive();
    const fn = table.get(r.call);
    const args = dec(r.args);
    try {
      let value = fn(...args);
      let async = false;
      if (value && typeof value.then === 'function') { async = true; value = await value; }
      send({ ok: enc(value), args: enc(args), async });
    } catch (e) {
      send({ raise: errName(e), message: errMessage(e), async: false });
    }
  }
})();

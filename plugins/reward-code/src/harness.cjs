// Test harness for JavaScript / TypeScript, run inside the sandbox (node -e <this file>).
// stdin: JSON {nonce, program, setup, units: [{code, test}], partial}, already transpiled to
// CommonJS-flavoured scripts by the parent. Results go to fd 3 as lines "<nonce> <event> ...",
// the same protocol as harness.py. Each unit runs as its own script in one realm, so top-level
// declarations of the program are visible to the tests.
const vm = require('node:vm');
const fs = require('node:fs');
const data = JSON.parse(fs.readFileSync(0, 'utf8'));
const tag = data.nonce;
delete data.nonce;
const emit = (...parts) => {
  try { fs.writeSync(3, `${tag} ${parts.join(' ')}\n`); } catch { /* channel closed */ }
};
const report = (label, e, code) => {
  try {
    const where = code ? `: ${code.slice(0, 300)}` : '';
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    fs.writeSync(2, `[${label}]${where}\n${msg.slice(-2000)}\n`);
  } catch { /* stderr closed */ }
};
globalThis.require = require;
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;
globalThis.assert = require('node:assert');

const run = async (code, filename) => {
  const value = new vm.Script(code, { filename }).runInThisContext();
  if (value && typeof value.then === 'function') await value;
};

(async () => {
  const units = data.units;
  const total = units.filter((u) => u.test).length;
  let program;
  try {
    program = new vm.Script(data.program, { filename: 'program.js' });
  } catch (e) {
    report('program does not compile', e);
    return emit('error', 'compile');
  }
  emit('total', total);
  try {
    const v = program.runInThisContext();
    if (v && typeof v.then === 'function') await v;
  } catch (e) {
    report('program raised', e);
    return emit('error', 'program');
  }
  try {
    if (data.setup) await run(data.setup, 'setup.js');
  } catch (e) {
    report('test setup raised', e);
    return emit('error', 'setup');
  }
  let passed = 0;
  for (const unit of units) {
    try {
      await run(unit.code, 'tests.js');
      if (unit.test) { passed++; emit('pass'); }
    } catch (e) {
      report(unit.test ? 'test failed' : 'test code raised', e, unit.code);
      if (!unit.test) break;
      emit('fail');
      if (!data.partial) break;
    }
  }
  emit('done', passed, total);
})().catch((e) => report('harness', e)).finally(() => process.exit(0));

import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodeRunner } from './run-tests.js';
import { isRoot } from './sandbox.js';
import { sandboxProcesses } from './test-helpers.js';

// Hostile programs: each must be contained, and this test process must survive them all —
// with a fresh sandbox per run and with the pre-forked workers.
describe.each([{ prefork: false }, { prefork: true }])('sandbox containment %o', ({ prefork }) => {
  const runner = createCodeRunner({ timeoutMs: 3000, memoryMb: 512, maxOutputBytes: 64 * 1024, prefork });
  const py = (program: string, tests = 'assert True\n', timeoutMs?: number) =>
    runner.runTests({ language: 'python', program, tests, ...(timeoutMs ? { timeoutMs } : {}) });
  afterAll(() => runner.close());

  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('has no network: a listener on the host loopback is unreachable', async () => {
    // control: the listener is reachable from outside the sandbox
    const { connect } = await import('node:net');
    await new Promise<void>((resolve, reject) => connect(port, '127.0.0.1', resolve).on('error', reject));
    const before = connections;
    const r = await py(`import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}), timeout=2)\n    print('CONNECTED')\nexcept OSError as e:\n    print('blocked', type(e).__name__)\n`);
    expect(r.stdout).toContain('blocked');
    expect(r.stdout).not.toContain('CONNECTED');
    await new Promise((res) => setTimeout(res, 50));
    expect(connections).toBe(before);
    const dns = await py(`import socket\ntry:\n    socket.getaddrinfo('example.com', 80)\n    print('RESOLVED')\nexcept OSError:\n    print('no dns')\n`);
    expect(dns.stdout).toContain('no dns');
  });

  it('cannot write outside its working dir, nor see the repo', async () => {
    const outside = `/tmp/rsn-escape-${process.pid}`;
    rmSync(outside, { force: true });
    const r = await py(
      [
        'import os',
        "for path in ['/usr/rsn-escape', '/etc/rsn-escape', '/rsn-escape', '/work/../rsn-escape', '/proc/rsn-escape']:",
        '    try:',
        "        open(path, 'w').write('pwned'); print('WROTE', path)",
        '    except OSError as e:',
        "        print('denied', path)",
        "open('inside.txt', 'w').write('ok'); print('inside', open('inside.txt').read(), os.getcwd())",
        `open('${outside}', 'w').write('private tmp')  # the sandbox's own /tmp, not the host's`,
        `print('repo visible' if os.path.exists('${process.cwd()}') else 'repo hidden')`,
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('WROTE');
    expect(r.stdout).toContain('inside ok /work');
    expect(r.stdout).toContain('repo hidden');
    expect(existsSync(outside)).toBe(false);
    expect(r.status).toBe('passed');
  });

  it('sees no environment secrets of the parent', async () => {
    process.env.RSN_TEST_SECRET = 'hunter2-secret';
    try {
      const r = await py(`import os\nprint(sorted(os.environ.items()))\nfor p in os.listdir('/proc'):\n    try: print(open('/proc/%s/environ' % p).read())\n    except Exception: pass\n`);
      expect(r.status).toBe('passed');
      expect(r.stdout).toContain('PATH');
      expect(r.stdout).not.toContain('hunter2-secret');
    } finally {
      delete process.env.RSN_TEST_SECRET;
    }
  });

  it.runIf(isRoot())('stops a fork bomb at the process limit and leaves no process behind', async () => {
    await py('pass\n'); // starts the worker, if any
    const idle = sandboxProcesses().length; // a worker's bwrap, its init and itself
    const started = Date.now();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, sandboxProcesses().length)), 25);
    const r = await py('import os\nn = 0\nwhile True:\n    try:\n        os.fork(); n += 1\n    except OSError:\n        pass\n', 'assert True\n', 2000);
    expect(r.passed).toBe(false);
    clearInterval(sampler);
    expect(['timeout', 'killed']).toContain(r.status);
    expect(peak).toBeGreaterThan(1); // it did fork…
    expect(peak).toBeLessThanOrEqual(32 + idle); // …but only up to the nproc limit (maxProcesses)
    expect(Date.now() - started).toBeLessThan(6000);
    expect(sandboxProcesses().length).toBeLessThanOrEqual(idle);
  });

  it('cannot allocate 10 GB', async () => {
    const r = await py('x = bytearray(10 * 1024 ** 3)\nprint("ALLOCATED")\n');
    expect(r.passed).toBe(false);
    expect(r.stdout).not.toContain('ALLOCATED');
    expect(r.stderr).toContain('MemoryError');
  });

  it('times out an infinite loop and kills the whole process group', async () => {
    await py('pass\n');
    const idle = sandboxProcesses().length;
    const r = await py('import subprocess\nsubprocess.Popen(["/usr/bin/python3", "-c", "while True: pass"])\nwhile True:\n    pass\n', 'assert True\n', 1500);
    expect(r.status).toBe('timeout');
    expect(r.durationMs).toBeLessThan(4000);
    expect(sandboxProcesses().length).toBeLessThanOrEqual(idle);
  });

  it('caps a huge output and kills the printer', async () => {
    const r = await py("while True:\n    print('x' * 10000)\n");
    expect(r.status).toBe('killed');
    expect(r.reason).toBe('output-limit');
    expect(r.stdout.length + r.stderr.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('cannot kill its parent (this test process survives)', async () => {
    const r = await py(
      [
        'import os, signal',
        `for target in [os.getppid(), ${process.pid}, ${process.ppid}, -1, 1]:`,
        '    try:',
        '        os.kill(target, signal.SIGKILL)',
        '    except OSError as e:',
        "        print('kill failed', target, type(e).__name__)",
      ].join('\n'),
    );
    expect(['passed', 'killed']).toContain(r.status); // kill(-1) may take the sandbox itself down
    const after = await py('print("still here")\n');
    expect(after.stdout).toContain('still here');
    expect(process.pid).toBeGreaterThan(0);
  });

  it('leaves nothing behind for the next run: files, background processes', async () => {
    await py("import os, subprocess\nopen('/work/planted', 'w').write('x')\nopen('/tmp/planted', 'w').write('x')\nsubprocess.Popen(['/usr/bin/sleep', '100'], start_new_session=True)\n");
    const r = await py("import os\nprint(os.listdir('/work'), os.listdir('/tmp'), sorted(p for p in os.listdir('/proc') if p.isdigit()))\n");
    expect(r.stdout).toContain('[] []');
    expect(r.stdout).not.toContain('planted');
    const pids = JSON.parse(r.stdout.split('] [] ')[1]!.trim().replace(/'/g, '"')) as string[];
    expect(pids.length).toBeLessThanOrEqual(4); // bwrap's init, (the worker,) the harness, the program
  });

  it('an early os._exit(0) or sys.exit(0) does not count as passing', async () => {
    const a = await py('import os\nos._exit(0)\n', 'assert False\n');
    expect(a.passed).toBe(false);
    const b = await py('def f():\n    return 1\n', 'import sys\nsys.exit(0)\nassert f() == 2\n');
    expect(b.passed).toBe(false);
  });
});

describe('pre-forked worker', () => {
  const runner = createCodeRunner({ prefork: true, concurrency: 1 });
  afterAll(() => runner.close());

  it('cannot be read or traced by the runs forked from it', async () => {
    const r = await runner.runTests({
      language: 'python',
      program: "import os\npp = os.getppid()\nfor f in ['mem', 'environ', 'maps']:\n    try:\n        open('/proc/%d/%s' % (pp, f), 'rb').read(10); print('READ', f)\n    except OSError:\n        print('denied', f)\n",
      tests: 'assert True\n',
    });
    expect(r.stdout).toBe('denied mem\ndenied environ\ndenied maps\n');
  });
});

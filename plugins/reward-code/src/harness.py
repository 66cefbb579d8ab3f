# Test harness run inside the sandbox: `python3 -I -B -c <this file + "_entry()">` for one run,
# or with zygote.py appended for a pre-forked worker.
#
# Two processes, so that the verdict is decided where the program cannot write:
#  - the trusted side T (this process) reads the program, forks the untrusted side U, and only
#    then reads the tests. T runs the tests itself; every name the program defines is, in the
#    tests' namespace, a stub that asks U to call it (over a pipe) and gets back the result as
#    plain data (None, bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset),
#    decoded by T into T's own builtin objects. An object with a custom __eq__/__bool__/__hash__
#    does not survive the trip: it arrives as an opaque value that equals nothing and has no
#    truth value. So `assert candidate(x) == y` is evaluated with T's own `==`.
#  - U runs the program and serves the calls. It never holds the tests (it is forked before T
#    reads them, from a process that never held any test), cannot see T's memory or file
#    descriptors (T is non-dumpable; ptrace and process_vm_* are denied by seccomp), and does not
#    have the result channel (fd 3), which only T writes: a fork of U cannot add lines to it.
#
# Input on fd 0: two frames, each an 8-byte big-endian length + UTF-8 bytes. Frame 1: the
# program. Frame 2 (read only after U is forked): nonce NUL partial('1'/'0') NUL setup NUL tests
# NUL entry point (the one program name allowed to shadow a builtin, e.g. MBPP's `sum`; may be empty).
# Results go to fd 3 as lines "<nonce> <event> ...":
#   input | total N | pass | fail | error <where> | gone <exit> <signal> | done <passed> <total>
# Test units are the top-level statements of `tests` that contain an assert (or call a test
# function defined there). With partial credit, a call such as `check(candidate)` is unrolled
# into the statements of the function body, so each assert statement counts on its own, and
# failures do not stop the remaining tests.
# Only builtin modules are imported at start (_ast, _struct; not ast/json): that halves start-up.
import _ast, _struct, fcntl, os, sys

_SCOPES = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.Lambda, _ast.ClassDef)
_DEFS = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef, _ast.Import, _ast.ImportFrom)
_MAX_MESSAGE = 64 << 20  # a reply larger than this is refused (T's memory is bounded too)
_MAX_DEPTH = 200


# ---- plain-data wire format (both directions) ----
# Tag byte, then: i <8-byte len><signed hex>, f <8-byte double>, c <2 doubles>, s/b/o <8-byte len>
# <bytes>, l/t/S/Z/d <8-byte count> items (d: key, value, key, value…). o = opaque (a repr).

def _encode(value):
    out = []
    _enc(value, out, 0)
    return b''.join(out)


def _enc(v, out, depth):
    # runs in U for results (and in T for arguments); exact types first, then builtin subclasses
    # (IntEnum, namedtuple, OrderedDict, Counter…) as their builtin base, read with the base's
    # own methods so an override cannot change what is sent
    pack = _struct.pack
    if depth > _MAX_DEPTH:
        out.append(b'o' + _blob('<too deep>'.encode()))
    elif v is None:
        out.append(b'N')
    elif v is True:
        out.append(b'T')
    elif v is False:
        out.append(b'F')
    elif isinstance(v, int):
        out.append(b'i' + _blob(int.__format__(int(int.__index__(v)), 'x').encode()))
    elif isinstance(v, float):
        out.append(b'f' + pack('>d', float.__float__(v)))
    elif isinstance(v, complex):
        out.append(b'c' + pack('>dd', complex.__getattribute__(v, 'real'), complex.__getattribute__(v, 'imag')))
    elif isinstance(v, str):
        out.append(b's' + _blob(str.encode(str.__str__(v), 'utf-8', 'surrogatepass')))
    elif isinstance(v, (bytes, bytearray)):
        out.append(b'b' + _blob(bytes(v)))
    elif isinstance(v, dict):
        items = list(dict.items(v))
        out.append(b'd' + pack('>Q', len(items)))
        for k, x in items:
            _enc(k, out, depth + 1)
            _enc(x, out, depth + 1)
    elif isinstance(v, (list, tuple, set, frozenset)):
        tag = b'l' if isinstance(v, list) else b't' if isinstance(v, tuple) else b'S' if isinstance(v, set) else b'Z'
        items = list(list.__iter__(v) if tag == b'l' else tuple.__iter__(v) if tag == b't' else set.__iter__(v) if tag == b'S' else frozenset.__iter__(v))
        out.append(tag + pack('>Q', len(items)))
        for x in items:
            _enc(x, out, depth + 1)
    elif type(v) is type and v.__module__ == 'builtins' and getattr(_builtins, v.__name__, None) is v:
        out.append(b'y' + _blob(v.__name__.encode()))  # int, str, list… passed as values
    elif type(v) is _Handle:
        out.append(b'h' + pack('>QB', object.__getattribute__(v, '_id'), 1) + _blob(b''))
    elif _HANDLES is not None:
        # U: anything else stays here; the other side gets a handle (attributes, calls, a truth
        # bit: no more than a bool the program could return — never its __eq__)
        try:
            truth = bool(v)
        except BaseException:
            truth = True
        try:
            text = object.__repr__(v)
        except BaseException:
            text = '<object>'
        _HANDLES.append(v)
        out.append(b'h' + pack('>QB', len(_HANDLES) - 1, truth) + _blob(text[:200].encode('utf-8', 'replace')))
    else:
        raise TypeError('%s is not plain data' % type(v).__name__)


def _blob(data):
    return _struct.pack('>Q', len(data)) + data


class _Opaque:
    """A value that was not plain data: equal only to itself, no truth value, no length."""
    __slots__ = ('text',)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return '<opaque %s>' % self.text

    def __bool__(self):
        raise TypeError('the program returned %s, which is not plain data' % self.text)

    __hash__ = object.__hash__


class _BadMessage(Exception):
    pass


import builtins as _builtins
_HANDLES = None  # U: objects sent as handles, by id
_RPC = None  # T: sends a request to U and returns the decoded reply value


class _Handle:
    """T's view of an object that lives in U: equal only to itself; attributes and calls go to U."""
    __slots__ = ('_id', '_truth', '_text')

    def __init__(self, id_, truth, text):
        object.__setattr__(self, '_id', id_)
        object.__setattr__(self, '_truth', truth)
        object.__setattr__(self, '_text', text)

    def __repr__(self):
        return '<%s in the program>' % object.__getattribute__(self, '_text')

    def __bool__(self):
        return object.__getattribute__(self, '_truth')

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _RPC(('getattr', self, name))

    def __setattr__(self, name, value):
        _RPC(('setattr', self, name, value))

    def __call__(self, *args, **kwargs):
        return _RPC(('callh', self, args, kwargs))

    __hash__ = object.__hash__


def _decode(data):
    # runs in T on bytes U wrote: builds only T's own builtin objects, or raises _BadMessage
    value, at = _dec(data, 0, 0)
    if at != len(data):
        raise _BadMessage('trailing bytes')
    return value


def _dec(data, at, depth):
    if depth > _MAX_DEPTH + 1 or at >= len(data):
        raise _BadMessage('malformed value')
    unpack = _struct.unpack_from
    tag = data[at:at + 1]
    at += 1
    if tag == b'N':
        return None, at
    if tag == b'T':
        return True, at
    if tag == b'F':
        return False, at
    if tag == b'f':
        _need(data, at, 8)
        return unpack('>d', data, at)[0], at + 8
    if tag == b'c':
        _need(data, at, 16)
        re_, im = unpack('>dd', data, at)
        return complex(re_, im), at + 16
    if tag == b'h':
        _need(data, at, 17)
        id_, truth = unpack('>QB', data, at)
        at += 9
        n = unpack('>Q', data, at)[0]
        at += 8
        _need(data, at, n)
        text = bytes(data[at:at + n]).decode('utf-8', 'replace')
        at += n
        if _HANDLES is not None:  # U: one of ours coming back
            if id_ >= len(_HANDLES):
                raise _BadMessage('unknown handle')
            return _HANDLES[id_], at
        return _Handle(id_, truth == 1, text), at
    if tag == b'y':
        _need(data, at, 8)
        n = unpack('>Q', data, at)[0]
        name = bytes(data[at + 8:at + 8 + n]).decode('ascii', 'replace')
        cls = _BUILTIN_TYPES.get(name)
        if cls is None:
            raise _BadMessage('unknown type')
        return cls, at + 8 + n
    if tag in (b'i', b's', b'b', b'o'):
        _need(data, at, 8)
        n = unpack('>Q', data, at)[0]
        at += 8
        _need(data, at, n)
        raw = bytes(data[at:at + n])
        at += n
        try:
            if tag == b'i':
                return int(raw.decode('ascii'), 16), at
            if tag == b's':
                return raw.decode('utf-8', 'surrogatepass'), at
        except (ValueError, UnicodeDecodeError):
            raise _BadMessage('malformed scalar')
        return (raw if tag == b'b' else _Opaque(raw.decode('utf-8', 'replace'))), at
    if tag in (b'l', b't', b'S', b'Z', b'd'):
        _need(data, at, 8)
        n = unpack('>Q', data, at)[0]
        at += 8
        if n > len(data) - at:
            raise _BadMessage('malformed container')
        items = []
        for _ in range(n * 2 if tag == b'd' else n):
            x, at = _dec(data, at, depth + 1)
            items.append(x)
        try:
            if tag == b'l':
                return items, at
            if tag == b't':
                return tuple(items), at
            if tag == b'S':
                return set(items), at
            if tag == b'Z':
                return frozenset(items), at
            return dict(zip(items[0::2], items[1::2])), at
        except TypeError:
            raise _BadMessage('unhashable key')
    raise _BadMessage('unknown tag')


_BUILTIN_TYPES = {t.__name__: t for t in (int, float, complex, str, bytes, bytearray, bool, list, tuple, dict, set, frozenset, object, type, range, slice)}


def _need(data, at, n):
    if at + n > len(data):
        raise _BadMessage('truncated')


# ---- framing on pipes ----

def _read_exact(fd, n):
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        got += len(chunk)
    return b''.join(parts)


def _read_frame(fd, limit=1 << 62):
    n = _struct.unpack('>Q', _read_exact(fd, 8))[0]
    if n > limit:
        raise _BadMessage('message too large')
    return _read_exact(fd, n)


def _write_frame(fd, data):
    view = memoryview(_struct.pack('>Q', len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


# ---- the untrusted side ----

def _untrusted(program_src, req_r, rep_w):
    # our code until exec(program): close everything but stdout/stderr and the two pipes
    null = os.open(os.devnull, os.O_RDONLY)  # input() sees EOF
    os.dup2(null, 0)
    os.close(null)
    req_r, rep_w = fcntl.fcntl(req_r, fcntl.F_DUPFD, 64), fcntl.fcntl(rep_w, fcntl.F_DUPFD, 64)
    os.dup2(req_r, 3)  # over the result channel: U never has it
    os.dup2(rep_w, 4)
    req_r, rep_w = 3, 4
    os.closerange(5, 1 << 16)
    def reply(*parts):
        try:  # the program's prints first: T may stop U as soon as it has the last reply
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        try:
            message = _encode(parts)
        except BaseException as e:
            message = _encode(('raise', 'TypeError', 'the result cannot be sent back: %s' % type(e).__name__))
        _write_frame(rep_w, message)

    try:
        code = compile(program_src, '<program>', 'exec')
    except BaseException as e:
        reply('error', 'compile', _describe(e))
        return
    del program_src
    global _HANDLES
    _HANDLES = []
    g = {'__name__': '__main__', '__builtins__': __builtins__}
    try:
        exec(code, g)
    except BaseException as e:
        reply('error', 'program', _describe(e))
        return
    names = []
    for name, v in list(g.items()):
        if name.startswith('__') or not isinstance(name, str):
            continue
        if type(v).__name__ == 'module':
            names.append((name, 'm', getattr(v, '__name__', '')))
        elif callable(v):
            names.append((name, 'f', None))
        else:
            names.append((name, 'v', v))
    reply('ready', names)
    while True:
        try:
            request = _decode(_read_frame(req_r))
        except EOFError:
            os._exit(0)
        op = request[0]
        args = ()
        try:
            if op == 'call':
                _, name, args, kwargs = request
                result = g[name](*args, **kwargs)
            elif op == 'callh':
                _, target, args, kwargs = request
                result = target(*args, **kwargs)
            elif op == 'getattr':
                result = getattr(request[1], request[2])
            elif op == 'setattr':
                result = setattr(request[1], request[2], request[3])
            else:
                raise TypeError('unknown request')
            # arguments go back only when the call could have changed them in place
            mutable = any(isinstance(a, (list, dict, set)) for a in args)
            reply('ok', result, args if mutable else None, None)
        except BaseException as e:
            try:
                text = str(e)[-2000:]
            except BaseException:
                text = ''
            reply('raise', type(e).__name__, text)


def _describe(e):
    try:
        msg = '%s: %s' % (type(e).__name__, e) if str(e) else type(e).__name__
        if isinstance(e, SyntaxError) and e.lineno:
            msg += ' (line %s: %s)' % (e.lineno, (e.text or '').strip()[:200])
        return msg[-2000:]
    except BaseException:
        return type(e).__name__


# ---- the trusted side ----

class _Gone(BaseException):
    """U exited or broke the protocol: no further test can run."""


def _copy_back(old, new):
    # arguments the program changed in place (lists, dicts, sets) are changed in the tests too
    if type(old) is list and type(new) is list:
        old[:] = new
    elif type(old) is dict and type(new) is dict:
        old.clear()
        old.update(new)
    elif type(old) is set and type(new) is set:
        old.clear()
        old.update(new)


class _RemoteError(Exception):
    pass


def _builtin_exception(name, message):
    import builtins
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except BaseException:
            pass
    return _RemoteError(message)


def _main(fd_in):
    chan_fd = 3
    err = sys.stderr
    try:  # non-dumpable: U (same uid) cannot open /proc/<T>/mem or /proc/<T>/fd
        import ctypes
        if ctypes.CDLL(None).prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
            raise OSError('prctl')
    except BaseException:
        err.write('[harness] cannot make the harness non-dumpable\n')
        return
    program_src = _read_frame(fd_in).decode('utf-8', 'surrogatepass')
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(req_w)
            os.close(rep_r)
            _untrusted(program_src, req_r, rep_w)
        finally:
            _finish()
    os.close(req_r)
    os.close(rep_w)
    del program_src
    try:
        _tests(fd_in, pid, req_w, rep_r)
    finally:
        try:  # U's children, if any, are the worker's sweep's business
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass


def _tests(fd_in, pid, req_w, rep_r):
    chan_fd = 3
    err = sys.stderr
    fields = _read_frame(fd_in).decode('utf-8', 'surrogatepass').split('\0')
    os.close(fd_in)
    tag, partial, setup_src, tests_src, entry_point = fields
    partial = partial == '1'
    test_lines = tests_src.split('\n')

    def emit(*parts):
        try:
            line = (tag + ' ' + ' '.join(str(p) for p in parts) + '\n').encode()
            while line:
                line = line[os.write(chan_fd, line):]
        except BaseException:
            pass

    emit('input')

    def report(label, msg, node=None):
        try:
            where = ''
            if node is not None:
                n = getattr(node, 'lineno', 0)
                where = ' line %d: %s' % (n, test_lines[n - 1].strip()[:300] if 0 < n <= len(test_lines) else '')
            err.write('[%s]%s\n%s\n' % (label, where, msg))
            err.flush()
        except BaseException:
            pass

    def gone():
        # U closed its end or sent something that is not a reply. If it is exiting, report how it
        # ended; if it is still there, it broke the protocol (and is killed by the caller)
        import time
        for _ in range(100):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except OSError:
                done, status = pid, 0
            if done:
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
                sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
                emit('gone', code, sig)
                return
            time.sleep(0.002)
        emit('error', 'protocol')

    def receive():
        try:
            return _decode(_read_frame(rep_r, _MAX_MESSAGE))
        except (EOFError, _BadMessage, OSError, MemoryError) as e:
            raise _Gone(type(e).__name__)

    try:
        setup = compile(setup_src, '<setup>', 'exec')
        tree = compile(tests_src, '<tests>', 'exec', _ast.PyCF_ONLY_AST)
    except BaseException as e:
        report('tests do not compile', _describe(e))
        emit('error', 'tests')
        return

    try:
        first = receive()
    except _Gone:
        gone()
        return
    if not (type(first) is tuple and first and first[0] in ('ready', 'error')):
        emit('error', 'protocol')
        return
    if first[0] == 'error':
        where = first[1] if first[1] in ('compile', 'program') else 'program'
        report('program does not compile' if where == 'compile' else 'program raised', str(first[2])[-2000:])
        emit('error', where)
        return

    def rpc(request, args=()):
        try:
            message = _encode(request)
        except BaseException as e:
            raise TypeError('cannot pass that to the program: %s' % e)
        try:
            _write_frame(req_w, message)
        except OSError:
            raise _Gone('EPIPE')
        reply = receive()
        if type(reply) is tuple and len(reply) == 4 and reply[0] == 'ok':
            _, value, new_args, new_kwargs = reply
            if type(new_args) is tuple and len(new_args) == len(args):
                for old, new in zip(args, new_args):
                    _copy_back(old, new)
            return value
        if type(reply) is tuple and len(reply) == 3 and reply[0] == 'raise':
            raise _builtin_exception(str(reply[1]), str(reply[2]))
        raise _Gone('protocol')

    global _RPC
    _RPC = lambda request: rpc(request, request[2] if request[0] == 'callh' else ())

    def remote(name):
        def call(*args, **kwargs):
            return rpc(('call', name, args, kwargs), args)
        call.__name__ = call.__qualname__ = str(name)
        return call

    referenced = {n.id for n in _walk(tree) if isinstance(n, _ast.Name)}
    import builtins
    g = {'__name__': '__main__', '__builtins__': __builtins__}
    for entry in first[1] if type(first[1]) is list else ():
        if not (type(entry) is tuple and len(entry) == 3 and type(entry[0]) is str):
            continue
        name, kind, value = entry
        if (hasattr(builtins, name) and name != entry_point) or name.startswith('__'):
            continue  # a program's `abs` or `len` must not answer the tests' `abs(f(x) - y) < 1e-6`
        if kind == 'f':
            g[name] = remote(name)
        elif kind == 'v':
            g[name] = value
        elif kind == 'm' and name in referenced and value == name and name in sys.stdlib_module_names:
            try:  # a standard module the program imported and the tests use without importing it
                import importlib
                g[name] = importlib.import_module(value)
            except BaseException:
                pass

    funcs = {n.name: n for n in tree.body if isinstance(n, _ast.FunctionDef)}
    testers = {name for name, fn in funcs.items() if any(isinstance(x, _ast.Assert) for x in _walk(fn))}

    def is_test(node):
        if isinstance(node, _DEFS):
            return False
        for x in _walk(node):
            if isinstance(x, _ast.Assert):
                return True
            if isinstance(x, _ast.Call) and isinstance(x.func, _ast.Name) and x.func.id in testers:
                return True
        return False

    def unrollable(node):
        if not (isinstance(node, _ast.Expr) and isinstance(node.value, _ast.Call)):
            return None
        call = node.value
        if not (isinstance(call.func, _ast.Name) and call.func.id in testers) or call.keywords:
            return None
        fn = funcs[call.func.id]
        a = fn.args
        if fn.decorator_list or a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
            return None
        if len(a.args) != len(call.args) or any(isinstance(x, _ast.Starred) for x in call.args):
            return None
        bad = (_ast.Return, _ast.Yield, _ast.YieldFrom, _ast.Global, _ast.Nonlocal, _ast.Await)
        if any(isinstance(x, bad) for s in fn.body for x in _walk(s, enter_scopes=False)):
            return None
        return fn

    # plan: ('stmt', node, is_test) or ('call', node, fn, [(stmt, is_test)])
    plan = []
    for node in tree.body:
        fn = unrollable(node) if partial else None
        if fn is not None:
            body = [(s, is_test(s)) for s in fn.body]
            if any(t for _, t in body):
                plan.append(('call', node, fn, body))
                continue
        plan.append(('stmt', node, is_test(node)))

    def count(p):
        return sum(t for _, t in p[3]) if p[0] == 'call' else int(p[2])

    total = sum(count(p) for p in plan)
    if total == 0:  # nothing recognisable as a test: every statement that is not a definition is one
        plan = [('stmt', p[1], not isinstance(p[1], _DEFS)) for p in plan]
        total = sum(count(p) for p in plan)
    emit('total', total)

    try:
        exec(setup, g)
    except _Gone:
        gone()
        return
    except BaseException as e:
        report('setup raised', _describe(e))
        emit('error', 'setup')
        return

    state = {'passed': 0, 'stopped': False}

    def run(node, scope, test):
        try:
            exec(compile(_ast.Module(body=[node], type_ignores=[]), '<tests>', 'exec'), scope)
            ok = True
        except _Gone:
            raise
        except BaseException as e:
            ok = False
            report('test failed' if test else 'test code raised', _describe(e), node)
        if test:
            if ok:
                state['passed'] += 1
                emit('pass')
            else:
                emit('fail')
                if not partial:
                    state['stopped'] = True
        elif not ok:
            state['stopped'] = True  # later tests depend on this statement

    try:
        for p in plan:
            if state['stopped']:
                break
            if p[0] == 'stmt':
                run(p[1], g, p[2])
                continue
            _, node, fn, body = p
            scope = dict(g)
            try:
                values = [eval(compile(_ast.Expression(body=x), '<tests>', 'eval'), g) for x in node.value.args]
            except _Gone:
                raise
            except BaseException as e:
                report('test arguments raised', _describe(e), node)
                break
            scope.update(zip([x.arg for x in fn.args.args], values))
            for stmt, test in body:
                if state['stopped']:
                    break
                run(stmt, scope, test)
    except _Gone:
        report('program gone', 'the program exited or broke the protocol during the tests')
        gone()
        return
    emit('done', state['passed'], total)


def _children(node):
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _ast.AST):
            yield value
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, _ast.AST):
                    yield v


def _walk(node, enter_scopes=True):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if enter_scopes or n is node or not isinstance(n, _SCOPES):
            stack.extend(_children(n))


def _finish():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(0)  # no atexit handlers or leftover threads


def _entry():
    try:
        _main(0)
    finally:
        _finish()

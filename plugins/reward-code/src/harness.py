# Test harness run inside the sandbox: `python3 -I -B -c <this file + "_entry()">` for one run,
# or with zygote.py appended for a pre-forked worker.
# Input: NUL-separated UTF-8 fields: nonce, partial ('1'/'0'), program, setup, tests (Python
# source cannot contain NUL). Results go to fd 3 as lines "<nonce> <event> ...":
#   total N | pass | fail | error <where> | done <passed> <total>
# Test units are the top-level statements of `tests` that contain an assert (or call a test
# function defined there). With partial credit, a call such as `check(candidate)` is unrolled
# into the statements of the function body, so each assert statement counts on its own, and
# failures do not stop the remaining tests.
# Only builtin modules are imported (_ast, not ast/json/traceback): that halves start-up time.
import _ast, os, sys

_SCOPES = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.Lambda, _ast.ClassDef)
_DEFS = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef, _ast.Import, _ast.ImportFrom)


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


def _main(raw):
    fd = os.open(os.devnull, os.O_RDONLY)  # input() sees EOF, not our payload
    os.dup2(fd, 0)
    os.close(fd)
    tag, partial, program_src, setup_src, tests_src = raw.split('\0')
    del raw
    partial = partial == '1'
    chan = os.fdopen(3, 'w', buffering=1, encoding='utf-8')
    err = sys.stderr
    test_lines = tests_src.split('\n')

    def emit(*parts):
        try:
            chan.write(tag + ' ' + ' '.join(str(p) for p in parts) + '\n')
            chan.flush()
        except BaseException:
            pass

    def report(label, exc, node=None):
        try:
            where = ''
            if node is not None:
                n = getattr(node, 'lineno', 0)
                where = ' line %d: %s' % (n, test_lines[n - 1].strip()[:300] if 0 < n <= len(test_lines) else '')
            msg = '%s: %s' % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
            if isinstance(exc, SyntaxError) and exc.lineno:
                msg += ' (line %s: %s)' % (exc.lineno, (exc.text or '').strip()[:200])
            err.write('[%s]%s\n%s\n' % (label, where, msg[-2000:]))
            err.flush()
        except BaseException:
            pass

    try:
        program = compile(program_src, '<program>', 'exec')
    except BaseException as e:
        report('program does not compile', e)
        emit('error', 'compile')
        return
    try:
        setup = compile(setup_src, '<setup>', 'exec')
        tree = compile(tests_src, '<tests>', 'exec', _ast.PyCF_ONLY_AST)
    except BaseException as e:
        report('tests do not compile', e)
        emit('error', 'tests')
        return

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

    g = {'__name__': '__main__', '__builtins__': __builtins__}
    for code, where in ((program, 'program'), (setup, 'setup')):
        try:
            exec(code, g)
        except BaseException as e:
            report(where + ' raised', e)
            emit('error', where)
            return

    state = {'passed': 0, 'stopped': False}

    def run(node, scope, test):
        try:
            exec(compile(_ast.Module(body=[node], type_ignores=[]), '<tests>', 'exec'), scope)
            ok = True
        except BaseException as e:
            ok = False
            report('test failed' if test else 'test code raised', e, node)
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
        except BaseException as e:
            report('test arguments raised', e, node)
            break
        scope.update(zip([x.arg for x in fn.args.args], values))
        for stmt, test in body:
            if state['stopped']:
                break
            run(stmt, scope, test)
    emit('done', state['passed'], total)



def _finish():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(0)  # no atexit handlers or leftover threads of the program


def _entry():
    try:
        _main(sys.stdin.buffer.read().decode('utf-8'))
    finally:
        _finish()

# Test harness run inside the sandbox (python3 -I -c <this file>).
# stdin: JSON {nonce, program, setup, tests, partial}. Results go to fd 3 as lines "<nonce> <event> ...":
#   total N | pass | fail | error <where> | done <passed> <total>
# Test units are the top-level statements of `tests` that contain an assert (or call a test
# function defined there). With `partial`, a call such as `check(candidate)` is unrolled into the
# statements of the function body, so each assert statement counts on its own, and failures do
# not stop the remaining tests.
import ast, json, os, sys, traceback


def _main():
    data = json.loads(sys.stdin.buffer.read().decode('utf-8'))
    fd = os.open(os.devnull, os.O_RDONLY)  # input() sees EOF, not our payload
    os.dup2(fd, 0)
    os.close(fd)
    chan = os.fdopen(3, 'w', buffering=1, encoding='utf-8')
    tag = data.pop('nonce')
    err = sys.stderr
    tests_src = data['tests']

    def emit(*parts):
        try:
            chan.write(tag + ' ' + ' '.join(str(p) for p in parts) + '\n')
            chan.flush()
        except BaseException:
            pass

    def report(label, exc, node=None):
        try:
            lines = traceback.format_exception_only(type(exc), exc)
            where = ''
            if node is not None:
                seg = ast.get_source_segment(tests_src, node) or ''
                where = ' line %d: %s' % (getattr(node, 'lineno', 0), seg[:300])
            err.write('[%s]%s\n%s' % (label, where, ''.join(lines)[-2000:]))
            err.flush()
        except BaseException:
            pass

    partial = bool(data.get('partial'))
    try:
        program = compile(data['program'], '<program>', 'exec')
    except BaseException as e:
        report('program does not compile', e)
        emit('error', 'compile')
        return
    try:
        setup = compile(data.get('setup') or '', '<setup>', 'exec')
        tree = ast.parse(tests_src, '<tests>')
    except BaseException as e:
        report('tests do not compile', e)
        emit('error', 'tests')
        return

    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    testers = {name for name, fn in funcs.items() if any(isinstance(x, ast.Assert) for x in ast.walk(fn))}

    def is_test(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            return False
        for x in ast.walk(node):
            if isinstance(x, ast.Assert):
                return True
            if isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and x.func.id in testers:
                return True
        return False

    def own_nodes(nodes):
        # walks a function body without entering nested scopes
        stack = list(nodes)
        while stack:
            n = stack.pop()
            yield n
            if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.extend(ast.iter_child_nodes(n))

    def unrollable(node):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            return None
        call = node.value
        if not (isinstance(call.func, ast.Name) and call.func.id in testers) or call.keywords:
            return None
        fn = funcs[call.func.id]
        a = fn.args
        if fn.decorator_list or a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
            return None
        if len(a.args) != len(call.args) or any(isinstance(x, ast.Starred) for x in call.args):
            return None
        if any(isinstance(x, (ast.Return, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal, ast.Await)) for x in own_nodes(fn.body)):
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
        plan = [('stmt', p[1], not isinstance(p[1], (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))) for p in plan]
        total = sum(count(p) for p in plan)
    emit('total', total)

    g = {'__name__': '__main__', '__builtins__': __builtins__}
    try:
        exec(program, g)
    except BaseException as e:
        report('program raised', e)
        emit('error', 'program')
        return
    try:
        exec(setup, g)
    except BaseException as e:
        report('test setup raised', e)
        emit('error', 'setup')
        return

    state = {'passed': 0, 'stopped': False}

    def run(node, scope, test):
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), '<tests>', 'exec'), scope)
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
            values = [eval(compile(ast.Expression(body=x), '<tests>', 'eval'), g) for x in node.value.args]
        except BaseException as e:
            report('test arguments raised', e, node)
            state['stopped'] = True
            break
        scope.update(zip([x.arg for x in fn.args.args], values))
        for stmt, test in body:
            if state['stopped']:
                break
            run(stmt, scope, test)
    emit('done', state['passed'], total)


try:
    _main()
finally:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(0)  # no atexit handlers or leftover threads of the program

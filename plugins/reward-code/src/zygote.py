

# Pre-forked worker ("zygote"), appended to harness.py and started once per pool slot inside
# its own sandbox. It forks one child per job, so a run costs a fork instead of a sandbox and
# interpreter start. Between jobs it SIGKILLs every other process of the sandbox and empties
# /work and /tmp, so a job finds what a fresh sandbox would hold.
# Protocol (NUL-free ASCII header, then raw bytes):
#   fd 0 in : "J <timeoutMs> <memoryMb> <cpuSeconds> <maxOutputBytes>\n"
#   fd 3 in : the job's input frames (program, then tests), handed to the job as its fd 0 and never
#             read here: this process, which every job is forked from, never holds a test
#   fd 1 out: "R <exit> <signal> <timedOut> <outputExceeded> <discarded> <len stdout> <len stderr>
#             <len channel>\n" + bytes; after a reply with <discarded> = 1 the worker exits.
import resource, select, signal, time

_CHANNEL_CAP = 1 << 20


class _Reader:
    def __init__(self, fd):
        self.fd, self.buf = fd, b''

    def _fill(self):
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def line(self):
        while b'\n' not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b'\n', 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _others(me):
    out = []
    for name in os.listdir('/proc'):
        if name.isdigit() and int(name) not in (1, me):
            try:
                with open('/proc/%s/stat' % name) as f:
                    if f.read().rsplit(')', 1)[1].split()[0] != 'Z':
                        out.append(int(name))
            except (OSError, IndexError):
                pass
    return out


def _sweep(me):
    # kill(-1) reaches every process of our uid in this pid namespace except us and its init
    for _ in range(500):
        if not _others(me):
            return True
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        time.sleep(0.002)
    return False


def _empty(directory):
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        for _ in range(2):
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    for root, dirs, files in os.walk(path, topdown=False):
                        for d in dirs:
                            os.chmod(os.path.join(root, d), 0o700)
                    os.chmod(path, 0o700)
                    import shutil
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
                break
            except OSError:
                pass
    return not os.listdir(directory)


def _job(header, frames):
    _, timeout_ms, memory_mb, cpu_s, max_out = header.split()
    timeout, mem, cpu, max_out = int(timeout_ms) / 1000, int(memory_mb) << 20, int(cpu_s), int(max_out)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    ch_r, ch_w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.dup2(frames, 0)  # the job's program and tests: read by the harness, never by us
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.dup2(ch_w, 3)
            os.closerange(4, 1 << 16)
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            os.chdir('/work')
            _main(0)
        finally:
            _finish()
    for fd in (out_w, err_w, ch_w):
        os.close(fd)
    bufs = {out_r: [], err_r: [], ch_r: []}
    open_fds = {out_r, err_r, ch_r}
    printed = channel = 0
    timed_out = exceeded = False
    status = None
    exited_at = None
    while open_fds:
        now = time.monotonic()
        if now >= start + timeout:
            timed_out = True
            break
        if exited_at is not None and now - exited_at > 0.05:
            break  # a leftover process holds the pipes; the sweep will get it
        ready, _, _ = select.select(list(open_fds), [], [], min(0.05, start + timeout - now))
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if not data:
                open_fds.discard(fd)
            elif fd == ch_r:
                if channel < _CHANNEL_CAP:
                    bufs[fd].append(data)
                channel += len(data)
            else:
                room = max_out - printed
                if room > 0:
                    bufs[fd].append(data[:room])
                printed += len(data)
        if printed > max_out:
            exceeded = True
            break
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status, exited_at = st, time.monotonic()
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    if status is None:
        status = os.waitpid(pid, 0)[1]
    for fd in (out_r, err_r, ch_r):
        os.close(fd)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    out, err, ch = (b''.join(bufs[fd]) for fd in (out_r, err_r, ch_r))
    return code, sig, timed_out, exceeded, out, err, ch


def _zygote():
    if os.getpid() > 2:  # only inside bubblewrap's pid namespace: the sweep and the wipe are for a sandbox
        sys.stderr.write('zygote: not in a sandbox pid namespace, refusing to start\n')
        os._exit(4)
    try:  # non-dumpable: a job (same uid) cannot ptrace us or read our memory
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except Exception:
        pass
    me = os.getpid()
    os.closerange(4, 5)  # bwrap's seccomp fd, if bwrap left it open
    pin, pout, frames = os.dup(0), os.dup(1), os.dup(3)
    os.close(3)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    reader = _Reader(pin)
    while True:
        try:
            header = reader.line().decode()
        except EOFError:
            os._exit(0)
        code, sig, timed_out, exceeded, out, err, ch = _job(header, frames)
        # a run that left a process, or files outside its working dir, or was killed: this
        # sandbox is discarded after the reply (the runner starts a fresh one)
        dirty = bool(_others(me)) or bool(os.listdir('/tmp')) or bool(os.listdir('/dev/shm')) or sig != 0 or timed_out or exceeded
        clean = _sweep(me) and _empty('/work') and _empty('/tmp') and _empty('/dev/shm') and not dirty
        head = 'R %d %d %d %d %d %d %d %d\n' % (code, sig, timed_out, exceeded, not clean, len(out), len(err), len(ch))
        _write_all(pout, head.encode() + out + err + ch)
        if not clean:
            os._exit(3)

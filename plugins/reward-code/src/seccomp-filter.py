# Writes the sandbox's seccomp filter (a BPF program, as bwrap --seccomp reads it) to stdout.
# Run once per runner on the host with /usr/bin/python3; needs python3-seccomp (libseccomp's
# bindings, Debian), installed by scripts/install-sandbox.sh. Syscalls of other ABIs (i386, x32)
# kill the process (libseccomp's default for a foreign architecture).
import errno, os, sys
import seccomp

# Killed (SIGSYS): reaching into other processes, the kernel's riskier interfaces, namespaces and
# mounts. No test needs them; a run that tries is killed and its pre-forked worker discarded.
KILL = [
    'ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd', 'kcmp',
    'bpf', 'userfaultfd', 'perf_event_open', 'keyctl', 'add_key', 'request_key',
    'mount', 'umount2', 'pivot_root', 'move_mount', 'open_tree', 'fsopen', 'fsconfig', 'fsmount',
    'fspick', 'mount_setattr', 'unshare', 'setns', 'chroot',
    'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot',
    'swapon', 'swapoff', 'acct', 'quotactl', 'iopl', 'ioperm', 'lookup_dcookie',
    'name_to_handle_at', 'open_by_handle_at', 'fanotify_init', 'syslog', 'vhangup',
    'clock_settime', 'clock_adjtime', 'settimeofday', 'adjtimex', 'uselib', 'personality',
    'migrate_pages', 'move_pages', 'add_key',
]
# Refused with EPERM: shared state that would outlive the run or escape its memory limit (SysV
# shared memory, message queues, semaphores; POSIX message queues). Libraries fall back or fail.
EPERM = [
    'shmget', 'shmat', 'shmdt', 'shmctl', 'msgget', 'msgsnd', 'msgrcv', 'msgctl',
    'semget', 'semop', 'semtimedop', 'semctl',
    'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
]
# ENOSYS: io_uring (libuv probes it and falls back to threads).
ENOSYS = ['io_uring_setup', 'io_uring_enter', 'io_uring_register']

f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in sorted(set(KILL)):
    f.add_rule(seccomp.KILL_PROCESS, name)
for name in EPERM:
    f.add_rule(seccomp.ERRNO(errno.EPERM), name)
for name in ENOSYS:
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
# TIOCSTI (push input into the terminal) even though bwrap --new-session already blocks it
f.add_rule(seccomp.KILL_PROCESS, 'ioctl', seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, 0x5412))
f.export_bpf(sys.stdout.buffer if hasattr(sys.stdout, 'buffer') else os.fdopen(1, 'wb'))

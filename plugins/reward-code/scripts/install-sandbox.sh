#!/bin/sh
# Installs the tools @reasoner/plugin-reward-code needs to sandbox untrusted code:
# bubblewrap (namespaces), util-linux's setpriv/prlimit (privilege drop, rlimits), and
# python3-seccomp (libseccomp's bindings: the runner compiles the sandbox's seccomp filter with it).
# Idempotent: does nothing when everything is already there. Needs root (or sudo) for apt-get.
set -eu

missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v setpriv >/dev/null 2>&1 || missing="$missing util-linux"
command -v prlimit >/dev/null 2>&1 || missing="$missing util-linux"
[ -x /usr/bin/python3 ] || missing="$missing python3"
/usr/bin/python3 -I -c 'import seccomp' >/dev/null 2>&1 || missing="$missing python3-seccomp"

# The runner drops to an unprivileged uid before bwrap, so unprivileged user namespaces must work.
selfcheck() {
  here=$(dirname "$0")
  /usr/bin/python3 -I "$here/../src/seccomp-filter.py" >/tmp/rsn-seccomp.$$ || { echo "reward-code sandbox: cannot build the seccomp filter" >&2; return 1; }
  set -- bwrap --unshare-all --unshare-user --die-with-parent --ro-bind /usr /usr \
    --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --seccomp 9 /usr/bin/true
  if [ "$(id -u)" -eq 0 ]; then set -- setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; fi
  if "$@" 2>/tmp/rsn-bwrap-check.$$ 9</tmp/rsn-seccomp.$$; then rm -f /tmp/rsn-bwrap-check.$$ /tmp/rsn-seccomp.$$; echo "reward-code sandbox: ok ($(bwrap --version))"; return 0; fi
  echo "reward-code sandbox: bwrap is installed but cannot create an unprivileged sandbox:" >&2
  cat /tmp/rsn-bwrap-check.$$ >&2; rm -f /tmp/rsn-bwrap-check.$$ /tmp/rsn-seccomp.$$
  echo "  enable unprivileged user namespaces, e.g. sysctl -w kernel.unprivileged_userns_clone=1" >&2
  echo "  (Ubuntu 24.04: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)" >&2
  return 1
}

if [ -z "$missing" ]; then
  selfcheck
  exit $?
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "reward-code sandbox: need root to install:$missing" >&2; exit 1
  fi
fi
# shellcheck disable=SC2086
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')
selfcheck

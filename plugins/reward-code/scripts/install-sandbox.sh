#!/bin/sh
# Installs the tools @reasoner/plugin-reward-code needs to sandbox untrusted code:
# bubblewrap (namespaces), and util-linux's setpriv/prlimit (privilege drop, rlimits).
# Idempotent: does nothing when everything is already there. Needs root (or sudo) for apt-get.
set -eu

missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v setpriv >/dev/null 2>&1 || missing="$missing util-linux"
command -v prlimit >/dev/null 2>&1 || missing="$missing util-linux"
[ -x /usr/bin/python3 ] || missing="$missing python3"

if [ -z "$missing" ]; then
  echo "reward-code sandbox: bwrap, setpriv, prlimit and /usr/bin/python3 already installed"
  exit 0
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
bwrap --version

#!/bin/sh
# Installs Debian's chromium for the dashboard test (headless, driven by playwright-core with
# executablePath /usr/bin/chromium; nothing is downloaded by playwright itself).
# Idempotent: does nothing when chromium is already there. Needs root (or sudo) for apt-get.
set -eu
if [ -x /usr/bin/chromium ]; then
  echo "server-http browser: ok ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "server-http browser: installed ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"

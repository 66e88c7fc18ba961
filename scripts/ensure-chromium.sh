#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a browser a test tool downloads). Installs
# Debian's package when it is missing and this user may; otherwise stops with a one-line hint.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "the browser tests need Debian's Chromium at /usr/bin/chromium: run \`sudo apt-get install chromium\` and make test again" >&2
exit 1

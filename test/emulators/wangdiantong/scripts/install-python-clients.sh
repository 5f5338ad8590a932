#!/usr/bin/env bash
# Installs the public WDT Python clients from PyPI — wangdiantong-py (企业版 openapi2) and wdtqm (旗舰版 via 奇门) —
# into a venv under .cache/python-wangdiantong. Idempotent: does nothing when the pinned versions are there.
# Prints the venv's python path on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
VENV="${WDT_CLIENTS_VENV:-$ROOT/.cache/python-wangdiantong}"
STAMP="$VENV/.wdt-clients-wangdiantong-py-0.3.0-wdtqm-0.0.4"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "wangdiantong-py==0.3.0" "wdtqm==0.0.4" >&2
  "$VENV/bin/python" -c "import wangdiantong.client, wdtqm" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"

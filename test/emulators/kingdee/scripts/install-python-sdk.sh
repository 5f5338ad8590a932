#!/usr/bin/env bash
# Installs Kingdee's official Python SDK (PyPI: kingdee-cdp-webapi-sdk, module k3cloud_webapi_sdk) into a venv
# under .cache/python-kingdee. Idempotent: does nothing when the pinned version is already there.
# Prints the venv's python path on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
VENV="${KINGDEE_SDK_VENV:-$ROOT/.cache/python-kingdee}"
VERSION="8.2.0"
STAMP="$VENV/.kingdee-sdk-$VERSION"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "kingdee-cdp-webapi-sdk==$VERSION" >&2
  "$VENV/bin/python" -c "import k3cloud_webapi_sdk.main" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"

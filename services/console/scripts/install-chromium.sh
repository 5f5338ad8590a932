#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser test (Playwright drives it), once: prints the browser's path.
# Uses apt-get (as root, or through sudo) when /usr/bin/chromium is missing; instant afterwards.
set -euo pipefail
BROWSER=${YECAI_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$BROWSER" ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo -n"; else
    echo "install-chromium: $BROWSER is missing and neither root nor sudo is available: apt-get install chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >&2
fi
[ -x "$BROWSER" ] || { echo "install-chromium: $BROWSER still missing after apt-get" >&2; exit 1; }
echo "$BROWSER"

#!/bin/sh
# Make sure the browser tests have Debian's Chromium (and a Japanese font for readable screenshots).
# Idempotent: does nothing when both are there. Playwright never downloads a browser here.
set -eu

CHROMIUM="${RENKEI_TEST_CHROMIUM:-/usr/bin/chromium}"
need=""
[ -x "$CHROMIUM" ] || need="chromium"
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$need fonts-noto-cjk"
[ -n "$need" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "The browser tests need:$need. Install them as root: apt-get install -y$need" >&2
        exit 1
    fi
else
    SUDO=""
fi
echo "Installing$need for the browser tests" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need

#!/bin/sh
# Install Debian's chromium for the HTML report rendering test (tests/test_report_render.py).
# Idempotent: does nothing when a chromium binary is already on PATH.
# Needs root (or sudo) and apt; prints why and exits 0 otherwise, so the test skips with a reason.
set -e
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        echo "setup_chromium: $(command -v "$b") already installed"
        exit 0
    fi
done
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup_chromium: no apt-get on this machine; install chromium by hand" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "setup_chromium: not root and no sudo; install chromium by hand" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
    || { echo "setup_chromium: apt-get install chromium failed" >&2; exit 0; }
echo "setup_chromium: installed $(command -v chromium)"

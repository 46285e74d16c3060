#!/usr/bin/env bash
# Installs Debian's chromium for the status page's browser test (tests/status/status-page.test.ts),
# which drives it with playwright-core. Playwright's own browser download is not used: it fetches
# from outside the package registries. Needs root (CI runs as root); does nothing when present.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install a Chromium at $CHROMIUM by other means" >&2
  exit 1
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-liberation
"$CHROMIUM" --version

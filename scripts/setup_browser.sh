#!/usr/bin/env bash
# Installs what the browser test needs (Debian chromium + Japanese fonts for readable screenshots).
# Idempotent: exits at once when both are present; runs `apt-get update` at most once.
set -euo pipefail

have_chromium() { [ -x /usr/bin/chromium ]; }
have_cjk_fonts() { ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 \
                   || { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }; }

if have_chromium && have_cjk_fonts; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "setup_browser.sh: chromium or fonts-noto-cjk missing; run as root (or: sudo apt-get install -y chromium fonts-noto-cjk)." >&2
  echo "setup_browser.sh: the browser tests will be skipped until then." >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
echo "setup_browser.sh: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium) and fonts-noto-cjk" >&2

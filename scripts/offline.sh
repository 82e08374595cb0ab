#!/usr/bin/env bash
# Run a command with no network but loopback: a fresh network namespace when we may create one
# (root, as on CI), else the test suite's own socket guard (tests/conftest.py) is the fence.
set -euo pipefail
if [ "${BRIEFING_ALLOW_NETWORK:-0}" != "1" ] && command -v unshare >/dev/null 2>&1 \
   && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up 2>/dev/null || true; exec "$@"' sh "$@"
fi
echo "offline.sh: cannot create a network namespace here; relying on the in-process guard" >&2
exec "$@"

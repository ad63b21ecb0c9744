#!/usr/bin/env bash
# Install the test-only npm packages (chopsticks, polkadot-js, noble, the
# timelock wasm oracle) into t/js/node_modules from the pinned lockfile.
# Skips the work when node_modules already matches the lockfile.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.pylon-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"

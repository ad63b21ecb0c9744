#!/usr/bin/env bash
# Refresh at mainnet scale: a fake node (configurable latency, requests
# overlap) serving the recorded mainnet subnet (block 6852690, 1024 neurons)
# cloned to N subnets; time from the node announcing a head to every
# subnet's neurons being served at that head, and the helper's CPU per
# subnet per head (gzip copies included).  See bench_refresh.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 t/bench/bench_refresh.py "$@"

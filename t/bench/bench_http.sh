#!/usr/bin/env bash
# The HTTP surface against nginx's static file path, same run, 1 worker:
#   GET /api/v1/subnet/1/block/latest/neurons  (a 256-neuron SubnetNeurons body)
#   the same with "Accept-Encoding: gzip": the stored gzip copy against
#   gzip_static of the same bytes
#   GET /api/v1/block/latest                    (a small body)
# each against a static file of the same bytes; interleaved wrk runs, medians
# of requests/s and of p99 latency, and their ratios.  Then the worker's RSS
# before and after BENCH_REQUESTS (default 1,000,000) cached GETs.
# The cache is filled with mdb_load (no chain: the helper follows nothing).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk not installed, skipped"; exit 0; }
command -v mdb_load >/dev/null || { echo "mdb_load (lmdb-utils) not installed, skipped"; exit 0; }
exec /usr/bin/python3 t/bench/bench_http.py "$@"

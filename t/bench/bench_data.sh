#!/usr/bin/env bash
# Subnet data every block: refresh latency on the local chain (1 and 4
# subnets), bytes per block, and the helper's RSS over 1000 blocks.
# See bench_data.py.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 t/bench/bench_data.py

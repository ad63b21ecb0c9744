#!/usr/bin/env bash
# make bench: every benchmark of the project, one after another.
#   build/bench/bench_*   C micro-benchmarks (from t/bench/bench_*.c)
#   t/bench/bench_*.sh    whole-system benchmarks (nginx + wrk, chain)
# Each prints its own figures; nothing here is a pass/fail test.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
for b in build/bench/bench_* t/bench/bench_*.sh; do
    [ -x "$b" ] || continue
    echo "== $b"
    "$b" || rc=1
done
exit $rc

#!/usr/bin/env bash
# Request counting cost: wrk against one nginx worker serving
#   /static.json            a static file (no counting), the baseline
#   /api/v1/block/latest    a cached answer, counted in the metrics zone
#   /metrics                the exposition itself (zone + S/metrics + S/helper)
# interleaved A/B runs, medians printed.  Needs wrk; the chain is the fake node.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk not installed, skipped"; exit 0; }
exec /usr/bin/python3 - "$@" <<'EOF'
import os, re, statistics, subprocess, sys
sys.path.insert(0, "t/lib")
from harness import Nginx
from fakenode import FakeNode
from pylon import pylon_conf, wait_block

secs = os.environ.get("BENCH_SECS", "3")
node = FakeNode().start()
n = Nginx(pylon_conf(node.url, extra_http="pylon_metrics_token bench;"))
with open(os.path.join(n.prefix, "data/static.json"), "w") as f:
    f.write('{"number":100,"hash":"0x%s","timestamp":1700001200}' % ("ab" * 32))
n.start()
try:
    wait_block(n, node.head)
    def rps(path, headers=()):
        args = ["wrk", "-t1", "-c16", "-d" + secs + "s"]
        for h in headers:
            args += ["-H", h]
        out = subprocess.run(args + ["http://127.0.0.1:%d%s" % (n.port, path)],
                             capture_output=True, text=True).stdout
        return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    runs = {"static": [], "latest": [], "metrics": []}
    for _ in range(3):
        runs["static"].append(rps("/static.json"))
        runs["latest"].append(rps("/api/v1/block/latest"))
        runs["metrics"].append(rps("/metrics", ["Authorization: Bearer bench"]))
    for k, v in runs.items():
        print("%-8s median %8.0f req/s  (runs: %s)" % (k, statistics.median(v),
                                                   ", ".join("%.0f" % x for x in v)))
    print("latest/static ratio %.2f" % (statistics.median(runs["latest"])
                                        / statistics.median(runs["static"])))
finally:
    n.cleanup()
    node.stop()
EOF

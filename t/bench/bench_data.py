"""Subnet-data benchmark (make bench; figures only, no pass/fail).

1. Local chain (chopsticks, spec 218), subnets made by t/chain/setup.mjs:
   time from dev_newBlock's return to every tracked subnet's neurons body
   in the cache showing that block (read through nginx, polled every
   2 ms), p50/p99 over BLOCKS blocks, with 1 and with 4 tracked subnets;
   and the bytes of the latest records rewritten per block.
2. Fake node serving the recorded mainnet subnet (1024 neurons): the
   helper's RSS after 100, 500 and 1000 blocks (it must stay flat).
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
T = os.path.dirname(HERE)
sys.path.insert(0, T)
sys.path.insert(0, os.path.join(T, "lib"))

import chain as chainlib                      # noqa: E402
from harness import Nginx, wait_for           # noqa: E402
from pylon import pylon_conf                  # noqa: E402
import test_data_common as dc                 # noqa: E402

BLOCKS = int(os.environ.get("BENCH_DATA_BLOCKS", "100"))
HEADS = int(os.environ.get("BENCH_DATA_HEADS", "1000"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def block_of(n, netuid):
    r = n.request("/api/v1/subnet/%d/block/latest/neurons" % netuid)
    return r.json()["block"]["number"] if r.status == 200 else -1


def record_bytes(n, netuids):
    recs = dc.cache_records(os.path.join(n.prefix, "data", "cache"))
    total = 0
    for k, (h, b) in recs.items():
        parts = k.split("/")
        if k.startswith("L/") and len(parts) > 2 and parts[2].isdigit() \
                and int(parts[2]) in netuids:
            total += len(k) + len(h) + len(b)
    return total


def chain_run(c, netuids):
    n = Nginx(pylon_conf(c.url, extra_http="pylon_netuids %s;"
                         % " ".join(map(str, netuids))))
    n.start()
    try:
        head = c.head()
        assert wait_for(lambda: all(block_of(n, u) >= head for u in netuids), 30), \
            n.log()[-2000:]
        lat = []
        for _ in range(BLOCKS):
            head = c.new_block()
            t0 = time.time()
            while not all(block_of(n, u) >= head for u in netuids):
                if time.time() - t0 > 10:
                    raise RuntimeError("block %d not refreshed in 10 s" % head)
                time.sleep(0.002)
            lat.append((time.time() - t0) * 1000)
        size = record_bytes(n, netuids)
    finally:
        n.cleanup()
    print("local chain, %d subnet(s), %d blocks: new head -> all refreshed "
          "p50 %.1f ms, p99 %.1f ms, max %.1f ms; latest records rewritten "
          "per block %d bytes" % (len(netuids), BLOCKS, pct(lat, 50), pct(lat, 99),
                                  max(lat), size), flush=True)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rss_run():
    import test_data_fakenode as tf
    node = tf.DataNode(5000)
    node.start()
    n = Nginx(pylon_conf(node.url, extra_http="pylon_netuids 1; pylon_archive_network %s;"
                         % node.url, cache_extra=" max_size=256m"))
    n.start()
    try:
        assert wait_for(lambda: block_of(n, 1) >= 5000, 30), n.log()[-2000:]
        helper = n.helpers()[0]
        marks, t0 = {}, time.time()
        for i in range(1, HEADS + 1):
            head = node.new_head()
            assert wait_for(lambda: block_of(n, 1) >= head, 10), n.log()[-2000:]
            if i in (1, 100, 500, HEADS):
                marks[i] = rss_kb(helper)
        secs = time.time() - t0
        assert n.helpers() == [helper], "the helper was restarted"
    finally:
        n.cleanup()
        node.stop()
    print("fake node, recorded mainnet subnet (1024 neurons), %d blocks in %.1f s: "
          "helper RSS %s" % (HEADS, secs, ", ".join("%d blocks %d kB" % kv
                                                   for kv in sorted(marks.items()))),
          flush=True)


def main():
    reason = chainlib.unavailable()
    if reason:
        print("local chain part skipped: " + reason)
    else:
        c = chainlib.Chopsticks().start()
        try:
            netuids = []
            for _ in range(3):
                r = subprocess.run(["node", dc.SETUP, c.url, "2"], capture_output=True,
                                   text=True, timeout=600)
                if r.returncode != 0:
                    raise RuntimeError(r.stderr[-2000:])
                netuids.append(json.loads(r.stdout.strip().splitlines()[-1])["netuid"])
            chain_run(c, netuids[:1])
            chain_run(c, [1] + netuids)
        finally:
            c.stop()
    if not os.path.exists(os.path.join(dc.ROOT, "..", "shared", "fixtures")) and \
            not os.environ.get("PYLON_SHARED"):
        print("RSS part skipped: no recorded fixtures")
    else:
        rss_run()


if __name__ == "__main__":
    main()

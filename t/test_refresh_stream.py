"""Refresh at mainnet scale, shortened (issue 15): `pylon_netuids all` with
128 subnets (the recorded mainnet subnet cloned), a head every 200 ms.
Rounds are slower than heads here, so heads must be skipped, not piled up:
at most one round reads at a time (the node sees each round's neurons
reads), rounds keep completing (the served block moves on), and the
helper's heap does not grow with the heads.  The full run (1,000 heads)
is t/bench/bench_refresh.py's stream run."""
import os
import sys
import threading
import time

import pytest

from harness import wait_for
from pylon import pylon_conf
from test_data_fakenode import pytestmark  # noqa: F401

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench"))
import bench_refresh as br                      # noqa: E402

SUBNETS = 128
HEADS = 100


@pytest.fixture
def node():
    n = br.StreamNode(br.START, 0, SUBNETS)
    n.start()
    yield n
    n.stop()


def served(n, netuid):
    r = n.request("/api/v1/subnet/%d/block/latest/neurons" % netuid)
    return r.json()["block"]["number"] if r.status == 200 else 0


def test_128_subnets_heads_every_200ms(nginx_factory, node):
    n = nginx_factory(pylon_conf(node.url, extra_http="pylon_netuids all; "
                                 "pylon_archive_network %s;" % node.url,
                                 cache_extra=" max_size=4g"))
    helper = wait_for(lambda: (n.helpers() or [None])[0], 20)
    assert helper
    # the helper's heap, sampled all along: a whole round before the
    # stream gives the peak of a round, whatever the machine's load
    rss, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            rss.append((time.time(), br.rss_kb(helper)))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        assert wait_for(lambda: served(n, 1) and served(n, SUBNETS), 60), n.log()[-3000:]
        # one whole round over every subnet before the stream: its peak is
        # the baseline (the first answers may come from on-demand fetches)
        base = node.new_head()
        assert wait_for(lambda: all(served(n, k) >= base
                                    for k in (1, SUBNETS // 2, SUBNETS)), 120), \
            n.log()[-3000:]
        first = node.head
        t0 = time.time()
        for i in range(HEADS):
            node.new_head()
            time.sleep(max(0.0, t0 + (i + 1) * 0.2 - time.time()))
        # the rounds of the run end: the last head waiting is served
        last = node.head
        assert wait_for(lambda: served(n, SUBNETS) == last or None, 60), \
            (served(n, SUBNETS), last, n.log()[-3000:])
    finally:
        stop.set()
        sampler.join()
    t1 = time.time()

    spans = sorted((a, b or a) for h, (a, b) in list(node.reads.items())
                   if (node.number_of(h) or 0) > first)
    for i, (a, b) in enumerate(spans):
        overlapping = [x for x in spans[i + 1:] if x[0] < b]
        assert not overlapping, "rounds read at the same time: %r and %r" % (
            (a, b), overlapping[:3])
    assert len(spans) >= 2, spans
    assert len(spans) < HEADS, "every head read: rounds were not slower than heads?"

    # the peak before the stream against the peak of its last quarter
    early = max(kb for t, kb in rss if t <= t0)
    late = max(kb for t, kb in rss if t >= t1 - (t1 - t0) / 4)
    assert late <= early * 1.5 + 32 * 1024, (
        "helper heap grew", early, late, [kb for t, kb in rss][::20])

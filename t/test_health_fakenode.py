"""The helper never stalls (issue 12), against the scripted node (t/lib/fakenode.py, with the
recorded finney block of test_data_fakenode.py).

A hung archive node: its calls have a deadline like the main node's (30 s), the waiting
requests get 504 meanwhile, and once the node answers again a later request succeeds
(before, the hung call kept its fetch job running and every identical request joined it).

The head watchdog alone: with pylon_block_duration 1s, a node that answers every call but
stops announcing heads is dropped and reconnected 3-4 s after its last head (never sooner
than 3 s), where the fixed 36 s watchdog of before did nothing.  An idle link gets a
WebSocket ping from the helper (lws, 20 s of quiet) and stays up.
"""
import os
import re
import time

import pytest

from harness import wait_for
from test_data_fakenode import (DataNode, conf, data_node, pytestmark, served)  # noqa: F401
import test_data_common as dc


def test_hung_archive_node_gives_504_then_a_later_request_succeeds(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    n = nginx_factory(conf(main, "pylon_archive_network %s; pylon_archive_cutoff 50;"
                           % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    assert wait_for(lambda: "archive node %s connected" % archive.url in n.log(), 10)

    archive.mode = "silent"              # reads and never answers
    old = 1000 - 51
    path = dc.routes(1, old)["neurons"]
    r = n.request(path, headers={"X-Pylon-Timeout": "2"}, timeout=30)
    assert r.status == 504, r

    # the call's deadline fails it and drops the stuck connection
    assert wait_for(lambda: "archive node did not answer" in n.log(), 45), n.log()[-3000:]
    archive.mode = "ok"
    r = wait_for(lambda: served(n, path), 30, step=0.5)
    assert r, n.log()[-3000:]


def test_null_block_hash_from_the_main_node_asks_the_archive(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    old = 1000 - 20                      # within the cutoff: the main node is asked first
    plain = main.answer

    def pruned(method, params):          # the main node does not know that number
        if method == "chain_getBlockHash" and params and params[0] == old:
            return None
        return plain(method, params)

    main.answer = pruned
    n = nginx_factory(conf(main, "pylon_archive_network %s;" % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    r = n.request(dc.routes(1, old)["neurons"], timeout=30)
    assert r.status == 200, (r, n.log()[-3000:])
    assert any(h == dc_hash(archive, old) for _, h in archive.state_calls)


def test_method_not_found_is_not_an_unknown_block(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    old = 1000 - 20
    plain = main.answer

    def no_api(method, params):          # "Method not found" (-32601) at that block
        if method == "state_call" and params[2] == dc_hash(main, old) \
                and params[0] != "Metadata_metadata_at_version":
            raise LookupError(params[0])
        return plain(method, params)

    main.answer = no_api
    n = nginx_factory(conf(main, "pylon_archive_network %s;" % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    r = n.request(dc.routes(1, old)["neurons"], timeout=30)
    assert r.status != 200, r
    assert not any(h == dc_hash(archive, old) for _, h in archive.state_calls), \
        "a node without the method is not a node without the block"


def dc_hash(node, n):
    return node.hash_of(n)


def helper_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_half_open_socket_reconnects_within_three_block_times(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    before = node.connections
    node.mode = "silent"                 # the socket stays open, nothing comes
    # the head watchdog drops it, or the 30 s deadline of a call sent on it
    # (the per-head evm_associations read) does so first
    dropped = re.compile(r"no new head for 3 block times|did not answer \S+ in")
    assert wait_for(lambda: dropped.search(n.log()), 3 * 12 + 8, step=0.5), \
        n.log()[-3000:]
    assert wait_for(lambda: node.connections > before, 5)
    # the connection made while silent never got its subscription answered:
    # the watchdog drops it too, and the next one follows again
    node.mode = "ok"
    head = node.new_head()
    assert wait_for(lambda: node.new_head() and
                    n.get("/api/v1/block/latest").json()["number"] >= head,
                    3 * 12 + 20, step=1), \
        n.log()[-3000:]


@pytest.mark.parametrize("block", ["1s", "200ms"])
def test_watchdog_reconnects_after_three_block_times_without_heads(nginx_factory, data_node,
                                                                     block):
    # the node answers every call at once (no call deadline can fire) but
    # stops announcing heads: only the head watchdog, at 3 x 1 s, drops it;
    # at 3 x 200 ms its 3 s floor holds (no reconnect spin)
    node = data_node(1000)
    n = nginx_factory(conf(node, "pylon_block_duration %s;" % block))

    def pushing(cond, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            node.new_head()
            if cond():
                return True
            time.sleep(0.5)
        return False

    assert pushing(lambda: served(n, dc.routes(1)["neurons"]), 30), n.log()[-3000:]
    # heads every 0.5 s for longer than 3 block times: the connection stays
    before = node.connections
    assert not pushing(lambda: node.connections > before, 4.5), n.log()[-3000:]
    node.new_head()
    last = time.monotonic()
    assert wait_for(lambda: node.connections > before, 10, step=0.1), n.log()[-3000:]
    took = node.connected_at[before] - last
    print("watchdog reconnect %.2f s after the last head" % took)
    assert 3.0 <= took < 7.0, (took, n.log()[-3000:])
    assert "no new head for 3 block times" in n.log()
    assert not re.search(r"did not answer \S+ in", n.log()), n.log()[-3000:]
    # heads resume on the new connection and the served head follows them
    head = node.head
    assert pushing(lambda: n.get("/api/v1/block/latest").json()["number"] > head, 20), \
        n.log()[-3000:]


def test_idle_connection_is_pinged(nginx_factory, data_node):
    # a quiet link (no heads, the node never pings first) gets a WebSocket
    # ping from the helper after 20 s, answered by a pong, and stays up
    node = data_node(1000, server_pings=False)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    before = node.connections
    quiet = time.monotonic()
    assert wait_for(lambda: node.pings, 30, step=0.5), n.log()[-3000:]
    print("first ping %.1f s after the link went quiet" % (node.pings[0] - quiet))
    assert node.pings[0] - quiet >= 15
    assert node.connections == before, n.log()[-3000:]


def test_node_closing_every_connection_gets_spaced_reconnects(nginx_factory, data_node):
    node = data_node(1000)
    node.mode = "close"                  # one answer per connection, then it closes
    n = nginx_factory(conf(node))
    assert wait_for(lambda: n.helpers(), 10)
    helper = n.helpers()[0]
    time.sleep(2)
    c0, t0 = node.connections, helper_cpu_seconds(helper)
    time.sleep(20)
    c1, t1 = node.connections, helper_cpu_seconds(helper)
    # backoff 250 ms doubling to 10 s: a handful in 20 s (not one per 250 ms)
    assert c1 - c0 <= 8, (c1 - c0, n.log()[-2000:])
    assert t1 - t0 < 2.0, "the helper spins: %.2f s CPU in 20 s" % (t1 - t0)

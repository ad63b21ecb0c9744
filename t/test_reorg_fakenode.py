"""Reorgs at the head (issue 12), with the fake node serving the recorded spec-343 answers.

Two heads come at the same height; the second is the node's fork choice, and the chain goes
on from it.  The served head, the subnet bodies and the historical B/ record of that height
must all be the fork choice's afterwards, even when the orphan's answers come back last.
"""
import hashlib
import json
import os
import signal
import threading
import time

from harness import wait_for
from test_data_fakenode import DataNode, conf, data_node, served  # noqa: F401
import test_data_common as dc


def fork_hash(tag, n):
    return "0x" + hashlib.sha256(b"fork %s %d" % (tag.encode(), n)).hexdigest()


def latest_block(n):
    r = n.request("/api/v1/block/latest")
    return r.json() if r.status == 200 else None


def neurons_block(n, block="latest"):
    r = served(n, dc.routes(1, block)["neurons"])
    return r.json()["block"] if r else None


def following_fork_a(nginx_factory, data_node):
    """nginx following the fake node from 500, then 501 and 502 on fork A, one by one."""
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: neurons_block(n), 20), n.log()[-3000:]
    for k in (501, 502):
        node.hashes[k] = fork_hash("A", k)
        node.new_head()
        assert wait_for(lambda: (latest_block(n) or {}).get("hash") == fork_hash("A", k),
                        10), n.log()[-3000:]
    return node, n


def test_reorg_orphan_answered_last_is_never_served(nginx_factory, data_node):
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: neurons_block(n), 20), n.log()[-3000:]

    # the orphan: every answer at its hash is held back 2 s
    orphan, choice = fork_hash("orphan", 501), fork_hash("choice", 501)
    seen = threading.Event()

    def delay(method, params):
        if orphan in json.dumps(params):
            seen.set()
            return 2.0
        return 0

    node.delay = delay
    node.hashes[501] = orphan
    node.new_head()
    assert seen.wait(5), "the helper did not read the orphan head"

    # the fork choice at the same height, answered at once
    node.hashes[501] = choice
    node.new_head(0)
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == choice, 5), \
        (latest_block(n), n.log()[-3000:])
    assert wait_for(lambda: (neurons_block(n) or {}).get("hash") == choice, 5)

    # the orphan's answers arrive now: nothing of it may be served
    time.sleep(3)
    assert latest_block(n)["hash"] == choice, n.log()[-3000:]
    assert neurons_block(n)["hash"] == choice

    # the chain goes on from the fork choice
    node.delay = None
    head = node.new_head()
    assert wait_for(lambda: (neurons_block(n) or {}).get("number") == head, 10)
    assert latest_block(n)["hash"] == node.hash_of(head)
    assert neurons_block(n, 501)["hash"] == choice


def test_reorg_drops_historical_record_of_orphan(nginx_factory, data_node):
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s; pylon_metrics_token mt;"
                           % node.url))
    assert wait_for(lambda: neurons_block(n), 20), n.log()[-3000:]

    orphan, choice = fork_hash("orphan", 501), fork_hash("choice", 501)
    node.hashes[501] = orphan
    node.new_head()
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == orphan, 10)

    # a historical read of 501 while the orphan is the best block: B/ record written
    assert neurons_block(n, 501)["hash"] == orphan

    # the fork choice replaces it at the same height, then the chain goes on
    node.hashes[501] = choice
    node.new_head(0)
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == choice, 10), \
        n.log()[-3000:]
    head = node.new_head()
    assert wait_for(lambda: (neurons_block(n) or {}).get("number") == head, 10)

    # the B/ record of 501 is the fork choice's (read again), never the orphan's
    got = neurons_block(n, 501)
    assert got == {"number": 501, "hash": choice}, (got, n.log()[-3000:])
    assert "reorg" in n.log()


def test_reorg_during_a_historical_fetch_reads_again(nginx_factory, data_node):
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: neurons_block(n), 20), n.log()[-3000:]

    # 501 and 502 on a fork that will be left
    orphan, choice = fork_hash("orphan", 501), fork_hash("choice", 501)
    node.hashes[501], node.hashes[502] = orphan, fork_hash("orphan", 502)
    node.new_head(2)
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == node.hash_of(502), 10)

    # the historical read of 501 is slow; the reorg comes while it runs
    seen = threading.Event()

    def delay(method, params):
        if method == "state_call" and orphan in json.dumps(params):
            seen.set()
            return 2.0
        return 0

    node.delay = delay
    got = {}
    t = threading.Thread(target=lambda: got.update(
        r=n.request(dc.routes(1, 501)["neurons"], timeout=30)))
    t.start()
    assert seen.wait(10), n.log()[-3000:]
    node.hashes[501], node.hashes[502] = choice, fork_hash("choice", 502)
    node.new_head(0)                          # 502 again, its parent is the new 501
    t.join(30)
    r = got["r"]
    assert r.status == 200, r.body
    assert r.json()["block"] == {"number": 501, "hash": choice}, n.log()[-3000:]
    assert "read again" in n.log()
    assert neurons_block(n, 501)["hash"] == choice


def test_reorg_across_skipped_heights_is_seen(nginx_factory, data_node):
    """The node's next head skips heights (a burst of blocks, a reconnection) and is on
    another fork than the blocks followed: nothing of the old fork may be served."""
    node, n = following_fork_a(nginx_factory, data_node)
    # a historical read keeps A's 501
    assert neurons_block(n, 501)["hash"] == fork_hash("A", 501)

    # fork B replaces 501.. and its first head announced is 505 (502-504 never are)
    mark = len(n.log())
    for k in range(501, 506):
        node.hashes[k] = fork_hash("B", k)
    node.new_head(3)
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == fork_hash("B", 505),
                    10), n.log()[-3000:]
    log = n.log()[mark:]
    assert "reorg:" in log and "blocks from 501 may have changed" in log, log[-3000:]

    # the historical record of 501 is fork B's, read again
    got = neurons_block(n, 501)
    assert got == {"number": 501, "hash": fork_hash("B", 501)}, (got, n.log()[-3000:])


def test_skipped_heights_on_the_same_chain_are_no_reorg(nginx_factory, data_node):
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: neurons_block(n), 20), n.log()[-3000:]
    node.new_head()
    assert wait_for(lambda: (latest_block(n) or {}).get("number") == 501, 10)
    assert neurons_block(n, 501)["hash"] == node.hash_of(501)

    mark = len(n.log())
    head = node.new_head(4)
    assert wait_for(lambda: (latest_block(n) or {}).get("number") == head, 10), \
        n.log()[-3000:]
    assert wait_for(lambda: (neurons_block(n) or {}).get("number") == head, 10)
    assert "reorg" not in n.log()[mark:], n.log()[mark:][-3000:]
    assert neurons_block(n, 501)["hash"] == node.hash_of(501)


def test_reorg_below_the_parent_is_found_at_its_fork_point(nginx_factory, data_node):
    """The next head's parent is not the block followed below it: the reorg is from the
    fork point the node's hashes show (501), not a guessed 64 blocks back."""
    node, n = following_fork_a(nginx_factory, data_node)

    mark = len(n.log())
    for k in (501, 502, 503):
        node.hashes[k] = fork_hash("B", k)
    node.new_head()                                     # 503, its parent is B's 502
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == fork_hash("B", 503),
                    10), n.log()[-3000:]
    log = n.log()[mark:]
    assert "is now %s, blocks from 501 may have changed" % fork_hash("B", 503) in log, \
        log[-3000:]
    assert neurons_block(n, 501)["hash"] == fork_hash("B", 501)


def test_reorg_while_no_helper_runs_drops_recent_history(nginx_factory, data_node):
    """A reorg the follower cannot see: it happens while the helper is dead.  The new
    helper must not serve the historical record an earlier helper read from the orphan."""
    node, n = following_fork_a(nginx_factory, data_node)
    n.expect_log(r"exited on signal 9")                 # killed on purpose
    assert neurons_block(n, 501)["hash"] == fork_hash("A", 501)

    # the helper dies; fork B replaces 501.. before the next one follows
    helper = n.helpers()[0]
    os.kill(helper, signal.SIGKILL)
    for k in (501, 502, 503):
        node.hashes[k] = fork_hash("B", k)
    node.head = 503
    mark = len(n.log())
    assert wait_for(lambda: (lambda h: h and h[0] != helper)(n.helpers()), 10)
    assert wait_for(lambda: (latest_block(n) or {}).get("hash") == fork_hash("B", 503),
                    20), n.log()[-3000:]

    got = neurons_block(n, 501)
    assert got == {"number": 501, "hash": fork_hash("B", 501)}, (got, n.log()[mark:][-3000:])
    assert "historical groups from block" in n.log()[mark:]

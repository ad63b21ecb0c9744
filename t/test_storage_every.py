"""pylon_storage_every (issue 15): a head round pages commitments and certificates only every N
blocks per subnet, with the fake node serving the recorded spec-343 answers.

The node (test_v2_commitments.CommitNode, a test_data_fakenode.DataNode) serves one
Commitments.CommitmentOf entry of subnet 1 (Alice's) and notes every state_getKeysPaged by
prefix and block hash, so a test sees on which heads the helper paged which item.  Between
reads the cached commitment and certificate bodies stay as read: they keep saying the block
they were read at, while neurons are served at every head.  On-demand fetches always read,
and a reorg since the last read makes the next head read at once.
"""
import hashlib
import os
import re
import shutil
import struct

import pytest

from harness import Nginx, wait_for
from pylon import pylon_conf
import test_data_fakenode as df
import test_data_common as dc
from test_v2_commitments import ALICE, ALICE_SS58, CommitNode, registration

pytestmark = [df.pytestmark,
              pytest.mark.skipif(shutil.which("mdb_dump") is None,
                                 reason="mdb_dump (lmdb-utils) not installed")]

COMMITS = dc.COMMITMENT_OF + dc.u16le(1)
CERTS = dc.CERTIFICATES + dc.u16le(1)


class PagedNode(CommitNode):
    """CommitNode that notes (prefix, block hash) of every state_getKeysPaged."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.entries = [(ALICE, registration(289, "05" + "00010203"))]
        self.paged = []

    def answer(self, method, params):
        if method == "state_getKeysPaged":
            self.paged.append((params[0], params[3]))
        return super().answer(method, params)

    def paged_at(self, prefix, since=0):
        """Block numbers at which prefix was paged, in order (from the since-th call)."""
        return [self.number_of(h) for p, h in self.paged[since:] if p == prefix]

    def started(self, n, head):
        """Waits for the first head's bodies; the paged calls so far (the first head
        round's, and an on-demand fetch's if a poll came before that round wrote)."""
        assert neurons_at(n, head), n.log()[-3000:]
        assert set(self.paged_at(COMMITS)) == {head}, self.paged
        return len(self.paged)


@pytest.fixture
def paged_node():
    nodes = []

    def make(head):
        node = PagedNode(head)
        node.start()
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.stop()


def conf(node, extra=""):
    return pylon_conf(node.url, extra_http="pylon_netuids 1; " + extra)


def body(n, route, netuid=1):
    r = n.request(dc.routes(netuid)[route])
    return r.json() if r.status == 200 else None


def record_block(n, key):
    """The block in the header of the cache record key (mdb_dump)."""
    recs = dc.cache_records(os.path.join(n.prefix, "data", "cache"))
    return struct.unpack_from("<Q", recs[key][0], 8)[0] if key in recs else None


def block_of(n, route, netuid=1):
    """The block the served body was read at: a certificates body (a bare map) has none,
    its cache record's header has."""
    if route == "certificates":
        if n.request(dc.routes(netuid)[route]).status != 200:
            return None
        return record_block(n, "L/certificates/%d" % netuid)
    b = body(n, route, netuid)
    return b["block"]["number"] if b else None


def alice(n):
    r = n.request("/api/v1/subnet/1/block/latest/commitments/" + ALICE_SS58)
    return r.json()["commitment_block_number"] if r.status == 200 else None


def neurons_at(n, number, netuid=1):
    return wait_for(lambda: block_of(n, "neurons", netuid) == number, 20)


def test_storage_every_4_pages_every_4th_head(nginx_factory, paged_node):
    node = paged_node(1000)
    n = nginx_factory(conf(node, "pylon_storage_every 4;"))
    first = node.started(n, 1000)
    assert block_of(n, "commitments") == 1000 and alice(n) == 289

    seen = {}
    for head in range(1001, 1009):
        if head == 1002:                 # the chain's value changes; read at 1004
            node.entries = [(ALICE, registration(300, "05" + "00010203"))]
        assert node.new_head() == head
        assert neurons_at(n, head), (head, n.log()[-3000:])
        seen[head] = (block_of(n, "commitments"), block_of(n, "certificates"), alice(n),
                      block_of(n, "validators"))

    assert node.paged_at(COMMITS, first) == [1004, 1008], node.paged
    assert node.paged_at(CERTS, first) == [1004, 1008], node.paged
    for head, (commits, certs, item, validators) in seen.items():
        read = head - head % 4
        assert (commits, certs) == (read, read), (head, seen)
        assert item == (289 if read == 1000 else 300), (head, seen)
        assert validators == head, (head, seen)
    # the kept bodies say the hash of the block they were read at
    assert body(n, "commitments")["block"]["hash"] == node.hash_of(1008)
    assert body(n, "commitments_full")["block"]["number"] == 1008


def test_storage_every_default_pages_every_head(nginx_factory, paged_node):
    node = paged_node(1000)
    n = nginx_factory(conf(node))
    first = node.started(n, 1000)
    for head in range(1001, 1005):
        if head == 1002:
            node.entries = [(ALICE, registration(300, "05" + "00010203"))]
        assert node.new_head() == head
        assert neurons_at(n, head), (head, n.log()[-3000:])
        assert block_of(n, "commitments") == head and block_of(n, "certificates") == head
        assert alice(n) == (289 if head < 1002 else 300)
    assert node.paged_at(COMMITS, first) == list(range(1001, 1005)), node.paged
    assert node.paged_at(CERTS, first) == list(range(1001, 1005)), node.paged


def test_storage_every_newly_tracked_subnet_reads_at_once(nginx_factory, paged_node):
    node = paged_node(1000)
    node.any_netuid = True
    n = nginx_factory(conf(node, "pylon_storage_every 4;"))
    first = node.started(n, 1000)
    assert node.new_head() == 1001
    assert neurons_at(n, 1001)

    # subnet 2 is not tracked: the on-demand fetch reads its commitments at this head
    r = n.request(dc.routes(2)["commitments"], timeout=30)
    assert r.status == 200, r.body
    assert r.json()["block"]["number"] == 1001
    assert block_of(n, "certificates", 2) == 1001
    commits2 = dc.COMMITMENT_OF + dc.u16le(2)
    assert node.paged_at(commits2) == [1001], node.paged

    # now tracked: neurons at every head, commitments every 4 blocks from that read
    for head in range(1002, 1007):
        assert node.new_head() == head
        assert neurons_at(n, head, 2), (head, n.log()[-3000:])
        assert block_of(n, "commitments", 2) == (1001 if head < 1005 else 1005), head
    assert node.paged_at(commits2) == [1001, 1005], node.paged
    assert node.paged_at(COMMITS, first) == [1004], node.paged


def fork_hash(n):
    return "0x" + hashlib.sha256(b"storage fork %d" % n).hexdigest()


def test_storage_every_reads_again_after_a_reorg(nginx_factory, paged_node):
    node = paged_node(500)
    n = nginx_factory(conf(node, "pylon_storage_every 4;"))
    first = node.started(n, 500)
    for head in range(501, 505):
        assert node.new_head() == head
        assert neurons_at(n, head)
    assert body(n, "commitments")["block"]["hash"] == node.hash_of(504)

    # the block the commitments were read at is replaced: read at the fork choice
    node.hashes[504] = fork_hash(504)
    node.new_head(0)
    assert wait_for(lambda: (body(n, "commitments") or {}).get("block", {}).get("hash")
                    == fork_hash(504), 10), (node.paged, n.log()[-3000:])
    assert wait_for(lambda: (body(n, "neurons") or {}).get("block", {}).get("hash")
                    == fork_hash(504), 10)
    assert "reorg" in n.log()

    # and then every 4 blocks again
    for head in range(505, 508):
        assert node.new_head() == head
        assert neurons_at(n, head)
        assert block_of(n, "commitments") == 504
    assert node.paged_at(COMMITS, first) == [504, 504], node.paged


def check(http_conf):
    n = Nginx(http_conf)
    try:
        return n.test_config()
    finally:
        n.cleanup()


SERVER = "server { listen 127.0.0.1:@PORT@; location / { pylon_subnet on; } }"


@pytest.mark.parametrize("value", ["1", "4", "100"])
def test_config_storage_every_accepts_whole_numbers(value):
    r = check("pylon_cache @PREFIX@/data/c; pylon_storage_every %s; %s" % (value, SERVER))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("value", ["0", "-3", "abc", "4b", "", "1.5", "99999999999999999999"])
def test_config_storage_every_rejects_bad_values_naming_the_directive(value):
    r = check("pylon_cache @PREFIX@/data/c; pylon_storage_every '%s'; %s" % (value, SERVER))
    assert r.returncode != 0
    assert ('invalid value "%s" in "pylon_storage_every" directive: a number of blocks, '
            '1 or more' % value) in r.stderr, r.stderr
    assert re.search(r"nginx\.conf:\d+", r.stderr), r.stderr


def test_config_storage_every_rejects_two_values_and_duplicates():
    r = check("pylon_cache @PREFIX@/data/c; pylon_storage_every 2 3; %s" % SERVER)
    assert r.returncode != 0
    assert 'invalid number of arguments in "pylon_storage_every" directive' in r.stderr
    r = check("pylon_cache @PREFIX@/data/c; pylon_storage_every 2; pylon_storage_every 3; %s"
              % SERVER)
    assert r.returncode != 0
    assert '"pylon_storage_every" directive is duplicate' in r.stderr, r.stderr


def test_config_storage_every_is_http_level_only():
    r = check("pylon_cache @PREFIX@/data/c; server { listen 127.0.0.1:@PORT@; "
              "location / { pylon_subnet on; pylon_storage_every 4; } }")
    assert r.returncode != 0
    assert '"pylon_storage_every" directive is not allowed here' in r.stderr, r.stderr

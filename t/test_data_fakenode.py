"""Subnet data with a scripted node serving recorded mainnet answers.

The fake node (t/lib/fakenode.py, extended here) answers the helper's
reads from the recording of finney block 6852690 (spec 343, subnet 1,
1024 neurons; $PYLON_SHARED/fixtures): runtime version, V15 metadata,
get_neurons_lite and get_subnet_state, at any block hash it is asked for.
On top of that a test can make the node forget blocks ("state discarded"),
switch the runtime's spec version at a block, or go silent.
"""
import json
import os
import struct
import time

import pytest

from fakenode import FakeNode, TIMESTAMP_NOW, block_hash, block_time_ms
from harness import wait_for
from pylon import pylon_conf
import test_data_common as dc

SHARED = os.environ.get("PYLON_SHARED", os.path.join(dc.ROOT, "..", "shared"))
FIXTURES = os.path.join(SHARED, "fixtures")
RECORDING = os.path.join(FIXTURES, "sdk-websocket-responses.json")
META343 = os.path.join(FIXTURES, "metadata-v15-spec343.txt")
META318 = os.path.join(FIXTURES, "metadata-v15-spec318.json")
MAINNET_BLOCK = 6852690

pytestmark = pytest.mark.skipif(
    not all(os.path.exists(p) for p in (RECORDING, META343, META318)),
    reason="recorded fixtures not found in $PYLON_SHARED/fixtures")


def hexfile(path):
    t = open(path).read().strip()
    if t.startswith('"'):
        t = json.loads(t)
    return t if t.startswith("0x") else "0x" + t


_recorded = {}


def recorded():
    """{method: hex result} of subnet 1 at block 6852690, and its hash."""
    if not _recorded:
        rec = json.load(open(RECORDING))["metagraph"]
        for params, res in rec["state_call"].items():
            p = json.loads(params)
            _recorded[(p[0], p[1].replace("0x", ""))] = res["result"]
        _recorded["hash"] = rec["chain_getBlockHash"]["[%d]" % MAINNET_BLOCK]["result"]
    return _recorded


class DataNode(FakeNode):
    """FakeNode that also answers the subnet reads from the recording."""

    def __init__(self, head, **kw):
        super().__init__(head=head, **kw)
        self.hashes = {}                   # number -> hash (default: fakenode's)
        self.discarded = set()             # hashes whose state is gone
        self.spec_switch = None            # (block, spec) from which spec changes
        self.metas = {343: hexfile(META343), 318: hexfile(META318)}
        self.state_calls = []              # (method, hash)
        self.any_netuid = False            # every subnet is the recorded one

    def hash_of(self, n):
        return self.hashes.get(n) or block_hash(n)

    def number_of(self, h):
        for n, x in self.hashes.items():
            if x == h:
                return n
        for n in range(self.head, max(-1, self.head - 20000), -1):
            if block_hash(n) == h:
                return n
        return None

    def spec_at(self, n):
        if self.spec_switch and n >= self.spec_switch[0]:
            return self.spec_switch[1]
        return 343

    def check(self, h):
        n = self.number_of(h)
        if n is None:
            raise KeyError("unknown block %s" % h)
        if h in self.discarded:
            raise KeyError("State already discarded for %s" % h)
        return n

    def answer(self, method, params):
        if method == "chain_getBlockHash":
            n = params[0] if params else self.head
            return self.hash_of(n) if n <= self.head else None
        if method == "state_getStorage" and params[0] == TIMESTAMP_NOW:
            n = self.check(params[1])
            return "0x" + struct.pack("<Q", block_time_ms(n)).hex()
        if method == "state_getRuntimeVersion":
            n = self.check(params[0])
            return {"specName": "node-subtensor", "specVersion": self.spec_at(n)}
        if method == "state_call":
            n = self.check(params[2])
            self.state_calls.append((params[0], params[2]))
            if params[0] == "Metadata_metadata_at_version":
                return self.metas[self.spec_at(n)]
            res = recorded().get((params[0], params[1].replace("0x", "")))
            if res is None and self.any_netuid:
                res = recorded().get((params[0], "0100"))
            if res is None:
                raise KeyError("no recording for %s" % params[:2])
            return res
        if method == "state_getKeysPaged":
            self.check(params[3])
            return []
        if method == "state_queryStorageAt":
            self.check(params[1])
            return [{"block": params[1], "changes": []}]
        return super().answer(method, params)

    def header(self, n):
        h = super().header(n)
        return h


def expected(number, h):
    raw = {"neurons": recorded()[("NeuronInfoRuntimeApi_get_neurons_lite", "0100")],
           "state": recorded()[("SubnetInfoRuntimeApi_get_subnet_state", "0100")],
           "commitments": [], "certificates": []}
    facts = dc.oracle(META343, raw)
    return dc.render(facts, number, h)


@pytest.fixture
def data_node():
    nodes = []

    def make(head, **kw):
        n = DataNode(head, **kw)
        n.start()
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.stop()


def conf(node, extra=""):
    return pylon_conf(node.url, extra_http="pylon_netuids 1; " + extra)


def served(n, path):
    r = n.request(path)
    return r if r.status == 200 else None


def test_data_mainnet_recording_full_path(nginx_factory, data_node):
    node = data_node(MAINNET_BLOCK)
    node.hashes[MAINNET_BLOCK] = recorded()["hash"]
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    r = wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20)
    assert r, n.log()[-3000:]
    bodies, _ = expected(MAINNET_BLOCK, recorded()["hash"])
    neurons = json.loads(bodies["neurons"])["neurons"]
    assert len(neurons) == 1024
    assert r.body == bodies["neurons"]
    for route in ("validators", "commitments", "commitments_full", "certificates"):
        got = n.request(dc.routes(1)[route])
        assert got.status == 200 and got.body == bodies[route], route
    vals = json.loads(bodies["validators"])["validators"]
    assert vals and all(v["validator_permit"] for v in vals)
    totals = [v["stakes"]["total"] for v in vals]
    assert totals == sorted(totals, reverse=True)


def test_data_archive_fallback_on_state_discarded(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    n = nginx_factory(conf(main, "pylon_archive_network %s; pylon_metrics_token mt;"
                           % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]

    old = 900
    main.discarded.add(block_hash(old))
    r = n.request(dc.routes(1, old)["neurons"], timeout=30)
    assert r.status == 200, r.body
    bodies, _ = expected(old, block_hash(old))
    assert r.body == bodies["neurons"]
    assert ("NeuronInfoRuntimeApi_get_neurons_lite", block_hash(old)) in archive.state_calls
    metric = 'pylon_bittensor_fallback_total{reason="unknown_block",operation="get_neurons"'
    assert wait_for(lambda: metric in n.request(
        "/metrics", headers={"Authorization": "Bearer mt"}).body.decode(), 5), \
        n.request("/metrics", headers={"Authorization": "Bearer mt"}).body[-2000:]

    # gone on both nodes: Pylon's 502
    both = 950
    main.discarded.add(block_hash(both))
    archive.discarded.add(block_hash(both))
    r = n.request(dc.routes(1, both)["validators"], timeout=30)
    assert r.status == 502
    assert r.json() == {"status_code": 502, "detail": "Block %d data is unavailable on "
                        "both main and archive nodes." % both}


def test_data_archive_cutoff_goes_straight_to_archive(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    n = nginx_factory(conf(main, "pylon_archive_network %s; pylon_archive_cutoff 50;"
                           % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]

    old = 1000 - 51
    r = n.request(dc.routes(1, old)["neurons"], timeout=30)
    assert r.status == 200, r.body
    assert not any(h == block_hash(old) for _, h in main.state_calls)
    assert any(h == block_hash(old) for _, h in archive.state_calls)

    older = 1000 - 60
    archive.discarded.add(block_hash(older))
    r = n.request(dc.routes(1, older)["neurons"], timeout=30)
    assert r.status == 502
    assert r.json()["detail"] == (
        "Block %d data is unavailable on the archive node. Archive was used because the "
        "block exceeded archive block cutoff (50 blocks)." % older)


def test_data_metadata_follows_spec_version(nginx_factory, data_node):
    node = data_node(500)
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    for _ in range(2):
        node.new_head()
    assert wait_for(lambda: (lambda r: r and r.json()["block"]["number"] == 502)(
        served(n, dc.routes(1)["neurons"])), 5)

    def metadata_calls():
        return [h for m, h in node.state_calls if m == "Metadata_metadata_at_version"]

    assert len(metadata_calls()) == 1          # one spec so far: fetched once

    node.spec_switch = (503, 318)
    for _ in range(3):
        node.new_head()
    r = wait_for(lambda: (lambda r: r if r and r.json()["block"]["number"] == 505 else None)(
        served(n, dc.routes(1)["neurons"])), 5)
    assert r, n.log()[-3000:]
    calls = metadata_calls()
    assert len(calls) == 2 and calls[1] == block_hash(503), calls
    bodies, _ = expected(505, block_hash(505))
    assert r.body == bodies["neurons"]


def test_data_stalled_node_recent_neurons_503(nginx_factory, data_node):
    node = data_node(300)
    n = nginx_factory(conf(node, "pylon_recent_neurons soft=0 hard=0 lead=0;"))
    recent = "/api/v1/subnet/1/block/recent/neurons"
    assert wait_for(lambda: served(n, recent), 20), n.log()[-3000:]
    node.mode = "silent"                       # no heads, no answers
    r = wait_for(lambda: (lambda x: x if x.status == 503 else None)(n.request(recent)), 20)
    assert r, "recent neurons still served from a stalled node"
    assert r.json() == {"status_code": 503,
                        "detail": "Recent neurons data is stale. Cache update may be failing."}
    # the latest data is still served from the cache
    assert n.request(dc.routes(1)["neurons"]).status == 200


def test_data_history_evicts_least_recent_never_latest(nginx_factory, data_node):
    import shutil
    if shutil.which("mdb_dump") is None:
        pytest.skip("mdb_dump (lmdb-utils) not installed")
    node = data_node(1000)
    n = nginx_factory(pylon_conf(node.url, extra_http="pylon_netuids 1; "
                                 "pylon_archive_network %s;" % node.url,
                                 cache_extra=" max_size=8m"))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    blocks = list(range(980, 992))
    for b in blocks:
        r = n.request(dc.routes(1, b)["neurons"], timeout=30)
        assert r.status == 200, (b, r.body)
    recs = dc.cache_records(os.path.join(n.prefix, "data", "cache"))
    kept = sorted({int(k.split("/")[3]) for k in recs if k.startswith("B/neurons/1/")})
    size = sum(len(h) + len(b) + len(k) for k, (h, b) in recs.items() if k.startswith("B/"))
    assert kept and kept[-1] == blocks[-1], kept          # the most recent stays
    assert blocks[0] not in kept, kept                      # the oldest went
    assert size <= 8 * 2**20 // 2, size                     # under half the map
    assert "L/neurons/1" in recs and "L/validators/1" in recs
    # an evicted block is simply fetched again
    r = n.request(dc.routes(1, blocks[0])["neurons"], timeout=30)
    assert r.status == 200 and r.json()["block"]["number"] == blocks[0]


def test_data_auto_tracked_subnets_are_bounded(nginx_factory, data_node):
    import shutil
    if shutil.which("mdb_dump") is None:
        pytest.skip("mdb_dump (lmdb-utils) not installed")
    node = data_node(400)
    node.any_netuid = True
    n = nginx_factory(pylon_conf(node.url, cache_extra=" max_size=256m"))
    assert wait_for(lambda: n.request("/api/v1/block/latest").status == 200, 20)
    asked = list(range(1, 18))                       # one more than the 16 allowed
    for u in asked:
        r = n.request(dc.routes(u)["validators"], timeout=30)
        assert r.status == 200, (u, r.body)
    head = node.new_head()
    assert wait_for(lambda: (lambda r: r and r.json()["block"]["number"] == head)(
        served(n, dc.routes(17)["neurons"])), 30)
    recs = dc.cache_records(os.path.join(n.prefix, "data", "cache"))
    tracked = sorted(s["netuid"] for s in json.loads(recs["S/refresh"][1])["subnets"])
    assert tracked == asked[1:]                      # the oldest made room
    assert "L/neurons/1" not in recs and "L/validators/1" not in recs
    assert "L/neurons/17" in recs
    # asking again brings it back
    assert n.request(dc.routes(1)["neurons"], timeout=30).status == 200

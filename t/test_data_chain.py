"""Subnet data on the real runtime (chopsticks, spec 218: legacy Vec<u8> outputs).

A private chain gets a subnet with a validator, miners and a commitment
(t/chain/setup.mjs); nginx tracks that subnet.  Every body the module
serves must be byte for byte what Python renders (pylon-api.md §4) from
polkadot-js's decoding of the same chain state at the same block
(t/oracle/data_subnet.mjs), for the latest block and for a historical one;
a new block must be served within 1 s; a commitment made by a test must
appear with the next block; a subnet nobody configured is fetched on
demand and then tracked.
"""
import json
import os
import subprocess
import threading
import time

import pytest

import chain as chainlib
from harness import Nginx, wait_for
from pylon import pylon_conf
import test_data_common as dc

pytestmark = pytest.mark.skipif(chainlib.unavailable() is not None,
                                reason=str(chainlib.unavailable()))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    c = chainlib.Chopsticks().start()
    try:
        r = subprocess.run(["node", dc.SETUP, c.url, "3"], capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        info = json.loads(r.stdout.strip().splitlines()[-1])
        meta = str(tmp_path_factory.mktemp("data") / "metadata.hex")
        with open(meta, "w") as f:
            f.write(c.rpc("state_call", ["Metadata_metadata_at_version", "0x0f000000"]))
        info["meta"] = meta
        yield c, info
    finally:
        c.stop()


@pytest.fixture(scope="module")
def ngx(world):
    c, info = world
    n = Nginx(pylon_conf(c.url, extra_http="pylon_netuids %d;" % info["netuid"]))
    n.start()
    try:
        yield n
    finally:
        n.cleanup()


def served_block(n, netuid, route="neurons"):
    r = n.request(dc.routes(netuid)[route])
    return r.json()["block"] if r.status == 200 else None


def wait_served(n, netuid, number, timeout):
    return wait_for(lambda: (lambda b: b if b and b["number"] >= number else None)(
        served_block(n, netuid)), timeout)


def expected(c, info, netuid, number):
    h = c.block_hash(number)
    facts = dc.oracle(info["meta"], dc.raw_subnet(c.rpc, netuid, h))
    return dc.render(facts, number, h)


def test_data_bodies_equal_polkadot_js(world, ngx):
    c, info = world
    netuid, head = info["netuid"], c.head()
    assert wait_served(ngx, netuid, head, 15), ngx.log()[-3000:]
    bodies, items = expected(c, info, netuid, head)
    for route, path in dc.routes(netuid).items():
        r = ngx.request(path)
        assert r.status == 200, (path, r.body)
        assert r.body == bodies[route], (route, r.body[:400], bodies[route][:400])
        assert r.header("ETag")
    assert len(json.loads(bodies["neurons"])["neurons"]) == 4
    assert json.loads(bodies["commitments"])["commitments"]   # the validator's
    for (route, hotkey), body in items.items():
        sub = "certificates" if route == "certificate" else "commitments"
        api = "_unstable/openaccess" if route == "commitment_full" else "v1"
        r = ngx.request("/api/%s/subnet/%d/block/latest/%s/%s" % (api, netuid, sub, hotkey))
        assert r.status == 200 and r.body == body, (route, hotkey, r.body)
    # recent neurons: the same cached body
    r = ngx.request("/api/v1/subnet/%d/block/recent/neurons" % netuid)
    assert r.status == 200 and r.body == bodies["neurons"]


def test_data_new_block_within_one_second(world, ngx):
    c, info = world
    netuid = info["netuid"]
    assert wait_served(ngx, netuid, c.head(), 15)
    etag = ngx.request(dc.routes(netuid)["certificates"]).header("ETag")
    for _ in range(3):
        head = c.new_block()
        t0 = time.time()
        got = wait_served(ngx, netuid, head, 1.0)
        assert got and got["number"] == head, "block %d not served within 1 s" % head
        assert time.time() - t0 <= 1.0
        assert got["hash"] == c.block_hash(head)
        # every route of the subnet moved in the same transaction
        for route in ("validators", "commitments"):
            assert served_block(ngx, netuid, route)["number"] == head
    # unchanged data keeps its ETag
    assert ngx.request(dc.routes(netuid)["certificates"]).header("ETag") == etag


def test_data_commitment_appears_in_next_block(world, ngx):
    c, info = world
    netuid = info["netuid"]
    miner = info["hotkeys"][1]
    path = "/api/v1/subnet/%d/block/latest/commitments/%s" % (netuid, miner)
    assert ngx.request(path).status == 404
    text = "fresh-%d" % int(time.time())
    r = subprocess.run(["node", dc.SETUP, c.url, "commit", str(netuid), "//Miner1", text],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    block = json.loads(r.stdout.strip().splitlines()[-1])["block"]
    got = wait_for(lambda: (lambda x: x if x.status == 200 else None)(ngx.request(path)), 1.0)
    assert got, "commitment not served within 1 s of its block"
    body = got.json()
    assert body["commitment"] == "0x" + text.encode().hex()
    assert body["commitment_block_number"] == block
    assert body["block"]["number"] == block
    flat = ngx.request(dc.routes(netuid)["commitments"]).json()["commitments"]
    assert flat[miner] == "0x" + text.encode().hex()


def test_data_historical_block_is_that_blocks_data(world, ngx):
    c, info = world
    netuid = info["netuid"]
    old = info["block"] - 3            # before the stake and the commitment
    bodies, _ = expected(c, info, netuid, old)
    for route in ("neurons", "validators"):
        r = ngx.request(dc.routes(netuid, old)[route])
        assert r.status == 200, r.body
        assert r.body == bodies[route]
        assert r.json()["block"]["number"] == old
    latest = ngx.request(dc.routes(netuid)["neurons"]).body
    assert latest != bodies["neurons"]
    # cached: a second read is a hit with the same ETag
    a = ngx.request(dc.routes(netuid, old)["neurons"])
    b = ngx.request(dc.routes(netuid, old)["neurons"])
    assert a.header("ETag") == b.header("ETag") and a.body == b.body


def test_data_block_above_head_is_404(world, ngx):
    c, info = world
    n = c.head() + 1000
    r = ngx.request(dc.routes(info["netuid"], n)["neurons"])
    assert r.status == 404
    assert r.json() == {"status_code": 404, "detail": "Block %d not found." % n}


def test_data_untracked_subnet_fetched_then_tracked(world, ngx):
    c, info = world
    other = 1                          # in the genesis, not configured
    r = ngx.request(dc.routes(other)["neurons"])
    assert r.status == 200, r.body
    number = r.json()["block"]["number"]
    bodies, _ = expected(c, info, other, number)
    assert r.body == bodies["neurons"]
    head = c.new_block()
    # two subnets now: chopsticks runs six runtime calls per block
    assert wait_served(ngx, other, head, 3.0), "auto-tracked subnet not refreshed"


def test_data_fetches_do_not_block_other_routes(world, ngx):
    c, info = world
    netuid = info["netuid"]
    head = c.head()
    slow = []

    def historical(n):
        slow.append(ngx.request(dc.routes(netuid, n)["validators"], timeout=60).status)

    threads = [threading.Thread(target=historical, args=(n,))
               for n in range(2, min(head, 12))]
    for t in threads:
        t.start()
    worst = 0.0
    while any(t.is_alive() for t in threads):
        t0 = time.time()
        r = ngx.request("/api/v1/block/latest")
        worst = max(worst, time.time() - t0)
        assert r.status == 200
        r = ngx.request(dc.routes(netuid)["neurons"])
        assert r.status == 200
    for t in threads:
        t.join()
    assert all(s == 200 for s in slow), slow
    assert worst < 0.5, "a cached route took %.3f s while fetches ran" % worst


def test_data_extrinsics_of_a_block(world, ngx):
    import hashlib
    import struct
    from fakenode import TIMESTAMP_NOW
    c, info = world
    n = info["block"]                  # the block of the validator's commitment
    h = c.block_hash(n)
    xts = c.rpc("chain_getBlock", [h])["block"]["extrinsics"]
    seen = {}
    for i, x in enumerate(xts):
        r = ngx.request("/api/v1/block/%d/extrinsic/%d" % (n, i))
        assert r.status == 200, r.body
        body = r.json()
        assert list(body) == ["block_number", "extrinsic_index", "extrinsic_hash",
                              "extrinsic_length", "address", "call"]
        assert body["block_number"] == n and body["extrinsic_index"] == i
        raw = bytes.fromhex(x[2:])
        assert body["extrinsic_hash"] == "0x" + hashlib.blake2b(raw, digest_size=32).hexdigest()
        assert 0 < body["extrinsic_length"] < len(raw)
        call = body["call"]
        seen[(call["call_module"], call["call_function"])] = body
    ts = seen[("Timestamp", "set")]
    assert ts["address"] is None
    now = struct.unpack("<Q", bytes.fromhex(c.rpc("state_getStorage", [TIMESTAMP_NOW, h])[2:]))[0]
    assert ts["call"]["call_args"][0]["name"] == "now"
    assert ts["call"]["call_args"][0]["value"] == now
    commit = seen[("Commitments", "set_commitment")]
    assert commit["address"] == info["hotkeys"][0]
    assert commit["call"]["call_args"][0]["value"] == info["netuid"]
    r = ngx.request("/api/v1/block/%d/extrinsic/%d" % (n, len(xts)))
    assert r.status == 404
    assert r.json() == {"status_code": 404,
                        "detail": "Extrinsic %d-%d not found." % (n, len(xts))}


def test_data_hyperparams_and_state_records(world, ngx):
    import shutil
    if shutil.which("mdb_dump") is None:
        pytest.skip("mdb_dump (lmdb-utils) not installed")
    c, info = world
    netuid = info["netuid"]
    head = c.head()
    assert wait_served(ngx, netuid, head, 10)
    recs = dc.cache_records(os.path.join(ngx.prefix, "data", "cache"))
    hyper = json.loads(recs["L/hyperparams/%d" % netuid][1])
    raw = c.rpc("state_call", ["SubnetInfoRuntimeApi_get_subnet_hyperparams",
                               "0x" + dc.u16le(netuid), c.block_hash(head)])
    theirs = dc.legacy_decode("SubnetHyperparams", raw)

    def num(v):                 # big integers: decimal (ours) or hex (theirs)
        return int(v, 0) if isinstance(v, str) else v

    assert {k: num(v) for k, v in hyper.items()} == {k: num(v) for k, v in theirs.items()}
    assert hyper["tempo"] == 10                    # set by setup.mjs
    state = json.loads(recs["S/refresh"][1])
    mine = [s for s in state["subnets"] if s["netuid"] == netuid]
    assert mine and mine[0]["block"] == head and mine[0]["auto"] is False
    assert state["rounds"] >= 1 and state["calls"] >= 1


def test_evm_associations_on_a_runtime_without_them_is_501_logged_once(world, ngx):
    """Spec 218 has no SubtensorModule.AssociatedEvmAddress: the route says
    so (501, pylon-v2 §3.3) and the helper notes it once, not per head."""
    c, info = world
    netuid = info["netuid"]
    assert wait_served(ngx, netuid, c.head(), 15)
    for _ in range(3):
        head = c.new_block()
        assert wait_served(ngx, netuid, head, 5)
    r = ngx.request("/api/_unstable/openaccess/subnet/%d/block/latest/"
                    "evm_associations" % netuid)
    assert r.status == 501, r.body
    body = r.json()
    assert body["status_code"] == 501
    assert "AssociatedEvmAddress" in body["detail"], body
    log = ngx.log()
    assert "storage SubtensorModule.AssociatedEvmAddress not in metadata" in log
    assert log.count("evm associations not served by runtime 218") == 1, \
        "\n".join(x for x in log.splitlines() if "evm" in x)[-3000:]
    assert "[error]" not in "\n".join(x for x in log.splitlines() if "evm" in x)

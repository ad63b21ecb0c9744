"""GET .../subnet/{netuid}/block/latest/evm_associations (pylon-v2 §3.3.4).

The fake node of test_data_fakenode (recorded spec-343 metadata and subnet
state of finney block 6852690) also serves SubtensorModule.AssociatedEvmAddress
entries whose keys are built by our storage encoder (build/pylon-decode --key)
and whose values are packed here by hand (H160 ++ u64 LE); the answer must
list them by uid with the hotkeys the neurons route shows for those uids.
"""
import json
import os
import shutil
import struct
import subprocess

import pytest

from harness import wait_for
from pylon import pylon_conf
from test_data_fakenode import (DataNode, MAINNET_BLOCK, META343, conf, recorded,  # noqa
                                pytestmark)
import test_data_common as dc

DECODE = os.path.join(dc.ROOT, "build", "pylon-decode")
ORACLE = os.path.join(dc.ROOT, "t", "oracle", "evm_assoc_polkadot.mjs")
POLKADOT = os.path.join(dc.ROOT, "t", "js", "node_modules", "@polkadot", "types")


def storage_key(keys):
    r = subprocess.run([DECODE, "--key", META343, "SubtensorModule.AssociatedEvmAddress",
                        json.dumps(keys)], capture_output=True, text=True, check=True)
    return r.stdout.strip()


class AssocNode(DataNode):
    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.prefix = storage_key([1])
        self.assoc = {}

    def answer(self, method, params):
        if method == "state_getKeysPaged" and params[0] == self.prefix:
            self.check(params[3])
            keys = sorted(self.assoc)
            if params[2]:
                keys = [k for k in keys if k > params[2]]
            return keys[:params[1]]
        if (method == "state_queryStorageAt" and params[0]
                and params[0][0] in self.assoc):
            self.check(params[1])
            return [{"block": params[1],
                     "changes": [[k, self.assoc.get(k)] for k in params[0]]}]
        return super().answer(method, params)


def test_evm_associations_by_uid(nginx_factory, tmp_path):
    node = AssocNode(MAINNET_BLOCK)
    node.start()
    try:
        node.hashes[MAINNET_BLOCK] = recorded()["hash"]
        addr0, addr3 = bytes(range(1, 21)), bytes([0xAB] * 20)
        node.assoc[storage_key([1, 3])] = "0x" + (addr3 + struct.pack("<Q", 99)).hex()
        node.assoc[storage_key([1, 0])] = "0x" + (addr0 + struct.pack("<Q", 7)).hex()
        node.assoc[storage_key([1, 5000])] = "0x" + (addr0 + struct.pack("<Q", 1)).hex()
        wallets = os.path.join(os.environ.get("PYLON_SHARED", os.path.join(
            dc.ROOT, "..", "shared")), "fixtures", "wallet")
        ident = os.path.isdir(wallets)
        n = nginx_factory(conf(node, (
            "pylon_wallet_path %s; pylon_identity sn1 wallet=pylon hotkey=pylon "
            "netuid=1 token=s3cret;" % wallets) if ident else ""))
        neurons = wait_for(lambda: (lambda r: r if r.status == 200 else None)(
            n.request(dc.routes(1)["neurons"])), 20)
        assert neurons, n.log()[-2000:]
        body = json.loads(neurons.body)["neurons"]
        items = body.values() if isinstance(body, dict) else body
        by_uid = {x["uid"]: x["hotkey"] for x in items}

        path = "/api/_unstable/openaccess/subnet/1/block/latest/evm_associations"
        r = n.request(path)
        assert r.status == 200, r.body
        got = json.loads(r.body)
        assert list(got) == ["block", "evm_associations"]
        assert got["block"]["number"] == MAINNET_BLOCK
        assert got["block"]["hash"] == recorded()["hash"]
        assert list(got["evm_associations"]) == [by_uid[0], by_uid[3]]       # uid order
        assert got["evm_associations"][by_uid[3]] == {
            "hotkey": by_uid[3], "evm_address": "0x" + "ab" * 20,
            "last_block_where_ownership_was_proven": 99}
        assert got["evm_associations"][by_uid[0]]["evm_address"] == "0x" + addr0.hex()
        assert r.body.index(b'"hotkey"') < r.body.index(b'"evm_address"') < \
            r.body.index(b'"last_block_where_ownership_was_proven"')

        # the identity variant: same data, identity guard first
        if ident:
            ipath = "/api/_unstable/identity/sn1/subnet/1/block/latest/evm_associations"
            assert n.request(ipath).status == 401
            r2 = n.request(ipath, headers={"Authorization": "Bearer s3cret"})
            assert r2.status == 200 and json.loads(r2.body) == got
            r3 = n.request(ipath.replace("subnet/1", "subnet/2"),
                           headers={"Authorization": "Bearer s3cret"})
            assert r3.status in (403, 308)

        # polkadot-js reads the same entries (keys from our encoder) the same way
        if shutil.which("node") and os.path.isdir(POLKADOT):
            entries = tmp_path / "entries.json"
            entries.write_text(json.dumps(sorted(node.assoc.items())))
            pj = json.loads(subprocess.run(["node", ORACLE, META343, str(entries)],
                                           capture_output=True, text=True, check=True,
                                           timeout=120).stdout)
            want = {(e["netuid"], e["uid"]): e for e in pj}
            assert set(want) == {(1, 0), (1, 3), (1, 5000)}
            for uid in (0, 3):
                v = got["evm_associations"][by_uid[uid]]
                assert v["evm_address"] == want[(1, uid)]["evm_address"]
                assert v["last_block_where_ownership_was_proven"] == \
                    int(want[(1, uid)]["block"])

        # kept fresh every block for a configured subnet: served from the
        # cache (no chain call per request), updated at the next head
        def prefix_calls():
            return sum(1 for m in node.calls if m == "state_getKeysPaged")
        def from_cache():
            before = prefix_calls()
            for _ in range(3):
                assert n.request(path).status == 200
            return prefix_calls() == before
        # the first per-head read follows the first refresh round (1 s tick)
        assert wait_for(from_cache, 10), n.log()[-2000:]

        node.assoc.clear()
        node.new_head()

        def empty():
            r = n.request(path)
            return r.status == 200 and json.loads(r.body)["evm_associations"] == {}
        assert wait_for(empty, 10), n.log()[-2000:]

        # a subnet that is not configured: read on demand at the head
        r = n.request(path.replace("subnet/1/", "subnet/3/"))
        assert r.status in (200, 500), r.body
    finally:
        node.stop()


class CountingNode(AssocNode):
    """AssocNode that notes every get_subnet_state call as (netuid hex, hash)."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.subnet_state = []
        self.evm_pages = []                      # hash of each evm paging
        self.prefixes = (self.prefix, storage_key([2]))

    def answer(self, method, params):
        if method == "state_getKeysPaged" and params[0] in self.prefixes:
            self.evm_pages.append(params[3])
        if (method == "state_call"
                and params[0] == "SubnetInfoRuntimeApi_get_subnet_state"):
            self.subnet_state.append((params[1], params[2]))
        return super().answer(method, params)


def test_evm_associations_per_head_reuse_round_state(nginx_factory):
    """The per-head evm_associations refresh takes the hotkeys from the
    refresh round's get_subnet_state bytes (lent at the round's end): the
    node sees exactly one get_subnet_state per tracked subnet per head,
    and the body still follows new associations at each head."""
    node = CountingNode(MAINNET_BLOCK)
    node.any_netuid = True                       # subnet 2 = the recording
    node.start()
    try:
        node.hashes[MAINNET_BLOCK] = recorded()["hash"]
        node.assoc[storage_key([1, 0])] = "0x" + (bytes(range(1, 21))
                                                  + struct.pack("<Q", 7)).hex()
        n = nginx_factory(pylon_conf(node.url, extra_http="pylon_netuids 1 2;"))
        path = "/api/_unstable/openaccess/subnet/%d/block/latest/evm_associations"
        wf = wait_for

        def body_at(netuid, number):
            # the cached body only: a miss would start an on-demand job
            # (its own get_subnet_state), so wait for the node to have
            # answered the per-head paging first
            r = n.request(path % netuid)
            if r.status != 200:
                return None
            got = json.loads(r.body)
            return got if got["block"]["number"] == number else None

        def paged_at(h):                         # both subnets' evm reads
            return node.evm_pages.count(h) >= 2

        h0 = recorded()["hash"]
        assert wf(lambda: paged_at(h0), 20), n.log()[-3000:]
        first = wf(lambda: body_at(1, MAINNET_BLOCK), 10)
        assert first and len(first["evm_associations"]) == 1, n.log()[-3000:]
        assert body_at(2, MAINNET_BLOCK)["evm_associations"] == {}

        addr = bytes([0xCD] * 20)
        for i in range(1, 4):
            node.assoc[storage_key([1, 3 + i])] = "0x" + (addr + struct.pack("<Q", i)).hex()
            node.new_head()
            number = MAINNET_BLOCK + i
            h = node.hash_of(number)
            assert wf(lambda: paged_at(h), 20), n.log()[-3000:]
            got = wf(lambda: body_at(1, number), 10)
            assert got, n.log()[-3000:]
            assert len(got["evm_associations"]) == 1 + i
            assert body_at(2, number) is not None
            calls = sorted(nu for nu, at in node.subnet_state if at == h)
            assert calls == ["0x0100", "0x0200"], calls   # the round's own only
    finally:
        node.stop()

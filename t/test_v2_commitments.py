"""Commitment shapes of Pylon v2 (pylon-v2.md §3.3.8) over HTTP, with the recorded mainnet subnet.

The scripted node (test_data_fakenode.DataNode) also serves three Commitments.CommitmentOf
entries: a timelocked one and a Raw one of registered hotkeys, and a Raw one of a hotkey that is
not registered (Alice).  v1 lists hex data of registered hotkeys only and answers a timelocked
single commitment 404 with an empty detail; _unstable lists both kinds with "kind" (and
"reveal_round") and nests its single commitment as {"commitment", "block"}.
"""
import time

import pytest

from harness import wait_for
import test_data_fakenode as df
import test_data_common as dc

pytestmark = df.pytestmark

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c855885" "4ccde39a5684e7a56da27d")
ALICE_SS58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def ss58_pub(addr):
    n = 0
    for ch in addr:
        n = n * 58 + ALPHABET.index(ch)
    raw = n.to_bytes(35, "big")        # prefix 42: 1 byte, 32 key bytes, 2 checksum bytes
    return raw[1:33]


def registration(block, field):
    # deposit u64, block u32, info.fields: Vec<Data> with one field (spec 343)
    return "0x" + "00" * 8 + block.to_bytes(4, "little").hex() + "04" + field


class CommitNode(df.DataNode):
    entries = []                          # (account bytes, value hex)

    def answer(self, method, params):
        prefix = dc.COMMITMENT_OF + "0100"
        if method == "state_getKeysPaged" and params[0] == prefix:
            self.check(params[3])
            return [prefix + "00" * 8 + acc.hex() for acc, _ in self.entries]
        if method == "state_queryStorageAt" and params[0] and params[0][0].startswith(prefix):
            self.check(params[1])
            vals = {prefix + "00" * 8 + acc.hex(): v for acc, v in self.entries}
            return [{"block": params[1], "changes": [[k, vals.get(k)] for k in params[0]]}]
        return super().answer(method, params)


@pytest.fixture
def served_node(nginx_factory):
    node = CommitNode(df.MAINNET_BLOCK)
    node.hashes[df.MAINNET_BLOCK] = df.recorded()["hash"]
    node.start()
    try:
        n = nginx_factory(df.conf(node, "pylon_archive_network %s;" % node.url))
        r = wait_for(lambda: df.served(n, dc.routes(1)["neurons"]), 20)
        assert r, n.log()[-3000:]
        hotkeys = list(r.json()["neurons"])
        yield node, n, hotkeys
    finally:
        node.stop()


def test_commitment_shapes_v1_and_unstable(served_node):
    node, n, hotkeys = served_node
    tle_hk, hex_hk = hotkeys[0], hotkeys[1]
    node.entries = [
        (ss58_pub(tle_hk), registration(702, "86" + "0c" + "aabbcc" + (321).to_bytes(8, "little").hex())),
        (ss58_pub(hex_hk), registration(950, "05" + "aabbccdd")),
        (ALICE, registration(289, "05" + "00010203")),
    ]
    node.new_head()
    head = node.head

    def fresh():
        r = n.request("/api/_unstable/openaccess/subnet/1/block/latest/commitments")
        return r if r.status == 200 and r.json()["block"]["number"] == head else None

    r = wait_for(fresh, 20)
    assert r, n.log()[-3000:]
    block = r.json()["block"]
    tle = {"kind": "timelock_encrypted", "commitment_block_number": 702, "hotkey": tle_hk,
           "commitment": "0xaabbcc", "reveal_round": 321}
    hexd = {"kind": "hex_data", "commitment_block_number": 950, "hotkey": hex_hk,
            "commitment": "0xaabbccdd"}
    assert r.json() == {"block": block, "commitments": {tle_hk: tle, hex_hk: hexd}}
    assert list(r.json()["commitments"][tle_hk]) == ["kind", "commitment_block_number", "hotkey",
                                                    "commitment", "reveal_round"]
    old = n.request("/api/_unstable/subnet/1/block/latest/commitments")
    assert old.status == 200 and old.body == r.body, "the older _unstable layout too"

    v1 = n.request("/api/v1/subnet/1/block/latest/commitments")
    assert v1.json() == {"block": block, "commitments": {hex_hk: "0xaabbccdd"}}, \
        "v1: hex data of registered hotkeys only"

    one = n.request("/api/v1/subnet/1/block/latest/commitments/" + tle_hk)
    assert one.status == 404 and one.body == b'{"status_code":404,"detail":""}'
    one = n.request("/api/v1/subnet/1/block/latest/commitments/" + hex_hk)
    assert one.status == 200
    assert list(one.json()) == ["commitment_block_number", "hotkey", "commitment", "block"]
    assert one.json()["commitment"] == "0xaabbccdd"

    for api in ("/api/_unstable/openaccess", "/api/_unstable"):
        one = n.request(api + "/subnet/1/block/latest/commitments/" + tle_hk)
        assert one.status == 200 and one.json() == {"commitment": tle, "block": block}
        assert list(one.json()) == ["commitment", "block"]
    # an unregistered hotkey's commitment is left out of the lists, still there one by one
    one = n.request("/api/v1/subnet/1/block/latest/commitments/" + ALICE_SS58)
    assert one.status == 200 and one.json()["commitment_block_number"] == 289
    assert ALICE_SS58 not in hotkeys
    missing = n.request("/api/_unstable/openaccess/subnet/1/block/latest/commitments/5Nobody")
    assert missing.status == 404 and missing.json()["detail"] == "Commitment not found."


def test_recent_neurons_age_in_blocks_of_pylon_block_duration(nginx_factory):
    """pylon-v2.md §3.3.9: staleness counts PYLON_BLOCK_DURATION_SECONDS blocks, not 12 s."""
    node = df.DataNode(df.MAINNET_BLOCK)
    node.hashes[df.MAINNET_BLOCK] = df.recorded()["hash"]
    node.start()
    try:
        n = nginx_factory(df.conf(node, "pylon_archive_network %s; pylon_block_duration 500ms; "
                                        "pylon_recent_neurons soft=0 hard=4 lead=0;" % node.url))
        recent = "/api/v1/subnet/1/block/recent/neurons"
        assert wait_for(lambda: df.served(n, recent), 20), n.log()[-3000:]
        t0 = time.time()
        r = wait_for(lambda: (lambda x: x if x.status == 503 else None)(n.request(recent)), 10)
        assert r and r.json()["detail"] == "Recent neurons data is stale. Cache update may be failing."
        assert time.time() - t0 < 10, "4 blocks of 500 ms, not of 12 s"
    finally:
        node.stop()

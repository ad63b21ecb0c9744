"""Pylon v2 data and writes (issue 13, spec/pylon-v2.md §3.3.2-3.3.7, §5.3, §6).

* Offline: our revealed-commitment ciphertext (build/pylon-tle revealed) opens with the arkworks
  `tle` wasm at its round (drand round-1000 signature) into the SCALE String of the text; the
  reveal-round formula of bittensor-drand; the v2 extrinsics (commit_timelocked_mechanism_weights,
  Commitments.set_commitment with TimelockEncrypted) decode with polkadot-js against spec 343.
* Fake node serving the recorded spec-343 metadata (t/test_data_fakenode.py's DataNode), with
  Drand.LastStoredRound, SwapRuntimeApi.current_alpha_price and Commitments.RevealedCommitments
  answered from bytes built here (the runtime-API bytes are decoded back by polkadot-js): the
  drand round (public), prices (all-subnets: 501, the runtime lacks the API), revealed
  commitments (list, by hotkey, self, 404), mechanism weights PUT and weights/status.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile

import pytest

from harness import ROOT, wait_for
import test_data_fakenode as fd

SHARED = fd.SHARED
META = fd.META343
TLE = os.path.join(ROOT, "build", "pylon-tle")
XT = os.path.join(ROOT, "build", "pylon-xt")
DECODE = os.path.join(ROOT, "build", "pylon-decode")
ORACLE = os.path.join(ROOT, "t", "oracle")
WALLETS = os.path.join(SHARED, "fixtures", "wallet")
HOTKEY = json.load(open(os.path.join(WALLETS, "pylon", "hotkeys", "pylon")))["ss58Address"] \
    if os.path.exists(os.path.join(WALLETS, "pylon", "hotkeys", "pylon")) else None
ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
DRAND_KEY = "0xa285cdb66e8b8524ea70b1693c7b1e05087f3dd6e0ceded0e388dd34f810a73d"
GENESIS = 1692803367

need_node = pytest.mark.skipif(
    shutil.which("node") is None
    or not os.path.isdir(os.path.join(ROOT, "t", "js", "node_modules", "@polkadot", "types")),
    reason="node or t/js/node_modules missing: make deps")
pytestmark = pytest.mark.skipif(HOTKEY is None or not os.path.exists(META),
                                reason="fixtures not found (set PYLON_SHARED)")


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def compact(n):
    if n < 64:
        return bytes([n << 2])
    if n < 1 << 14:
        return struct.pack("<H", (n << 2) | 1)
    return struct.pack("<I", (n << 2) | 2)


def scale_str(text):
    b = text.encode()
    return compact(len(b)) + b


# -- offline ------------------------------------------------------------------------------------

@need_node
@pytest.mark.parametrize("text", ["", "hello", "ünïcødé ✓ " * 8, "x" * 70, "y" * 20000])
def test_v2_revealed_ciphertext_opens_at_its_round(text):
    pulse = json.load(open(os.path.join(SHARED, "fixtures", "drand-quicknet.json")))["pulses"][0]
    ct = run(TLE, "revealed", pulse["round"], text)
    p = subprocess.run(["node", os.path.join(ORACLE, "tle_timelock.mjs"), "tld", ct,
                        pulse["signature"]], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert bytes.fromhex(p.stdout.strip()) == scale_str(text)   # 1, 2 and 4 byte lengths


def test_v2_reveal_round_formula():
    for now, blocks, bt in ((1_760_000_000, 100, 12.0), (1_760_000_001, 0, 12.0),
                            (1_760_000_002, 7, 0.25), (1_760_000_000, 3, 2.5),
                            (1_760_000_000, -5, 12.0)):
        want = ((now - GENESIS) + round(blocks * bt)) // 3
        assert int(run(TLE, "revealed-round", now, blocks, bt)) == want
    assert int(run(TLE, "revealed-round", GENESIS, -100, 12)) == 1


@need_node
def test_v2_extrinsics_decode_with_polkadot():
    import test_xt_offline as xo
    ct = "0x" + run(TLE, "revealed", 12345, "a revealed text")
    cases = [
        ("SubtensorModule", "commit_timelocked_mechanism_weights",
         {"netuid": 7, "mecid": 2, "commit": "0x" + "ab" * 300, "reveal_round": 123456,
          "commit_reveal_version": 4}, "commitTimelockedMechanismWeights"),
        ("SubtensorModule", "set_mechanism_weights",
         {"netuid": 7, "mecid": 1, "dests": [0, 3], "weights": [65535, 1],
          "version_key": 9003000}, "setMechanismWeights"),
        ("Commitments", "set_commitment",
         {"netuid": 7, "info": {"fields": [{"TimelockEncrypted": {"encrypted": ct,
                                                                "reveal_round": 12345}}]}},
         "setCommitment"),
    ]
    for pallet, call, args, method in cases:
        x = xo.sign("//Alice", pallet, call, args)
        o = xo.oracle(x)
        assert o["valid"] and o["method"] == method, o
        got = o["args"]
        if call == "set_commitment":
            field = got["info"]["fields"][0]
            assert field == {"timelockEncrypted": {"encrypted": ct, "revealRound": 12345}}, got
        else:
            assert got == args, got


# -- fake node ----------------------------------------------------------------------------------

def storage_key(item, keys):
    return run(DECODE, "--key", META, item, json.dumps(keys))


class V2Node(fd.DataNode):
    """DataNode with a drand round, alpha prices and revealed commitments of subnet 1."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.round = 4_200_000
        self.prices = {1: 12_345_678, 2: 2_500_000}
        self.revealed = {}             # full key -> value hex
        self.price_fail = set()        # netuids whose price call fails
        self.prefix = storage_key("Commitments.RevealedCommitments", [1])

    def reveal(self, hotkey, items):
        value = compact(len(items))
        for text, block in items:
            inner = scale_str(text)
            value += compact(len(inner)) + inner + struct.pack("<Q", block)
        self.revealed[storage_key("Commitments.RevealedCommitments", [1, hotkey])] = \
            "0x" + value.hex()

    def answer(self, method, params):
        if method == "state_getStorage" and params[0] == DRAND_KEY:
            n = self.check(params[1])
            return "0x" + struct.pack("<Q", self.round + n).hex()
        if method == "state_call" and params[0] == "SwapRuntimeApi_current_alpha_price":
            self.check(params[2])
            netuid = struct.unpack("<H", bytes.fromhex(params[1][2:]))[0]
            if netuid in self.price_fail:
                raise LookupError("no such method")
            return "0x" + struct.pack("<Q", self.prices.get(netuid, 1_000_000_000)).hex()
        if method == "state_getKeysPaged" and params[0] == self.prefix:
            self.check(params[-1])
            start = params[2] if len(params) == 4 else None
            keys = sorted(self.revealed)
            return [k for k in keys if start is None or k > start][:params[1]]
        if (method == "state_queryStorageAt" and isinstance(params[0], list) and params[0]
                and isinstance(params[0][0], str) and params[0][0] in self.revealed):
            return [{"block": params[1],
                     "changes": [[k, self.revealed.get(k)] for k in params[0]]}]
        return super().answer(method, params)


@pytest.fixture
def v2_node():
    nodes = []

    def make(head):
        n = V2Node(head)
        n.start()
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.stop()


def conf(node, extra=""):
    return fd.pylon_conf(node.url, extra_http=(
        "pylon_netuids 1; pylon_wallet_path %s; "
        "pylon_identity sn1 wallet=pylon hotkey=pylon netuid=1 token=s3cret; %s" % (WALLETS, extra)))


ID = {"Authorization": "Bearer s3cret"}
UG = "/api/_unstable/openaccess"
UOA = "/api/_unstable/openaccess/subnet/1"
UID = "/api/_unstable/identity/sn1/subnet/1"


def ok(n, path, headers=None):
    r = n.request(path, headers=headers)
    return r if r.status == 200 else None


@need_node
def test_v2_price_bytes_decode_with_polkadot():
    raw = struct.pack("<Q", 12_345_678).hex()
    with tempfile.NamedTemporaryFile("w", suffix=".hex") as f:
        f.write(raw)
        f.flush()
        o = run("node", os.path.join(ORACLE, "codec_decode.mjs"), META,
                "SwapRuntimeApi_current_alpha_price", f.name)
        ours = run(DECODE, META, "SwapRuntimeApi_current_alpha_price", "0x" + raw)
    assert json.loads(o) == json.loads(ours) == 12_345_678


def test_v2_reads_from_the_fake_node(nginx_factory, v2_node):
    node = v2_node(1000)
    node.reveal(HOTKEY, [("first secret", 990), ("ünïcødé ✓", 995)])
    node.reveal(ALICE, [("alice", 999)])
    n = nginx_factory(conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: ok(n, UOA + "/block/latest/price"), 20), n.log()[-3000:]

    # drand: public (no header), the head's value
    r = wait_for(lambda: ok(n, UG + "/block/latest/drand/last_stored_round"), 10)
    assert r and r.json()["last_stored_round"] >= node.round + 1000, r and r.body

    # one subnet's price: {"value": rao} in Pylon's field order
    r = n.request(UOA + "/block/latest/price")
    body = json.loads(r.body, object_pairs_hook=list)
    assert [k for k, _ in body] == ["block", "netuid", "price"]
    assert r.json()["netuid"] == 1 and r.json()["price"] == {"value": 12_345_678}
    assert r.json()["block"]["number"] >= 1000
    r = n.request(UID + "/block/latest/price", headers=ID)
    assert r.status == 200 and r.json()["price"] == {"value": 12_345_678}

    # an untracked subnet and a historical block: fetched on a miss
    r = n.request("/api/_unstable/openaccess/subnet/2/block/latest/price", timeout=30)
    assert r.status == 200 and r.json()["price"] == {"value": 2_500_000}, r.body
    r = n.request(UOA + "/block/900/price", timeout=30)
    assert r.status == 200, r.body
    assert r.json()["block"] == {"number": 900, "hash": fd.block_hash(900)}
    assert n.request(UOA + "/block/99999/price").json() == {
        "status_code": 404, "detail": "Block 99999 not found."}

    # all subnets: spec 343 does not export current_alpha_price_all -> 501
    for path in (UG + "/block/latest/prices", UG + "/block/950/prices"):
        r = n.request(path, timeout=30)
        assert r.status == 501, r.body
        assert r.json()["detail"].startswith(
            "The runtime API required for 'get_alpha_prices' is not available at block ")

    # revealed commitments: list (every hotkey), by hotkey, self, 404
    r = wait_for(lambda: ok(n, UOA + "/block/latest/commitments/revealed"), 10)
    assert r, n.log()[-2000:]
    got = r.json()
    assert list(got) == ["block", "commitments"]
    assert got["commitments"][HOTKEY] == [
        {"reveal_block_number": 990, "hotkey": HOTKEY, "commitment": "first secret"},
        {"reveal_block_number": 995, "hotkey": HOTKEY, "commitment": "ünïcødé ✓"}]
    assert got["commitments"][ALICE] == [
        {"reveal_block_number": 999, "hotkey": ALICE, "commitment": "alice"}]
    one = n.request(UOA + "/block/latest/commitments/revealed/" + ALICE).json()
    assert list(one) == ["commitments", "block"] and one["commitments"][0]["commitment"] == "alice"
    me = n.request(UID + "/block/latest/commitments/revealed/self", headers=ID)
    assert me.status == 200 and len(me.json()["commitments"]) == 2
    r = n.request(UOA + "/block/latest/commitments/revealed/5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM")
    assert r.status == 404 and r.json()["detail"] == "Revealed commitments not found."
    # UOA has no "self": a hotkey named self
    assert n.request(UOA + "/block/latest/commitments/revealed/self").status == 404

    # a new reveal shows at the next head
    node.reveal(ALICE, [("alice", 999), ("again", 1001)])
    node.new_head()
    assert wait_for(lambda: len((ok(n, UOA + "/block/latest/commitments/revealed/" + ALICE)
                                 or n.request("/x")).json().get("commitments", [])) == 2, 10)

    # identity routes need the identity's token
    assert n.request(UID + "/block/latest/price").status == 401

    # a call the node fails: 502 "<op> failed on <uri>: <error>"
    node.price_fail.add(3)
    r = n.request("/api/_unstable/openaccess/subnet/3/block/latest/price", timeout=30)
    assert r.status == 502, r.body
    assert r.json()["detail"] == "get_alpha_price failed on %s: -32601: Method not found" \
        % node.url, r.body


def test_v2_drand_is_public_and_prices_are_open_access(nginx_factory, v2_node):
    node = v2_node(700)
    n = nginx_factory(conf(node, "pylon_open_access_token oat; pylon_metrics_token mt;"))
    assert wait_for(lambda: ok(n, UOA + "/block/latest/price", {"Authorization": "Bearer oat"}),
                    20), n.log()[-3000:]
    r = wait_for(lambda: ok(n, UG + "/block/latest/drand/last_stored_round"), 10)
    assert r and list(r.json()) == ["last_stored_round"]           # no header needed
    for path in (UOA + "/block/latest/price", UG + "/block/latest/prices",
                 UOA + "/block/latest/commitments/revealed"):
        assert n.request(path).status == 401, path
        assert n.request(path, headers={"Authorization": "Bearer oat"}).status in (200, 501)

    # §9: the v2 reads are Bittensor operations of their own
    def metrics():
        return n.request("/metrics", headers={"Authorization": "Bearer mt"}).body.decode()
    for op in ("get_alpha_price", "get_drand_last_stored_round", "get_all_revealed_commitments"):
        assert wait_for(lambda: 'operation="%s"' % op in metrics(), 10), (op, metrics()[-3000:])
    assert "pylon_set_revealed_commitment_job_duration_seconds" in metrics()


def test_v2_mechanism_weights_and_status(nginx_factory, v2_node):
    node = v2_node(2000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: ok(n, UOA + "/block/latest/price"), 20), n.log()[-3000:]
    head = ok(n, "/api/v1/block/latest").json()["number"]

    def status(mech, block):
        r = n.request(UID + "/mechanism/%d/block/%d/weights/status" % (mech, block), headers=ID)
        assert r.status == 200, r.body
        return r.json()["weights_submitted"]

    assert status(1, head) is False
    body = json.dumps({"weights": {HOTKEY: 0.5, ALICE: 1.0}}).encode()
    r = n.request(UID + "/mechanism/1/weights", method="PUT", body=body,
                  headers=dict(ID, **{"Content-Type": "application/json"}))
    assert r.status == 200 and r.json() == {"detail": "weights update scheduled", "count": 2}
    assert status(1, head) is True                 # running, accepted this epoch
    assert status(0, head) is False                # another mechanism
    assert status(1, 100) is False                 # another epoch
    assert n.request(UID + "/mechanism/1/block/%d/weights/status" % (head + 100000),
                     headers=ID).status == 404
    # bad bodies: Pylon's 400 after auth
    r = n.request(UID + "/mechanism/1/weights", method="PUT", body=b'{"weights": 1}',
                  headers=ID)
    assert r.status == 400
    assert n.request(UID + "/mechanism/1/weights", method="PUT", body=body).status == 401

    # revealed POST validation (the write itself needs a chain: test_writes)
    def post(payload, headers=ID):
        return n.request(UID + "/commitments/revealed", method="POST",
                         body=json.dumps(payload).encode(), headers=headers)

    r = post({"commitment": 5, "blocks_until_reveal": 3})
    assert r.status == 400 and r.json()["extra"][0] == {
        "message": "Input should be a valid string", "key": "commitment"}
    r = post({"commitment": "x", "blocks_until_reveal": "soon"})
    assert r.status == 400 and r.json()["extra"][0]["key"] == "blocks_until_reveal"
    assert post({"commitment": "x", "blocks_until_reveal": 3}, headers={}).status == 401


# -- settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("line, good", [
    ("pylon_block_duration 12s;", True), ("pylon_block_duration 250ms;", True),
    ("pylon_block_duration 0;", False), ("pylon_block_duration soon;", False),
    ("pylon_weights_window offset=180 buffer=10 cycle=3;", True),
    ("pylon_weights_window cycle=1;", True),
    ("pylon_weights_window cycle=0;", False), ("pylon_weights_window color=red;", False),
    ("pylon_weights_window offset=x;", False),
    ("pylon_weights_window cycle=2; pylon_weights_window cycle=3;", False),
])
def test_v2_settings_checked_by_nginx_t(line, good):
    from harness import Nginx
    n = Nginx("pylon_cache @PREFIX@/data/c; %s server { listen 127.0.0.1:@PORT@; "
              "location / { pylon_subnet on; } }" % line)
    try:
        r = n.test_config()
    finally:
        n.cleanup()
    assert (r.returncode == 0) == good, r.stderr
    if not good:
        directive = line.split()[0]
        assert directive in r.stderr and "nginx.conf:" in r.stderr, r.stderr

"""Our signed extrinsics against the real subtensor runtime (chopsticks, raonet genesis, spec 218).

Every extrinsic here is built and signed by build/pylon-xt (src/chain/extrinsic.c) from the
metadata the chain serves, submitted over JSON-RPC, and its outcome read by pylon-xt from the
block's System.Events (src/chain/outcome.c).  polkadot-js (t/oracle/xt_polkadot.mjs) reads the
same extrinsics independently: it must decode the same call and arguments, rebuild the same
signing payload and accept our signature.  The subnet for set_weights is set up with our own
extrinsics too (funding batch, sudo calls, register_network, burned_register, add_stake), and
the module errors of a bad uid (UidVecContainInvalidOne) and an early reveal (RevealTooEarly)
are read by name.
"""
import asyncio
import hashlib
import json
import os
import shutil
import subprocess

import pytest
import websockets

from harness import ROOT

XT = os.path.join(ROOT, "build", "pylon-xt")
DECODE = os.path.join(ROOT, "build", "pylon-decode")
ORACLE = os.path.join(ROOT, "t", "oracle", "xt_polkadot.mjs")
TAO = 10 ** 9


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(json.dumps(error))
        self.error = error


async def _call(url, method, params):
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if msg.get("id") == 1:
                if "error" in msg:
                    raise RpcError(msg["error"])
                return msg["result"]


def run(*args, check=True):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("%s failed: %s" % (args[:2], r.stderr))
    return r


class Xt:
    """The chain plus what signing needs: metadata file, genesis, runtime version."""

    def __init__(self, chain, tmpdir):
        self.chain = chain
        if chain.head() == 0:
            chain.new_block()  # mortal eras need a real block #1 (chain/README, gotcha 2)
        self.meta = os.path.join(tmpdir, "metadata.hex")
        with open(self.meta, "w") as f:
            f.write(chain.rpc("state_getMetadata"))
        rv = chain.rpc("state_getRuntimeVersion")
        self.spec = rv["specVersion"]
        self.txver = rv["transactionVersion"]
        self.genesis = chain.block_hash(0)

    def rpc(self, method, params=None):
        return asyncio.run(_call(self.chain.url, method, params or []))

    def address(self, key):
        out = run(os.path.join(ROOT, "build", "pylon-key"), "inspect", key).stdout
        return out.split("SS58 Address:")[1].split()[0]

    def sign(self, key, pallet, call, args, period=64, nonce=None, block=None, tip=0):
        if block is None:
            block = self.chain.head()
        if nonce is None:
            nonce = self.rpc("system_accountNextIndex", [self.address(key)])
        era = json.loads(run(XT, "era", period, block).stdout)
        birth = self.chain.block_hash(era["birth"]) if period else self.genesis
        out = run(XT, "sign", "--nonce", nonce, "--tip", tip, "--spec", self.spec,
                  "--txver", self.txver, "--genesis", self.genesis, "--period", period,
                  "--block", block, "--birth", birth, self.meta, key, pallet, call,
                  json.dumps(args)).stdout
        x = json.loads(out)
        x["birth"] = birth
        return x

    def submit(self, x):
        h = self.rpc("author_submitExtrinsic", [x["extrinsic"]])
        assert h == x["hash"], "the node's extrinsic hash equals ours"
        return h

    def block_outcomes(self, hashes, block=None):
        """Outcomes of our extrinsics in the block (default: the head), found by hash."""
        bh = self.chain.block_hash(block if block is not None else self.chain.head())
        exts = self.rpc("chain_getBlock", [bh])["block"]["extrinsics"]
        index = {hashlib.blake2b(bytes.fromhex(e[2:]), digest_size=32).hexdigest(): i
                 for i, e in enumerate(exts)}
        key = run(DECODE, "--key", self.meta, "System.Events", "[]").stdout.strip()
        events = self.rpc("state_getStorage", [key, bh])
        res = []
        for h in hashes:
            i = index.get(h[2:])
            assert i is not None, "extrinsic %s is in block %s" % (h, bh)
            res.append(json.loads(run(XT, "outcome", self.meta, events, i).stdout))
        return res

    def execute(self, *xs):
        """Submit, build one block, return the outcomes."""
        hs = [self.submit(x) for x in xs]
        self.chain.new_block()
        return self.block_outcomes(hs)


def names(outcome):
    return [e["event"] for e in outcome["events"]]


def invalid_text(error):
    return run(XT, "invalid", json.dumps(error)).stdout.strip()


@pytest.fixture(scope="module")
def xt(chain, tmp_path_factory):
    if not os.path.exists(XT):
        pytest.skip("build/pylon-xt missing: make tools")
    return Xt(chain, str(tmp_path_factory.mktemp("xt")))


need_node = pytest.mark.skipif(
    shutil.which("node") is None
    or not os.path.isdir(os.path.join(ROOT, "t", "js", "node_modules", "@polkadot", "types")),
    reason="node or t/js/node_modules (@polkadot/types) missing: make deps")


def oracle(xt, x, spec=None):
    r = run("node", ORACLE, "check", xt.meta, x["extrinsic"], xt.genesis, x["birth"],
            spec or xt.spec, xt.txver)
    return json.loads(r.stdout)


def test_xt_remark_is_included_and_succeeds(xt):
    x = xt.sign("//Alice", "System", "remark", {"remark": "0x" + b"pylon".hex()})
    [o] = xt.execute(x)
    assert o["found"] and o["success"], o
    assert names(o)[-1] == "System.ExtrinsicSuccess"
    assert o["error"] is None


@need_node
def test_xt_polkadot_reads_our_extrinsic_and_accepts_the_signature(xt):
    x = xt.sign("//Bob", "SubtensorModule", "set_weights",
                {"netuid": 3, "dests": [0, 1, 5], "weights": [65535, 32768, 1],
                 "version_key": 7}, nonce=17, tip=5)
    o = oracle(xt, x)
    assert o["valid"], o
    assert o["payload"] == x["payload"]
    assert (o["section"], o["method"]) == ("subtensorModule", "setWeights")
    assert o["args"] == {"netuid": 3, "dests": [0, 1, 5], "weights": [65535, 32768, 1],
                         "version_key": 7}
    assert o["nonce"] == 17 and o["tip"] == "5" and o["hash"] == x["hash"]
    assert o["signer"] == x["signer"]
    assert o["length"] == len(x["extrinsic"]) // 2 - 1
    # a wrong spec version gives another payload: the signature must not verify
    assert not oracle(xt, x, spec=xt.spec + 1)["valid"]


@need_node
def test_xt_long_payload_is_signed_as_its_hash_and_accepted(xt):
    """Payloads over 256 bytes are signed as their BLAKE2b-256 (both sides must agree)."""
    x = xt.sign("//Alice", "System", "remark", {"remark": "0x" + "ab" * 400})
    assert len(x["payload"]) // 2 - 1 > 256
    o = oracle(xt, x)
    assert o["valid"] and o["payload"] == x["payload"]
    [r] = xt.execute(x)
    assert r["success"], r


def test_xt_flipped_signature_byte_is_bad_proof(xt):
    x = xt.sign("//Alice", "System", "remark", {"remark": "0x01"})
    raw = bytearray.fromhex(x["extrinsic"][2:])
    # compact(len) (2 bytes at this size), 0x84, 0x00 ++ key, 0x01 ++ signature
    sig_at = 2 + 1 + 1 + 32 + 1
    assert raw[2] == 0x84 and raw[sig_at - 1] == 0x01
    raw[sig_at + 10] ^= 0x01
    with pytest.raises(RpcError) as e:
        xt.rpc("author_submitExtrinsic", ["0x" + raw.hex()])
    assert e.value.error["code"] == 1010
    text = invalid_text(e.value.error)
    assert "badProof" in text or "bad signature" in text, text
    # the unflipped one is fine
    [o] = xt.execute(x)
    assert o["success"]


def test_xt_expired_era_is_rejected(xt):
    start = xt.chain.head()
    old = xt.sign("//Alice", "System", "remark", {"remark": "0x02"}, period=4, block=start)
    xt.chain.new_block(8)
    with pytest.raises(RpcError) as e:
        xt.rpc("author_submitExtrinsic", [old["extrinsic"]])
    assert e.value.error["code"] == 1010, e.value.error
    text = invalid_text(e.value.error)
    assert any(w in text for w in ("badProof", "bad signature", "ancientBirthBlock", "stale",
                                   "outdated")), text
    # the same call signed now with the same short era is accepted
    fresh = xt.sign("//Alice", "System", "remark", {"remark": "0x02"}, period=4)
    [o] = xt.execute(fresh)
    assert o["success"]


def test_xt_immortal_era_is_accepted(xt):
    x = xt.sign("//Alice", "System", "remark", {"remark": "0x03"}, period=0)
    [o] = xt.execute(x)
    assert o["success"]


def test_xt_failing_calls_name_the_module_error(xt):
    bob_sudo = xt.sign("//Bob", "Sudo", "sudo",
                       {"call": {"System": {"remark": {"remark": "0x00"}}}})
    no_subnet = xt.sign("//Alice", "SubtensorModule", "set_weights",
                        {"netuid": 999, "dests": [0], "weights": [1], "version_key": 0})
    a, b = xt.execute(bob_sudo, no_subnet)
    assert a["found"] and not a["success"] and not a["sudo"]
    assert a["error"] == "Sudo.RequireSudo", a
    assert "Sudo account" in a["docs"]
    assert "System.ExtrinsicFailed" in names(a)
    assert not b["success"] and b["error"] == "SubtensorModule.SubNetworkDoesNotExist", b


def test_xt_sudo_inner_error_is_a_failure(xt):
    x = xt.sign("//Alice", "Sudo", "sudo", {"call": {"SubtensorModule": {"set_weights": {
        "netuid": 999, "dests": [0], "weights": [1], "version_key": 0}}}})
    [o] = xt.execute(x)
    assert names(o)[-1] == "System.ExtrinsicSuccess"   # the extrinsic itself worked
    assert o["found"] and not o["success"] and o["sudo"]
    assert o["error"] == "BadOrigin"


def test_xt_wallet_hotkey_file_signs(xt):
    shared = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
    wallet = os.path.join(shared, "fixtures", "wallet", "pylon", "hotkeys", "pylon")
    if not os.path.exists(wallet):
        pytest.skip("the test wallet needs ../shared/fixtures/wallet")
    who = xt.address(wallet)
    fund = xt.sign("//Alice", "Balances", "transfer_keep_alive", {"dest": {"Id": who},
                                                                   "value": 10 * TAO})
    [o] = xt.execute(fund)
    assert o["success"], o
    x = xt.sign(wallet, "System", "remark", {"remark": "0x" + b"from the wallet".hex()})
    [o] = xt.execute(x)
    assert o["success"], o


def test_xt_set_weights_on_a_subnet_set_up_by_our_extrinsics(xt):
    v, m1, m2 = "//XtValidator", "//XtMiner1", "//XtMiner2"
    va, a1, a2 = xt.address(v), xt.address(m1), xt.address(m2)

    fund = xt.sign("//Alice", "Utility", "batch_all", {"calls": [
        {"Balances": {"transfer_keep_alive": {"dest": {"Id": a}, "value": 100 * TAO}}}
        for a in (va, a1, a2)]})
    # two submissions of one account in one block: the node counts the pooled one
    n0 = xt.rpc("system_accountNextIndex", [xt.address("//Alice")])
    xt.submit(fund)
    assert xt.rpc("system_accountNextIndex", [xt.address("//Alice")]) == n0 + 1
    rate = xt.sign("//Alice", "Sudo", "sudo", {"call": {"AdminUtils": {
        "sudo_set_network_rate_limit": {"rate_limit": 0}}}})
    xt.submit(rate)
    xt.chain.new_block()
    f, r = xt.block_outcomes([fund["hash"], rate["hash"]])
    assert f["success"] and r["success"], (f, r)

    reg = xt.sign("//Alice", "SubtensorModule", "register_network", {"hotkey": va, "mechid": 1})
    [o] = xt.execute(reg)
    assert o["success"], o
    added = [e for e in o["events"] if e["event"] == "SubtensorModule.NetworkAdded"]
    assert added, names(o)
    netuid = added[0]["data"][0]

    hyper = xt.sign("//Alice", "Sudo", "sudo", {"call": {"Utility": {"batch_all": {"calls": [
        {"AdminUtils": {"sudo_set_max_registrations_per_block": {
            "netuid": netuid, "max_registrations_per_block": 255}}},
        {"AdminUtils": {"sudo_set_target_registrations_per_interval": {
            "netuid": netuid, "target_registrations_per_interval": 255}}},
        {"AdminUtils": {"sudo_set_weights_set_rate_limit": {
            "netuid": netuid, "weights_set_rate_limit": 0}}},
    ]}}}})
    [o] = xt.execute(hyper)
    assert o["success"], o

    # Bob registers both miners in one block: nonces n and n + 1
    r1 = xt.sign("//Bob", "SubtensorModule", "burned_register", {"netuid": netuid, "hotkey": a1})
    xt.submit(r1)
    r2 = xt.sign("//Bob", "SubtensorModule", "burned_register", {"netuid": netuid, "hotkey": a2})
    xt.submit(r2)
    xt.chain.new_block()
    o1, o2 = xt.block_outcomes([r1["hash"], r2["hash"]])
    assert o1["success"] and o2["success"], (o1, o2)

    stake = xt.sign("//Alice", "SubtensorModule", "add_stake",
                    {"hotkey": va, "netuid": netuid, "amount_staked": 1000 * TAO})
    [o] = xt.execute(stake)
    assert o["success"], o
    xt.chain.new_block()

    w = xt.sign(v, "SubtensorModule", "set_weights",
                {"netuid": netuid, "dests": [1, 2], "weights": [65535, 32768],
                 "version_key": 0})
    [o] = xt.execute(w)
    assert o["success"], o
    assert "SubtensorModule.WeightsSet" in names(o)

    # a second set_weights naming a uid that does not exist fails by name
    bad = xt.sign(v, "SubtensorModule", "set_weights",
                  {"netuid": netuid, "dests": [1, 77], "weights": [1, 1], "version_key": 0})
    [o] = xt.execute(bad)
    assert not o["success"] and o["error"] == "SubtensorModule.UidVecContainInvalidOne", o

    # commit-reveal (v2, hash commits): a reveal in the commit's own epoch is RevealTooEarly
    cr = xt.sign("//Alice", "Sudo", "sudo", {"call": {"AdminUtils": {
        "sudo_set_commit_reveal_weights_enabled": {"netuid": netuid, "enabled": True}}}})
    [o] = xt.execute(cr)
    assert o["success"], o
    uids, values, salt, vkey = [1, 2], [100, 200], [7, 8, 9], 0
    pub = bytes.fromhex(json.loads(run(XT, "sign", "--period", 0, xt.meta, v, "System",
                                       "remark", '["0x"]').stdout)["signer"][2:])

    def vec_u16(xs):
        return bytes([len(xs) << 2]) + b"".join(x.to_bytes(2, "little") for x in xs)

    commit = hashlib.blake2b(pub + netuid.to_bytes(2, "little") + vec_u16(uids) + vec_u16(values)
                             + vec_u16(salt) + vkey.to_bytes(8, "little"), digest_size=32)
    c = xt.sign(v, "SubtensorModule", "commit_weights",
                {"netuid": netuid, "commit_hash": "0x" + commit.hexdigest()})
    [o] = xt.execute(c)
    assert o["success"], o
    r = xt.sign(v, "SubtensorModule", "reveal_weights",
                {"netuid": netuid, "uids": uids, "values": values, "salt": salt,
                 "version_key": vkey})
    [o] = xt.execute(r)
    assert not o["success"] and o["error"] == "SubtensorModule.RevealTooEarly", o
    assert o["docs"] == "Attempted to reveal weights too early."

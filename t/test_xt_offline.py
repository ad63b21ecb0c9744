"""build/pylon-xt without a chain: chain.md §6.5 from the CLI, polkadot-js reading our extrinsics
built with the mainnet spec-343 metadata, and clean errors for bad input.

polkadot-js (t/oracle/xt_polkadot.mjs) rebuilds each signing payload on its own from the decoded
extrinsic and verifies our sr25519 signature over it; the cases cross the 256-byte boundary where
the payload is signed as its BLAKE2b-256, and vary nonce, tip and era.
"""
import json
import os
import random
import shutil
import subprocess

import pytest

from harness import ROOT

XT = os.path.join(ROOT, "build", "pylon-xt")
ORACLE = os.path.join(ROOT, "t", "oracle", "xt_polkadot.mjs")
SHARED = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
META = os.path.join(SHARED, "fixtures", "metadata-v15-spec343.txt")
META14 = os.path.join(SHARED, "fixtures", "metadata-v14-spec343.txt")
WALLET = os.path.join(SHARED, "fixtures", "wallet", "pylon", "hotkeys", "pylon")

GENESIS = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
BIRTH = "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"
RNG = "0x" + bytes(range(32)).hex()
SIG = ("84cc4e937bfc4b6d38e7b2ff76ae6daf7e5dc40d3140fe278079b1fc97a08d2a"
       "ff465ef245760c5312e49b7fafd9d627f8e6befaf1d2655a17fcc3faf543de86")
CALL = "07770100000c0000010005000cffff008001000000000000000000"
ALICE = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(XT), reason="build/pylon-xt missing: make tools"),
    pytest.mark.skipif(not os.path.exists(META),
                       reason="needs ../shared/fixtures (set PYLON_SHARED): %s not found" % META),
]

need_node = pytest.mark.skipif(
    shutil.which("node") is None
    or not os.path.isdir(os.path.join(ROOT, "t", "js", "node_modules", "@polkadot", "types")),
    reason="node or t/js/node_modules (@polkadot/types) missing: make deps")


def xt(*args):
    return subprocess.run([XT, *[str(a) for a in args]], capture_output=True, text=True,
                          timeout=60)


def sign(key, pallet, call, args, nonce=5, tip=0, period=4, block=6852690, meta=META, rng=None,
         spec=425):
    opts = ["--nonce", nonce, "--tip", tip, "--spec", spec, "--txver", 1, "--genesis", GENESIS,
            "--period", period, "--block", block, "--birth", BIRTH]
    if rng:
        opts += ["--rng", rng]
    r = xt("sign", *opts, meta, key, pallet, call, json.dumps(args))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def oracle(x, meta=META, spec=425, birth=BIRTH):
    r = subprocess.run(["node", ORACLE, "check", meta, x["extrinsic"], GENESIS, birth, str(spec),
                        "1"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


VECTOR_ARGS = {"netuid": 1, "mecid": 0, "dests": [0, 1, 5], "weights": [65535, 32768, 1],
               "version_key": 0}


def test_xt_cli_reproduces_the_chain_md_vector():
    x = sign("//Alice", "SubtensorModule", "set_mechanism_weights", VECTOR_ARGS, rng=RNG)
    assert x["call"] == "0x" + CALL
    assert x["extrinsic"] == "0x0d028400" + ALICE + "01" + SIG + "2100140000" + CALL
    assert x["hash"] == "0x28fefdc092edaf893042383d471509010f613388e233c87d9f668c740e0f2a89"
    assert len(x["payload"]) // 2 - 1 == 105
    # without --rng the witness is random: another signature, same everything else
    y = sign("//Alice", "SubtensorModule", "set_mechanism_weights", VECTOR_ARGS)
    assert y["payload"] == x["payload"] and y["extrinsic"] != x["extrinsic"]


def test_xt_cli_era_examples():
    for period, block, want in ((4, 100, "0x0100"), (4, 6852690, "0x2100"),
                                (64, 6852690, "0x2501"), (5, 3924, "0x4200"), (0, 5, "0x00")):
        r = xt("era", period, block)
        assert r.returncode == 0 and json.loads(r.stdout)["era"] == want, (period, block, r)


@need_node
def test_xt_polkadot_verifies_the_vector_with_both_metadata_versions():
    x = sign("//Alice", "SubtensorModule", "set_mechanism_weights", VECTOR_ARGS, rng=RNG)
    for meta in (META, META14):
        if not os.path.exists(meta):
            continue
        o = oracle(x, meta=meta)
        assert o["valid"] and o["payload"] == x["payload"], (meta, o)
        assert (o["section"], o["method"]) == ("subtensorModule", "setMechanismWeights")
        assert o["args"] == VECTOR_ARGS
        assert o["hash"] == x["hash"] and o["signer"] == "0x" + ALICE
    assert not oracle(x, birth=GENESIS)["valid"], "another birth hash must not verify"


@need_node
def test_xt_polkadot_accepts_random_extrinsics_across_the_hashing_boundary():
    rnd = random.Random(4)
    for i in range(10):
        n = rnd.choice([0, 1, 150, 200, 230, 240, 250, 300, 1000]) + rnd.randrange(8)
        remark = "0x" + bytes(rnd.randrange(256) for _ in range(n)).hex()
        x = sign(rnd.choice(["//Alice", "//Bob", "//Pylon//%d" % i]), "System", "remark",
                 {"remark": remark}, nonce=rnd.randrange(1 << 32), tip=rnd.randrange(1 << 40),
                 period=rnd.choice([0, 4, 64, 1000, 65536]), block=rnd.randrange(1 << 32))
        o = oracle(x)
        assert o["valid"], (i, n, o)
        assert o["payload"] == x["payload"] and o["args"] == {"remark": remark}
        assert o["hash"] == x["hash"]


@need_node
def test_xt_wallet_hotkey_file_signs_as_its_public_key():
    if not os.path.exists(WALLET):
        pytest.skip("the test wallet needs ../shared/fixtures/wallet")
    pub = json.load(open(WALLET))["publicKey"]
    x = sign(WALLET, "System", "remark", {"remark": "0x00"})
    assert x["signer"] == pub.lower()
    assert oracle(x)["valid"]


def test_xt_cli_refuses_bad_input_cleanly(tmp_path):
    bad_meta = tmp_path / "bad.hex"
    bad_meta.write_text("0x6d657461")
    base = ["--genesis", GENESIS, "--birth", BIRTH]
    cases = [
        ["sign", *base, bad_meta, "//Alice", "System", "remark", '{"remark": "0x00"}'],
        ["sign", *base, tmp_path / "missing", "//Alice", "System", "remark", "[]"],
        ["sign", *base, META, "//Alice", "System", "remark", '{"remark": 7}'],
        ["sign", *base, META, "//Alice", "System", "remark", "not json"],
        ["sign", *base, META, "//Alice", "Nope", "remark", "[]"],
        ["sign", *base, META, "no such words", "System", "remark", '["0x00"]'],
        ["sign", "--genesis", GENESIS, META, "//Alice", "System", "remark", '["0x00"]'],
        ["sign", "--nonce", "-1", *base, META, "//Alice", "System", "remark", '["0x00"]'],
        ["sign", "--genesis", "0x12", META, "//Alice", "System", "remark", '["0x00"]'],
        ["outcome", META, "0x0c00", "0"],
        ["outcome", META, "zz", "0"],
        ["outcome", META, "0x00", "x"],
        ["invalid", "{"],
        ["era", "4"],
        ["nope"],
    ]
    for c in cases:
        r = xt(*c)
        assert r.returncode == 1, (c, r.returncode, r.stderr)
        assert r.stderr.strip(), c


def test_xt_cli_outcome_of_an_empty_event_list():
    r = xt("outcome", META, "0x00", "0")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"found": False, "success": False, "sudo": False,
                                    "error": None, "docs": None, "events": []}


def test_xt_cli_invalid_names_custom_codes():
    r = xt("invalid", json.dumps({"code": 1010, "message": "Invalid Transaction",
                                  "data": "Custom error: 15"}))
    assert r.stdout.strip() == "1010: Invalid Transaction: Custom error: 15 (InvalidRevealRound)"


def polkadot_sign(params, meta=META):
    r = subprocess.run(["node", ORACLE, "sign", meta, json.dumps(params)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@need_node
def test_xt_polkadot_builds_the_same_extrinsic_and_we_verify_its_signature():
    """polkadot-js encodes the call and the extensions itself and signs; apart from the
    signature its extrinsic is byte for byte ours, and pylon-key verifies its signature."""
    import hashlib
    key = os.path.join(ROOT, "build", "pylon-key")
    rnd = random.Random(9)
    cases = [("SubtensorModule", "set_mechanism_weights", VECTOR_ARGS, 5, 0, 4, 6852690)]
    for i in range(5):
        n = [3, 200, 60, 200, 130][i]   # 130 uids and up: payload signed as its hash
        uids = sorted(rnd.sample(range(4096), n))
        args = {"netuid": rnd.randrange(1, 129), "dests": uids,
                "weights": [rnd.randrange(65536) for _ in uids],
                "version_key": rnd.randrange(1 << 40)}
        cases.append(("SubtensorModule", "set_weights", args, rnd.randrange(1 << 20),
                      rnd.randrange(1000), rnd.choice([0, 4, 64, 256]), rnd.randrange(1 << 30)))
    for pallet, call, args, nonce, tip, period, block in cases:
        ours = sign("//Alice", pallet, call, args, nonce=nonce, tip=tip, period=period,
                    block=block)
        theirs = polkadot_sign({"suri": "//Alice", "pallet": pallet, "call": call,
                                "args": list(args.values()), "nonce": nonce, "tip": tip,
                                "period": period, "block": block, "genesis": GENESIS,
                                "birth": BIRTH if period else GENESIS, "spec": 425,
                                "txver": 1})
        assert theirs["payload"] == ours["payload"], (call, period)
        ob, tb = bytes.fromhex(ours["extrinsic"][2:]), bytes.fromhex(theirs["extrinsic"][2:])
        at = ob.index(bytes.fromhex(ALICE)) + 32 + 1     # the signature after 0x01
        assert len(ob) == len(tb) and ob[:at] == tb[:at] and ob[at + 64:] == tb[at + 64:]
        payload = bytes.fromhex(theirs["payload"][2:])
        msg = hashlib.blake2b(payload, digest_size=32).digest() if len(payload) > 256 else payload
        r = subprocess.run([key, "verify", ALICE, tb[at:at + 64].hex(), msg.hex()])
        assert r.returncode == 0, "our verify accepts polkadot-js' signature (%s)" % call
        bad = bytearray(msg)
        bad[0] ^= 1
        r = subprocess.run([key, "verify", ALICE, tb[at:at + 64].hex(), bad.hex()])
        assert r.returncode != 0

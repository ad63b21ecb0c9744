"""The C Solidity ABI codec (src/evm, via build/pylon-abi) against ethers v6.

Thousands of random values of every ABI type (uint/int of every width,
address, bool, bytesN, bytes, string, T[], T[k], tuples, nested dynamic
arrays of tuples) are encoded by ethers (t/oracle/evm_abi_ethers.mjs); our
decoder must give the same values and our encoder the same bytes.  Mutated
encodings must never crash ours, and whatever ours accepts ethers must
decode to the same values (ours is stricter about padding, as eth-abi is).
Random event logs are decoded into Pylon's EvmLog by both.
"""

import json
import os
import random
import shutil
import subprocess

import pytest


ROOT = os.environ.get("PYLON_ROOT",
                      os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ABI = os.path.join(ROOT, "build", "pylon-abi")
ORACLE = os.path.join(ROOT, "t", "oracle", "evm_abi_ethers.mjs")
ETHERS = os.path.join(ROOT, "t", "js", "node_modules", "ethers")

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None or not os.path.isdir(ETHERS),
                       reason="node or t/js/node_modules/ethers missing: make deps"),
    pytest.mark.skipif(not os.access(ABI, os.X_OK),
                       reason="build/pylon-abi not built (make tools)"),
]

N_CASES = 3000


def node(*args, stdin=None):
    r = subprocess.run(["node", ORACLE, *args], input=stdin, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def batch(lines):
    r = subprocess.run([ABI, "batch"], input="".join(l + "\n" for l in lines),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert len(out) == len(lines)
    return out


def jansson_safe(v):
    """Integers beyond int64 as decimal strings (jansson reads int64 only)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if -2**63 <= v < 2**63 else str(v)
    if isinstance(v, list):
        return [jansson_safe(x) for x in v]
    return v


@pytest.fixture(scope="module")
def cases():
    out = node("gen", str(N_CASES), "20261204")
    cs = [json.loads(l) for l in out.splitlines()]
    assert len(cs) == N_CASES
    return cs


def test_random_cases_cover_every_kind(cases):
    text = " ".join(c["types"] for c in cases)
    for needle in ("uint8", "int256", "address", "bool", "bytes1", "bytes32",
                   "bytes,", "string", "[]", "[2]", "(", ")[]"):
        assert needle in text, needle
    assert any("(" in c["types"] and ")[]" in c["types"] and
               ("string" in c["types"] or "bytes," in c["types"]) for c in cases), \
        "no dynamic array of tuples with dynamic members"


def test_decode_matches_ethers(cases):
    out = batch([json.dumps({"types": c["types"], "hex": c["hex"]}) for c in cases])
    bad = [(c["types"], o) for c, o in zip(cases, out) if json.loads(o) != c["values"]]
    assert not bad, f"{len(bad)} of {len(cases)} differ, first: {bad[:3]}"


def test_decode_keeps_big_integers_exact(cases):
    out = batch([json.dumps({"types": c["types"], "hex": c["hex"]}) for c in cases
                 if "uint256" in c["types"]])
    assert any(str(2**256 - 1) in o for o in out), "uint256 max never decoded"
    assert all("e+" not in o and "E+" not in o for o in out)


def test_encode_matches_ethers(cases):
    out = batch([json.dumps({"types": c["types"], "values": jansson_safe(c["values"])})
                 for c in cases])
    bad = [(c["types"], o[:80]) for c, o in zip(cases, out) if o != c["hex"]]
    assert not bad, f"{len(bad)} of {len(cases)} differ, first: {bad[:3]}"


def mutate(rng, hexstr):
    b = bytearray.fromhex(hexstr[2:])
    kind = rng.randrange(5)
    if kind == 0 and b:                           # short data
        b = b[:rng.randrange(len(b))]
    elif kind == 1 and len(b) >= 32:              # lying offset / length
        w = rng.randrange(len(b) // 32)
        b[w * 32:w * 32 + 32] = rng.choice([
            (2**256 - 1).to_bytes(32, "big"), (2**64).to_bytes(32, "big"),
            (len(b) + 32).to_bytes(32, "big"), (0).to_bytes(32, "big"),
            rng.randrange(len(b) + 64).to_bytes(32, "big")])
    elif kind == 2 and b:                         # flipped byte
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 3:                               # trailing garbage
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    elif b:                                       # huge length near the end
        w = max(0, len(b) // 32 - 1 - rng.randrange(3))
        b[w * 32:w * 32 + 32] = (2**255 + rng.randrange(2**16)).to_bytes(32, "big")
    return "0x" + b.hex()


def test_mutated_encodings_never_crash_and_agree(cases):
    rng = random.Random(14)
    muts = [{"types": c["types"], "hex": mutate(rng, c["hex"])} for c in cases]
    ours = batch([json.dumps(m) for m in muts])          # exits 0: no crash
    theirs = node("decode", stdin="".join(json.dumps(m) + "\n" for m in muts))
    theirs = theirs.splitlines()
    accepted = refused = 0
    disagree = []
    for m, o, t in zip(muts, ours, theirs):
        ov = json.loads(o)
        if isinstance(ov, dict) and "error" in ov:
            refused += 1
            continue
        accepted += 1
        if json.loads(t) != ov:
            disagree.append((m["types"], o[:120], t[:120]))
    assert not disagree, f"{len(disagree)} accepted by us but not equal: {disagree[:3]}"
    assert accepted > 100 and refused > 100, (accepted, refused)


def test_event_logs_match_ethers(tmp_path):
    rows = [json.loads(l) for l in node("events", "1500", "14").splitlines()]
    abi = [r["abi"][0] for r in rows]
    logs = [r["log"] for r in rows]
    # a log with no topics and one of an unknown event: both skipped
    logs.append(dict(logs[0], topics=[]))
    logs.append(dict(logs[0], topics=["0x" + "ab" * 32]))
    (tmp_path / "abi.json").write_text(json.dumps(abi))
    (tmp_path / "logs.json").write_text(json.dumps(logs))
    r = subprocess.run([ABI, "logs", "@" + str(tmp_path / "abi.json"),
                        "@" + str(tmp_path / "logs.json")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = json.loads(r.stdout)
    theirs = json.loads(node("logs", str(tmp_path / "abi.json"),
                             str(tmp_path / "logs.json")))
    assert len(theirs) == len(rows)
    assert len(ours) == len(theirs)
    bad = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert not bad, f"{len(bad)} differ, first: {bad[:2]}"
    # indexed strings and bytes stay as their hash
    assert any(isinstance(v, str) and len(v) == 66
               for l in ours for k, v in l["args"].items())


def test_tool_topic_and_checksum():
    r = subprocess.run([ABI, "topic", "Approval(address,address,uint256)"],
                       capture_output=True, text=True)
    assert r.stdout.split() == [
        "Approval(address,address,uint256)",
        "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"]
    r = subprocess.run([ABI, "checksum", "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"],
                       capture_output=True, text=True)
    assert r.stdout.strip() == "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
    r = subprocess.run([ABI, "checksum", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35A"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "checksum" in r.stderr

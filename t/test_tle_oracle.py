"""Timelock encryption and BLS12-381 against independent npm oracles.

* @ideallabs/timelock_wasm_wrapper (the `tle` crate, arkworks, as the
  chain): its `tld` must decrypt ciphertexts from build/pylon-tle with the
  drand round-1000 signature, and pylon-tle must decrypt its `tle` output.
* @noble/curves bls12-381: scalar multiplication, addition, RFC 9380 hash to
  G1 and the pairing (GT bytes in arkworks order) on random inputs.

Skips when node, t/js/node_modules, the tools or ../shared are missing.
"""

import json
import os
import secrets
import shutil
import subprocess

import pytest

ROOT = os.environ.get("PYLON_ROOT",
                      os.path.dirname(os.path.dirname(os.path.abspath(
                          __file__))))
TOOL = os.path.join(ROOT, "build", "pylon-tle")
ORACLE = os.path.join(ROOT, "t", "oracle")
NODE_MODULES = os.path.join(ROOT, "t", "js", "node_modules")
SHARED = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
DRAND_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node missing"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(
        NODE_MODULES, "@ideallabs")), reason="t/js/node_modules missing "
        "(run make deps)"),
    pytest.mark.skipif(not os.access(TOOL, os.X_OK),
                       reason="build/pylon-tle missing (make tools)"),
]


def tool(*args, check=True):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True,
                       timeout=60)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def timelock(*args):
    return subprocess.run(["node", os.path.join(ORACLE, "tle_timelock.mjs"),
                           *args], capture_output=True, text=True,
                          timeout=120)


def noble(cases):
    p = subprocess.run(["node", os.path.join(ORACLE, "tle_noble.mjs")],
                       input=json.dumps(cases), capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def pulses():
    path = os.path.join(SHARED, "fixtures", "drand-quicknet.json")
    if not os.path.exists(path):
        pytest.skip("../shared/fixtures/drand-quicknet.json not found "
                    "(set PYLON_SHARED)")
    with open(path) as f:
        data = json.load(f)
    return data["pulses"][0], data["invalid_pulses"][0]


def payload_sizes():
    # empty, tiny, and a 256-uid CRv4 payload (33 + 2 * (2 + 512) + 8)
    return [0, 1, 14, 100, 1069]


@pytest.mark.parametrize("size", payload_sizes())
def test_tld_decrypts_pylon_ciphertext(pulses, size):
    good, _ = pulses
    msg = secrets.token_bytes(size)
    ct = tool("encrypt", str(good["round"]), msg.hex()).stdout.strip()
    assert len(ct) // 2 == size + 244
    p = timelock("tld", ct, good["signature"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == msg.hex()


@pytest.mark.parametrize("size", [0, 14, 1069])
def test_pylon_decrypts_tle_ciphertext(pulses, size):
    good, _ = pulses
    msg = secrets.token_bytes(size)
    p = timelock("tle", str(good["round"]), msg.hex())
    assert p.returncode == 0, p.stderr
    ct = p.stdout.strip()
    out = tool("decrypt", good["signature"], ct).stdout.strip()
    assert out == msg.hex()


def test_tld_rejects_wrong_round(pulses):
    good, _ = pulses
    ct = tool("encrypt", str(good["round"] + 1), "00ff").stdout.strip()
    assert timelock("tld", ct, good["signature"]).returncode != 0
    assert tool("decrypt", good["signature"], ct, check=False).returncode == 1


def test_verify_beacon(pulses):
    good, bad = pulses
    assert tool("verify-beacon", str(good["round"]),
                good["signature"], check=False).returncode == 0
    assert tool("verify-beacon", str(bad["round"]),
                bad["signature"], check=False).returncode == 1
    assert tool("verify-beacon", str(good["round"] + 1),
                good["signature"], check=False).returncode == 1
    assert tool("verify-beacon", "x", good["signature"],
                check=False).returncode == 2


def rand_scalar():
    return secrets.randbelow(R - 1) + 1


def test_noble_point_ops():
    cases, ours = [], []
    for _ in range(6):
        k = "%064x" % rand_scalar()
        cases.append({"op": "g1-mul", "k": k})
        ours.append(tool("g1-mul", k).stdout.strip())
        cases.append({"op": "g2-mul", "k": k})
        ours.append(tool("g2-mul", k).stdout.strip())
    # edge scalars: 1, r - 1, r (identity), 2^256 - 1 (unreduced)
    for k in ["%064x" % 1, "%064x" % (R - 1), "%064x" % R, "f" * 64]:
        cases.append({"op": "g1-mul", "k": k})
        ours.append(tool("g1-mul", k).stdout.strip())
    for i in range(3):
        a = tool("g1-mul", "%064x" % rand_scalar()).stdout.strip()
        b = tool("g1-mul", "%064x" % rand_scalar()).stdout.strip()
        cases.append({"op": "g1-add", "a": a, "b": b})
        ours.append(tool("g1-add", a, b).stdout.strip())
        c = tool("g2-mul", "%064x" % rand_scalar()).stdout.strip()
        d = tool("g2-mul", "%064x" % rand_scalar()).stdout.strip()
        cases.append({"op": "g2-add", "a": c, "b": d})
        ours.append(tool("g2-add", c, d).stdout.strip())
    # doubling through the complete addition formula
    cases.append({"op": "g1-add", "a": a, "b": a})
    ours.append(tool("g1-add", a, a).stdout.strip())
    assert noble(cases) == ours


def test_noble_hash_to_g1():
    cases, ours = [], []
    for n in [0, 1, 32, 200]:
        msg = secrets.token_bytes(n).hex()
        for dst in [DRAND_DST, "PYLON-TEST-DST"]:
            cases.append({"op": "hash-g1", "msg": msg, "dst": dst})
            ours.append(tool("hash-g1", msg, dst).stdout.strip())
    assert noble(cases) == ours


def test_noble_pairing():
    cases, ours = [], []
    for _ in range(3):
        a = tool("g1-mul", "%064x" % rand_scalar()).stdout.strip()
        b = tool("g2-mul", "%064x" % rand_scalar()).stdout.strip()
        cases.append({"op": "pairing", "a": a, "b": b})
        ours.append(tool("pairing", a, b).stdout.strip())
    got = noble(cases)
    assert len(got[0]) == 1152
    assert got == ours

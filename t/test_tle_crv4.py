"""CRv4 commit pieces against independent references.

* The WeightsTlockPayload bytes from `pylon-tle crv4-payload` equal
  @polkadot/types' SCALE encoding (all compact-length modes).
* `pylon-tle reveal-round` equals bittensor-drand's generate_commit
  arithmetic (written out below from chain.md 11.5) on random inputs.
* End to end: a payload timelocked by pylon-tle is opened by the `tle`
  crate's wasm build with the drand round-1000 signature.
"""

import json
import os
import random
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
GENESIS, PERIOD = 1692803367, 3

needs_tool = pytest.mark.skipif(not os.access(TOOL, os.X_OK),
                                reason="build/pylon-tle missing "
                                "(make tools)")
needs_node = pytest.mark.skipif(
    shutil.which("node") is None
    or not os.path.isdir(os.path.join(NODE_MODULES, "@polkadot")),
    reason="node or t/js/node_modules missing (make deps)")


def tool(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def generate_commit_round(block, netuid, tempo, period, now):
    epoch = (block + netuid + 1) // (tempo + 1)
    first = (epoch + period) * (tempo + 1) - (netuid + 1)
    target = first + 3
    return max(1, (now + (target - block) * 12 - GENESIS) // PERIOD)


@needs_tool
def test_reveal_round_matches_generate_commit():
    rng = random.Random(4)
    for _ in range(200):
        block = rng.randrange(0, 10_000_000)
        netuid = rng.randrange(0, 65536)
        tempo = rng.randrange(0, 65536)
        period = rng.randrange(0, 10)
        now = rng.randrange(GENESIS - 10_000, 1_900_000_000)
        got = tool("reveal-round", str(block), str(netuid), str(tempo),
                   str(period), str(now))
        assert int(got) == generate_commit_round(block, netuid, tempo,
                                                 period, now), \
            (block, netuid, tempo, period, now)


def random_case(rng, n):
    return {
        "hotkey": rng.randbytes(32).hex(),
        "uids": [rng.randrange(65536) for _ in range(n)],
        "values": [rng.randrange(65536) for _ in range(n)],
        "version_key": str(rng.randrange(2 ** 64)),  # exact in JSON
    }


def pylon_payload(c):
    return tool("crv4-payload", c["hotkey"], str(c["version_key"]),
                ",".join(map(str, c["uids"])),
                ",".join(map(str, c["values"])))


@needs_tool
@needs_node
def test_payload_matches_polkadot_types():
    rng = random.Random(11)
    cases = [random_case(rng, n) for n in
             (0, 1, 63, 64, 256, 1024, 16383, 16384)]
    p = subprocess.run(["node", os.path.join(ORACLE, "tle_scale.mjs")],
                       input=json.dumps(cases), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    want = json.loads(p.stdout)
    for c, w in zip(cases, want):
        assert pylon_payload(c) == w, len(c["uids"])


@needs_tool
@needs_node
def test_commit_opens_in_tle_crate():
    path = os.path.join(SHARED, "fixtures", "drand-quicknet.json")
    if not os.path.exists(path):
        pytest.skip("../shared/fixtures/drand-quicknet.json not found")
    with open(path) as f:
        pulse = json.load(f)["pulses"][0]
    case = random_case(random.Random(7), 256)
    payload = pylon_payload(case)
    assert len(payload) // 2 == 1069
    ct = tool("encrypt", str(pulse["round"]), payload)
    p = subprocess.run(["node", os.path.join(ORACLE, "tle_timelock.mjs"),
                        "tld", ct, pulse["signature"]],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == payload

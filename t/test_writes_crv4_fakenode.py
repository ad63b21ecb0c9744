"""CRv4 weights through the fake node with the recorded spec-343 runtime (issue 12).

The node serves the finney recording of subnet 1 (1024 neurons; t/test_data_fakenode.py's
DataNode) with commit-reveal on in its hyperparameters, and a V15 metadata made to list
SubnetInfoRuntimeApi_get_next_epoch_start_block (the recorded spec 343 predates it: its
get_dynamic_info method is renamed, which the helper never calls), answering it with a
chosen block.  It takes signed extrinsics and keeps them.

One PUT of 1024 weights, then:
* the job's epoch and reveal round are computed when the commit is built, from the
  runtime's next epoch start (dynamic tempo: first reveal = next + (period - 1) tempo),
  and written to the job's params before anything is signed (the "built" test hook);
* a helper killed (-9) there is replaced; the new one uses the recorded reveal round, not a
  fresh one: the test rewrites it in the record to 1000 while the helper is paused, so that
  the commit can be opened with drand round 1000's signature;
* the one extrinsic sent decodes with polkadot-js as commit_timelocked_(mechanism_)weights
  with a valid signature and reveal_round 1000, and its commit opens with the `tle` crate's
  wasm build (arkworks) into a payload of 1024 uids with the normalised weights.
"""
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import pytest

from harness import ROOT, Nginx, wait_for
from pylon import pylon_conf
from test_data_fakenode import (DataNode, MAINNET_BLOCK, SHARED, recorded,
                                pytestmark as data_marks)
import test_data_common as dc

ORACLE = os.path.join(ROOT, "t", "oracle")
WALLETS = os.path.join(SHARED, "fixtures", "wallet")
DRAND = os.path.join(SHARED, "fixtures", "drand-quicknet.json")
TOKEN = "c4-token"
NEXT_EPOCH = MAINNET_BLOCK + 40
TEMPO, PERIOD = 100, 2
GENESIS, DRAND_PERIOD = 1692803367, 3

pytestmark = [data_marks,
    pytest.mark.skipif(shutil.which("node") is None
                       or not os.path.isdir(os.path.join(ROOT, "t", "js", "node_modules",
                                                         "@ideallabs")),
                       reason="node or t/js/node_modules missing"),
    pytest.mark.skipif(shutil.which("mdb_dump") is None or shutil.which("mdb_load") is None,
                       reason="lmdb-utils (mdb_dump, mdb_load) not installed"),
    pytest.mark.skipif(not os.path.isdir(WALLETS) or not os.path.exists(DRAND),
                       reason="fixtures wallet / drand-quicknet.json not found"),
]


def compact(n):
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return struct.pack("<H", n << 2 | 1)
    if n < 1 << 30:
        return struct.pack("<I", n << 2 | 2)
    b = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([(len(b) - 4) << 2 | 3]) + b


def hyperparams(tempo, period, cr):
    """Option<SubnetHyperparams> as spec 343 lays it out (chain.md 4.2)."""
    c16 = c64 = compact
    b = b"".join([c16(10), c16(32767), c16(5000), c16(1), c16(65535), c16(tempo),
                  c64(0), c64(1 << 62), c64(0), c64(100), c16(360), c16(5000), b"\x01",
                  c16(1), c64(500000), c64(10 ** 11), c64(900000), c16(1), c64(50),
                  c16(64), c64(0), c64(10 ** 7), c64(period), b"\x01" if cr else b"\x00",
                  c16(58982), c16(45875), b"\x00"])
    return "0x01" + b.hex()


V2_FIELDS = (  # SubnetHyperparamsV2 of spec 343, in order; b: bool, f: 8-byte fixed
    "rho kappa immunity_period min_allowed_weights max_weights_limit tempo "
    "min_difficulty max_difficulty weights_version weights_rate_limit adjustment_interval "
    "activity_cutoff registration_allowed:b target_regs_per_interval min_burn max_burn "
    "bonds_moving_avg max_regs_per_block serving_rate_limit max_validators adjustment_alpha "
    "difficulty commit_reveal_period commit_reveal_weights_enabled:b alpha_high alpha_low "
    "liquid_alpha_enabled:b alpha_sigmoid_steepness:f yuma_version subnet_is_active:b "
    "transfers_enabled:b bonds_reset_enabled:b user_liquidity_enabled:b").split()


def hyperparams_v2(tempo, period, cr):
    """Option<SubnetHyperparamsV2> (what the helper asks where the metadata has it)."""
    vals = {"max_weights_limit": 65535, "tempo": tempo, "commit_reveal_period": period,
            "commit_reveal_weights_enabled": cr}
    b = b""
    for f in V2_FIELDS:
        name, _, kind = f.partition(":")
        v = vals.get(name, 0)
        b += (b"\x01" if v else b"\x00") if kind == "b" else \
            b"\x00" * 8 if kind == "f" else compact(v)
    return "0x01" + b.hex()


def with_next_epoch_api(meta_hex):
    """The metadata blob with get_dynamic_info renamed get_next_epoch_start_block."""
    b = bytearray(bytes.fromhex(meta_hex[2:]))
    old, new = b"get_dynamic_info", b"get_next_epoch_start_block"
    at = b.find(bytes([len(old) << 2]) + old)
    assert at > 0 and b.find(old, at + 2) < 0
    b[at:at + 1 + len(old)] = bytes([len(new) << 2]) + new
    assert b[0] == 1 and b[1] & 3 == 2                   # Some, 4-byte compact length
    n = struct.unpack_from("<I", b, 1)[0] >> 2
    struct.pack_into("<I", b, 1, (n + len(new) - len(old)) << 2 | 2)
    return "0x" + bytes(b).hex()


class WriteNode(DataNode):
    """DataNode that also takes extrinsics and answers what a submission asks."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.metas[343] = with_next_epoch_api(self.metas[343])
        self.submitted = []
        self.next_epoch = NEXT_EPOCH

    def answer(self, method, params):
        if method == "state_getRuntimeVersion" and not params:
            params = [self.hash_of(self.head)]
        if method == "state_getRuntimeVersion":
            n = self.check(params[0])
            return {"specName": "node-subtensor", "specVersion": self.spec_at(n),
                    "transactionVersion": 1}
        if method == "system_accountNextIndex":
            return 7
        if method == "author_submitExtrinsic":
            self.submitted.append(params[0])
            return "0x" + "ab" * 32
        if method == "chain_getBlock":
            n = self.check(params[0]) if params else self.head
            return {"block": {"header": self.header(n), "extrinsics": []},
                    "justifications": None}
        if method == "state_call" and params[1].replace("0x", "") == "0100":
            if params[0] == "SubnetInfoRuntimeApi_get_subnet_hyperparams":
                self.check(params[2])
                return hyperparams(TEMPO, PERIOD, True)
            if params[0] == "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2":
                self.check(params[2])
                return hyperparams_v2(TEMPO, PERIOD, True)
            if params[0] == "SubnetInfoRuntimeApi_get_next_epoch_start_block":
                self.check(params[2])
                self.state_calls.append((params[0], params[2]))
                return "0x01" + struct.pack("<Q", self.next_epoch).hex()
        return super().answer(method, params)


def jobs_env(n):
    """mdb_dump/mdb_load arguments for the job queue: <cache>/jobs.mdb (one file), or the
    cache itself in older layouts."""
    cache = os.path.join(n.prefix, "data", "cache")
    f = os.path.join(cache, "jobs.mdb")
    return ["-n", f] if os.path.exists(f) else [cache]


def jobs(n, kind):
    """(id, record) of the job records of kind, oldest first (mdb_dump)."""
    r = subprocess.run(["mdb_dump"] + jobs_env(n), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    start = lines.index("HEADER=END") + 1
    out = []
    for k, v in zip(lines[start::2], lines[start + 1::2]):
        if k == "DATA=END":
            break
        key = bytes.fromhex(k.strip())
        if key.startswith(b"J/"):
            j = json.loads(bytes.fromhex(v.strip()))
            if j.get("kind") == kind:
                out.append((key, j))
    return sorted(out, key=lambda kj: kj[1]["id"])


def rewrite(n, key, record):
    """Overwrites one record of the cache with mdb_load (a paused helper holds no txn)."""
    dump = "VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n %s\n %s\nDATA=END\n" % (
        key.hex(), json.dumps(record, separators=(",", ":")).encode().hex())
    r = subprocess.run(["mdb_load"] + jobs_env(n), input=dump,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def payload(pt):
    """WeightsTlockPayload bytes -> (hotkey, uids, values, version_key)."""
    def comp(b, i):
        m = b[i] & 3
        if m == 0:
            return b[i] >> 2, i + 1
        if m == 1:
            return struct.unpack_from("<H", b, i)[0] >> 2, i + 2
        return struct.unpack_from("<I", b, i)[0] >> 2, i + 4
    n, i = comp(pt, 0)
    hotkey, i = pt[i:i + n], i + n
    n, i = comp(pt, i)
    uids = list(struct.unpack_from("<%dH" % n, pt, i))
    i += 2 * n
    m, i = comp(pt, i)
    values = list(struct.unpack_from("<%dH" % m, pt, i))
    i += 2 * m
    assert len(pt) == i + 8
    return hotkey, uids, values, struct.unpack_from("<Q", pt, i)[0]


@pytest.fixture
def node():
    nd = WriteNode(MAINNET_BLOCK)
    nd.hashes[MAINNET_BLOCK] = recorded()["hash"]
    nd.start()
    yield nd
    nd.stop()


@pytest.fixture
def paused(node):
    """nginx with a weights job of 1024 uids paused at "built" (its params recorded);
    yields (nginx, weights, uid_of, (t0, t1) around the build, log mark)."""
    hookdir = tempfile.mkdtemp(prefix="pylon-hook-")
    os.chmod(hookdir, 0o777)
    wallets = tempfile.mkdtemp(prefix="pylon-wallets-")
    os.chmod(wallets, 0o755)
    shutil.copytree(os.path.join(WALLETS, "pylon"), os.path.join(wallets, "pylon"))
    n = Nginx(pylon_conf(node.url, extra_http=(
        "pylon_netuids 1; pylon_archive_network %s; pylon_wallet_path %s; "
        "pylon_weights_retry 20 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=1 token=%s;"
        % (node.url, wallets, TOKEN))), main_conf="env PYLON_TEST_HOOK=%s;" % hookdir)
    n.expect_log(r"exited on signal 9")              # the helper is killed on purpose
    n.start()
    try:
        r = wait_for(lambda: (lambda x: x if x.status == 200 else None)(
            n.request(dc.routes(1)["neurons"])), 30)
        assert r, n.log()[-3000:]
        hotkeys = json.loads(r.body)["neurons"]
        assert len(hotkeys) == 1024
        uid_of = {hk: v["uid"] for hk, v in hotkeys.items()}
        weights = {hk: float(uid % 97 + 1) for hk, uid in uid_of.items()}

        open(os.path.join(hookdir, "built"), "w").close()
        mark = len(n.log())
        t0 = time.time()
        r = n.request("/api/v1/identity/sn/subnet/1/weights", method="PUT",
                      body=json.dumps({"weights": weights}).encode(),
                      headers={"Authorization": "Bearer " + TOKEN,
                               "Content-Type": "application/json"}, timeout=30)
        assert r.status == 200, r.body
        assert wait_for(lambda: "test hook: paused at built" in n.log()[mark:], 60), \
            n.log()[-3000:]
        t1 = time.time()
        assert node.submitted == []                   # nothing signed before it is recorded
        assert any(m == "SubnetInfoRuntimeApi_get_next_epoch_start_block"
                   for m, _ in node.state_calls)
        yield n, weights, uid_of, (t0, t1), mark
    finally:
        if not getattr(n, "helper_killed", False):
            for h in n.helpers():               # a failed test leaves it paused
                os.kill(h, signal.SIGKILL)
        n.cleanup()
        shutil.rmtree(wallets, ignore_errors=True)


def kill_helper(n):
    helper = n.helpers()[0]
    os.kill(helper, signal.SIGKILL)
    n.helper_killed = True
    assert wait_for(lambda: (lambda h: h and h[0] != helper)(n.helpers()), 10)


def test_crv4_1024_uids_epoch_from_the_runtime_kept_across_a_kill(node, paused):
    n, weights, uid_of, (t0, t1), mark = paused
    # the epoch and round, from the runtime's answer, are in the job's params
    key, job = jobs(n, "weights")[-1]
    p = job["params"]
    assert p["epoch_source"] == "runtime", p
    assert p["next_epoch_start"] == NEXT_EPOCH and p["epoch_len"] == TEMPO, p
    assert p["epoch_end"] == NEXT_EPOCH - 1, p
    first = NEXT_EPOCH + (PERIOD - 1) * TEMPO
    lo = (int(t0) - 1 + (first + 3 - p["reveal_head"]) * 12 - GENESIS) // DRAND_PERIOD
    hi = (int(t1) + 1 + (first + 3 - p["reveal_head"]) * 12 - GENESIS) // DRAND_PERIOD
    assert lo <= p["reveal_round"] <= hi, (p, lo, hi)

    # the paused helper is killed; its successor must take the recorded round
    p["reveal_round"] = 1000
    rewrite(n, key, job)
    kill_helper(n)
    assert wait_for(lambda: node.submitted, 60), n.log()[-4000:]
    time.sleep(3)
    assert len(node.submitted) == 1, "one extrinsic, sent once"
    xt = node.submitted[0]

    key, job = jobs(n, "weights")[-1]
    birth = job["xt"]["birth"]
    meta = os.path.join(n.prefix, "meta343.hex")
    with open(meta, "w") as f:
        f.write(node.metas[343])
    out = subprocess.run(["node", os.path.join(ORACLE, "xt_polkadot.mjs"), "check", meta,
                          xt, node.hash_of(0), node.hash_of(birth), "343", "1"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    d = json.loads(out.stdout.strip().splitlines()[-1])
    assert d["valid"] is True, d
    assert d["section"] == "subtensorModule", d
    assert d["method"] in ("commitTimelockedWeights",
                           "commitTimelockedMechanismWeights"), d["method"]
    args = d["args"]
    assert int(str(args["reveal_round"]).replace(",", "")) == 1000, args
    assert int(str(args["netuid"])) == 1

    sig = json.load(open(DRAND))["pulses"][0]
    assert int(sig["round"]) == 1000
    tld = subprocess.run(["node", os.path.join(ORACLE, "tle_timelock.mjs"), "tld",
                          args["commit"], sig["signature"]],
                         capture_output=True, text=True, timeout=120)
    assert tld.returncode == 0, tld.stderr[-2000:]
    hotkey, uids, values, version = payload(bytes.fromhex(
        tld.stdout.strip().replace("0x", "")))
    assert len(uids) == 1024 and sorted(uids) == list(range(1024))
    top = max(weights.values())
    by_uid = {uid: weights[hk] for hk, uid in uid_of.items()}
    assert values == [round(by_uid[u] / top * 65535) for u in uids]
    assert len(hotkey) == 32
    assert version >= 9003000


def test_taken_over_job_keeps_its_recorded_epoch_end(node, paused):
    """The epoch end is not recomputed by the next helper: one recorded as passed (here
    rewritten below the head) ends the job as Pylon's expired one, and nothing is sent."""
    n, _, _, _, mark = paused
    key, job = jobs(n, "weights")[-1]
    assert job["params"]["epoch_end"] == NEXT_EPOCH - 1
    job["params"]["epoch_end"] = MAINNET_BLOCK - 1
    rewrite(n, key, job)
    kill_helper(n)
    assert wait_for(lambda: (lambda j: j[1]["state"] == "failed" and j)(
        jobs(n, "weights")[-1]), 30), n.log()[-3000:]
    assert jobs(n, "weights")[-1][1]["error"] == "EXPIRED: Tempo ended"
    time.sleep(2)
    assert node.submitted == []

"""Writes on the real runtime: weights, commit-reveal, commitments, certificate keypairs.

A private chain (chopsticks, spec 218) gets a subnet whose validator hotkey is the Pylon test
wallet's (t/chain/setup.mjs with VALIDATOR_SURI), three miners and an axon; nginx has that
wallet as identity "sn".  Blocks are built by the test (Manual mode), so every job is driven
block by block; the chain's own storage, read by polkadot-js (t/chain/writes.mjs), is the oracle.
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

import chain as chainlib
from harness import ROOT, Nginx, wait_for
from pylon import pylon_conf

SHARED = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")
SETUP = os.path.join(ROOT, "t", "chain", "setup.mjs")
WRITES = os.path.join(ROOT, "t", "chain", "writes.mjs")
PYLON_KEY = os.path.join(ROOT, "build", "pylon-key")
TOKEN = "w-token"

pytestmark = [
    pytest.mark.skipif(chainlib.unavailable() is not None, reason=str(chainlib.unavailable())),
    pytest.mark.skipif(not os.path.isdir(WALLETS),
                       reason="../shared/fixtures/wallet not found (set PYLON_SHARED)"),
]


def node(c, *args, env=None):
    r = subprocess.run(["node", WRITES, c.url] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def make_wallet(root, name, seed_hex):
    out = subprocess.run([PYLON_KEY, "inspect", "0x" + seed_hex], capture_output=True,
                         text=True, check=True).stdout
    pub = out.split("Public key (hex):")[1].split()[0]
    ss58 = out.split("SS58 Address:")[1].split()[0]
    os.makedirs(os.path.join(root, name, "hotkeys"))
    with open(os.path.join(root, name, "hotkeys", name), "w") as f:
        json.dump({"secretSeed": "0x" + seed_hex, "publicKey": pub, "accountId": pub,
                   "ss58Address": ss58}, f)
    return ss58


@pytest.fixture(scope="module")
def world():
    c = chainlib.Chopsticks().start()
    wallets = tempfile.mkdtemp(prefix="pylon-wallets-")
    try:
        shutil.copytree(os.path.join(WALLETS, "pylon"), os.path.join(wallets, "pylon"))
        with open(os.path.join(WALLETS, "pylon", "hotkeys", "pylon")) as f:
            key = json.load(f)
        env = dict(os.environ, VALIDATOR_SURI=key["secretSeed"])
        r = subprocess.run(["node", SETUP, c.url, "3"], capture_output=True, text=True,
                           timeout=300, env=env)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        info = json.loads(r.stdout.strip().splitlines()[-1])
        assert info["hotkeys"][0] == key["ss58Address"]
        node(c, "serve", info["netuid"], key["secretSeed"], "1.2.3.4", 8091)
        ghost = make_wallet(wallets, "ghost", secrets.token_hex(32))
        node(c, "fund", ghost)
        info.update(validator=key["ss58Address"], ghost=ghost, wallets=wallets)
        yield c, info
    finally:
        c.stop()
        shutil.rmtree(wallets, ignore_errors=True)


@pytest.fixture(scope="module")
def ngx(world):
    c, info = world
    n = Nginx(pylon_conf(c.url, extra_http=(
        "pylon_wallet_path %s; pylon_weights_retry 20 1s; pylon_commitment_retry 3 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=%d token=%s; "
        "pylon_identity ghost wallet=ghost hotkey=ghost netuid=%d token=%s;"
        % (info["wallets"], info["netuid"], TOKEN, info["netuid"], TOKEN))))
    n.start()
    try:
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % info["netuid"]
        assert wait_for(lambda: n.get(url).status == 200, 20), n.log()[-3000:]
        yield n
    finally:
        n.cleanup()


def auth(extra=None):
    h = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    h.update(extra or {})
    return h


def pump(c, pred, timeout=60, pause=0.3):
    """Builds blocks until pred() holds; returns its value."""
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        c.new_block()
        time.sleep(pause)
    return pred()


def state(c, info, who=None):
    return node(c, "state", info["netuid"], who or info["validator"], 0)


def put_weights(n, info, weights, identity="sn"):
    return n.request("/api/v1/identity/%s/subnet/%d/weights" % (identity, info["netuid"]),
                     method="PUT", body=json.dumps({"weights": weights}).encode(),
                     headers=auth())


def test_put_weights_lands_the_normalised_vector(world, ngx):
    c, info = world
    m1, m2 = info["hotkeys"][1], info["hotkeys"][2]
    r = put_weights(ngx, info, {m1: 1.0, m2: 0.5, "5UnknownHotkeyxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": 1})
    assert r.status == 200, r
    assert r.json() == {"detail": "weights update scheduled", "count": 3}
    got = pump(c, lambda: state(c, info)["weights"] == [[1, 65535], [2, 32768]] or None)
    assert got, (state(c, info), ngx.log()[-3000:])
    assert "not registered on subnet" in ngx.log(), "the unknown hotkey was dropped and logged"


def test_a_newer_put_supersedes_the_pending_one(world, ngx):
    c, info = world
    m1, m3 = info["hotkeys"][1], info["hotkeys"][3]
    assert put_weights(ngx, info, {m1: 1.0}).status == 200
    assert put_weights(ngx, info, {m3: 1.0}).status == 200
    assert pump(c, lambda: state(c, info)["weights"] == [[3, 65535]] or None), ngx.log()[-3000:]
    for _ in range(3):
        c.new_block()
    assert state(c, info)["weights"] == [[3, 65535]], "only the newer weights stay"


def test_weights_job_survives_kill_9_of_the_helper(world, ngx):
    c, info = world
    m1, m3 = info["hotkeys"][1], info["hotkeys"][3]
    assert put_weights(ngx, info, {m1: 0.25, m3: 1.0}).status == 200
    ngx.expect_log(r"cache manager process \d+ exited on signal 9")
    helper = ngx.helpers()[0]
    os.kill(helper, signal.SIGKILL)
    assert wait_for(lambda: (lambda h: h and h[0] != helper)(ngx.helpers()), 10)
    want = [[1, 16384], [3, 65535]]
    assert pump(c, lambda: state(c, info)["weights"] == want or None), ngx.log()[-3000:]


def test_weights_job_survives_a_reload(world, ngx):
    c, info = world
    m2 = info["hotkeys"][2]
    assert put_weights(ngx, info, {m2: 1.0}).status == 200
    ngx.reload()
    assert pump(c, lambda: state(c, info)["weights"] == [[2, 65535]] or None), ngx.log()[-3000:]


def post_in_thread(n, path, body, timeout="60"):
    out = {}

    def run():
        out["r"] = n.request(path, method="POST", body=json.dumps(body).encode(),
                             headers=auth({"X-Pylon-Timeout": timeout}), timeout=120)

    t = threading.Thread(target=run)
    t.start()
    return t, out


def jump(c, blocks):
    """One block whose number is `blocks` ahead (rate limits count block numbers)."""
    c.rpc("dev_newBlock", [{"count": 1, "unsafeBlockHeight": c.head() + blocks}], timeout=120)


def test_commitment_is_201_once_included_and_on_chain(world, ngx):
    c, info = world
    jump(c, 500)                 # past the commitment rate limit of the setup's commitment
    path = "/api/v1/identity/sn/subnet/%d/commitments" % info["netuid"]
    t, out = post_in_thread(ngx, path, {"commitment": "0x68656c6c6f"})
    assert pump(c, lambda: not t.is_alive()), ngx.log()[-3000:]
    t.join()
    r = out["r"]
    assert r.status == 201, r
    assert r.json() == {"detail": "Commitment set successfully."}
    fields = state(c, info)["commitment"]["info"]["fields"]
    assert fields == [{"raw5": "0x68656c6c6f"}] or fields == [{"Raw5": "0x68656c6c6f"}], fields
    own = "/api/v1/identity/sn/subnet/%d/block/latest/commitments/self" % info["netuid"]
    assert pump(c, lambda: (lambda r: r.status == 200 and r.json()["commitment"] == "0x68656c6c6f")(
        ngx.get(own, headers=auth())), timeout=20)


def test_commitment_of_an_unregistered_hotkey_is_502_with_the_error(world, ngx):
    c, info = world
    path = "/api/v1/identity/ghost/subnet/%d/commitments" % info["netuid"]
    t, out = post_in_thread(ngx, path, {"commitment": "0xabcd"})
    assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
    t.join()
    r = out["r"]
    assert r.status == 502, r
    assert r.json()["status_code"] == 502
    assert r.json()["detail"], "the chain's error is named"
    assert state(c, info, info["ghost"])["commitment"] is None
    assert_workers_alive(ngx)


def assert_workers_alive(n):
    """A 502 once freed the job's body twice and killed the worker."""
    log = n.log()
    for bad in ("double free", "exited on signal 6", "exited on signal 11",
                "AddressSanitizer"):
        assert bad not in log, log[-3000:]


def test_certificate_of_an_unregistered_hotkey_is_502_and_the_worker_lives(world, ngx):
    c, info = world
    path = "/api/v1/identity/ghost/subnet/%d/certificates/self" % info["netuid"]
    for _ in range(2):
        t, out = post_in_thread(ngx, path, {})
        assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
        t.join()
        r = out["r"]
        assert r.status == 502, r
        assert r.json()["status_code"] == 502
        assert r.json()["detail"]
    assert_workers_alive(ngx)


def test_invalid_bodies_are_400_and_nothing_is_submitted(world, ngx):
    c, info = world
    before = state(c, info)
    base = "/api/v1/identity/sn/subnet/%d" % info["netuid"]
    for method, path, body, key in [
        ("PUT", "/weights", {}, "weights"),
        ("PUT", "/weights", {"weights": {}}, "weights"),
        ("PUT", "/weights", {"weights": {"5Fx": -1}}, "weights.5Fx"),
        ("PUT", "/weights", {"weights": {"5Fx": "abc"}}, "weights.5Fx"),
        ("POST", "/commitments", {"commitment": "zz"}, "commitment"),
        ("POST", "/commitments", {"commitment": "0x"}, "commitment"),
        ("POST", "/certificates/self", {"algorithm": 2}, "algorithm"),
    ]:
        r = ngx.request(base + path, method=method, body=json.dumps(body).encode(),
                        headers=auth())
        assert r.status == 400, (path, body, r)
        assert r.json()["detail"] == "Validation failed for %s %s%s" % (method, base, path)
        assert r.json()["extra"][0]["key"] == key, r.json()
    r = ngx.request(base + "/weights", method="PUT", body=b"{oops", headers=auth())
    assert r.status == 400 and r.json()["detail"].startswith("JSON is malformed")
    r = ngx.request(base + "/weights", method="PUT", body=b'{"weights": {"a": 1}}')
    assert r.status == 401, "writes need the identity's token"
    c.new_block()
    c.new_block()
    assert state(c, info) == before


def test_certificate_keypair_is_served_on_chain(world, ngx):
    c, info = world
    path = "/api/v1/identity/sn/subnet/%d/certificates/self" % info["netuid"]
    t, out = post_in_thread(ngx, path, {})
    assert pump(c, lambda: not t.is_alive()), ngx.log()[-3000:]
    t.join()
    r = out["r"]
    assert r.status == 201, r
    kp = r.json()
    assert list(kp) == ["algorithm", "public_key", "private_key"]
    assert kp["algorithm"] == 1 and len(kp["public_key"]) == 64 and len(kp["private_key"]) == 64
    cert = state(c, info)["certificate"]
    assert cert["publicKey"] == "0x" + kp["public_key"] or \
        cert.get("public_key") == "0x" + kp["public_key"], cert
    assert kp["private_key"] not in ngx.log()


def test_commit_reveal_commits_then_reveals_in_the_next_epoch(world, ngx):
    c, info = world
    node(c, "cr", info["netuid"], "on")
    try:
        for _ in range(6):                      # the helper sees the new hyperparameters
            c.new_block()
        m1 = info["hotkeys"][1]
        assert put_weights(ngx, info, {m1: 1.0}).status == 200
        assert pump(c, lambda: state(c, info)["commits"] or None), ngx.log()[-3000:]
        assert pump(c, lambda: state(c, info)["weights"] == [[1, 65535]] or None,
                    timeout=120), ngx.log()[-3000:]
        assert pump(c, lambda: state(c, info)["commits"] == [] or None, timeout=30)
    finally:
        node(c, "cr", info["netuid"], "off")

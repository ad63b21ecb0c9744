"""Writes land exactly once (issue 12) on the real runtime (chopsticks, spec 218).

Each test kills or replaces the helper at a named point of a write job and then checks, on
chain, that the job's extrinsic landed exactly once: one CommitmentSet / WeightsSet event in
all blocks since the test began, and the hotkey's nonce advanced by exactly one.

The points come from the helper's test-only fault injection (ngx_pylon_submit.h): nginx runs
with `env PYLON_TEST_HOOK=DIR;`; creating DIR/NAME makes the helper block at point NAME
("recorded", "submitted", "included") once, logging "test hook: paused at NAME".
"""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from harness import ROOT, Nginx, wait_for
from pylon import pylon_conf
from test_writes import (TOKEN, auth, jump, node, post_in_thread, pump, put_weights,  # noqa
                         world, pytestmark)  # noqa: F401  (module fixture, skip marks)

# the runtime (spec 218) names the Commitments event "Commitment" (later: CommitmentSet)
COMMITMENT_SET = "commitments.Commitment"
EVENTS = os.path.join(ROOT, "t", "chain", "events.mjs")


@pytest.fixture(scope="module")
def hookdir():
    d = tempfile.mkdtemp(prefix="pylon-hook-")
    os.chmod(d, 0o777)                  # as root the helper runs as nobody
    yield d


@pytest.fixture(autouse=True)
def disarmed(hookdir):
    """A hook armed by a test that failed before reaching it would freeze the next test's
    helper at that point (seen once: the five-reload test then timed out waiting for
    "submitted", its job was left running, and the stuck-helper test counted that job's
    commitment as a second event)."""
    yield
    for name in os.listdir(hookdir):
        os.unlink(os.path.join(hookdir, name))


@pytest.fixture(scope="module")
def ngx(world, hookdir):
    c, info = world
    n = Nginx(pylon_conf(c.url, extra_http=(
        "pylon_wallet_path %s; pylon_weights_retry 20 1s; pylon_commitment_retry 3 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=%d token=%s;"
        % (info["wallets"], info["netuid"], TOKEN))),
        main_conf="env PYLON_TEST_HOOK=%s;" % hookdir)
    # helpers are killed on purpose here (kill -9 and the stuck-helper kill)
    n.expect_log(r"exited on signal 9")
    n.start()
    try:
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % info["netuid"]
        assert wait_for(lambda: n.get(url).status == 200, 20), n.log()[-3000:]
        yield n
    finally:
        n.cleanup()


def count(c, since, name, netuid):
    r = subprocess.run(["node", EVENTS, c.url, str(since), name, str(netuid)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def nonce(c, ss58):
    return c.rpc("system_accountNextIndex", [ss58])


def arm(n, hookdir, point):
    """Arms the hook; returns the error.log offset to look for the pause from."""
    open(os.path.join(hookdir, point), "w").close()
    return len(n.log())


def paused(n, point, mark, timeout=30):
    return wait_for(lambda: ("test hook: paused at " + point) in n.log()[mark:], timeout)


def kill_paused_helper(n):
    helper = n.helpers()[0]
    os.kill(helper, signal.SIGKILL)
    assert wait_for(lambda: (lambda h: h and h[0] != helper)(n.helpers()), 10)


def commitment_killed_at(world, ngx, hookdir, point, data):
    c, info = world
    jump(c, 500)                        # past the commitment rate limit
    since = c.head() + 1
    before = nonce(c, info["validator"])
    mark = arm(ngx, hookdir, point)
    path = "/api/v1/identity/sn/subnet/%d/commitments" % info["netuid"]
    t, out = post_in_thread(ngx, path, {"commitment": data}, timeout="90")
    if point == "included":             # it is found in a block: build one
        assert pump(c, lambda: ("paused at " + point) in ngx.log()[mark:], timeout=60), \
            ngx.log()[-3000:]
    else:
        assert paused(ngx, point, mark), ngx.log()[-3000:]
    kill_paused_helper(ngx)
    assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
    t.join()
    assert out["r"].status == 201, (out["r"], ngx.log()[-3000:])
    for _ in range(3):                  # a second copy would land now
        c.new_block()
        time.sleep(0.3)
    ev = count(c, since, COMMITMENT_SET, info["netuid"])
    assert ev["count"] == 1, (ev, ngx.log()[-4000:])
    assert nonce(c, info["validator"]) == before + 1, "exactly one extrinsic of the hotkey"
    return ngx.log()[mark:]


def test_kill_9_after_the_extrinsic_is_recorded_before_it_is_sent(world, ngx, hookdir):
    log = commitment_killed_at(world, ngx, hookdir, "recorded", "0x616161")
    assert "resuming its extrinsic" in log


def test_kill_9_right_after_submission(world, ngx, hookdir):
    log = commitment_killed_at(world, ngx, hookdir, "submitted", "0x626262")
    assert "resuming its extrinsic" in log


def test_kill_9_after_inclusion_before_the_job_finished(world, ngx, hookdir):
    log = commitment_killed_at(world, ngx, hookdir, "included", "0x636363")
    assert "was included in block" in log


def weights_killed_at(world, ngx, hookdir, point, weights, want):
    c, info = world
    since = c.head() + 1
    before = nonce(c, info["validator"])
    m1, m2 = info["hotkeys"][1], info["hotkeys"][2]
    mark = arm(ngx, hookdir, point)
    assert put_weights(ngx, info, {m1: weights[0], m2: weights[1]}).status == 200
    if point == "included":             # it is found in a block: build one
        assert pump(c, lambda: ("paused at " + point) in ngx.log()[mark:], timeout=60), \
            ngx.log()[-3000:]
    else:
        assert paused(ngx, point, mark), ngx.log()[-3000:]
    kill_paused_helper(ngx)
    assert pump(c, lambda: node(c, "state", info["netuid"], info["validator"], 0)["weights"]
                == want or None), ngx.log()[-3000:]
    # the outcome is read on a next head (after the runtime's metadata, at a takeover)
    assert pump(c, lambda: "weights job" in ngx.log()[mark:] and
                "landed in block" in ngx.log()[mark:], timeout=60), ngx.log()[-3000:]
    for _ in range(3):                  # a second copy would land now
        c.new_block()
        time.sleep(0.3)
    ev = count(c, since, "subtensorModule.WeightsSet", info["netuid"])
    assert ev["count"] == 1, (ev, ngx.log()[-4000:])
    assert nonce(c, info["validator"]) == before + 1, "exactly one extrinsic of the hotkey"
    return ngx.log()[mark:]


def test_weights_kill_9_right_after_submission(world, ngx, hookdir):
    log = weights_killed_at(world, ngx, hookdir, "submitted", (0.5, 1.0),
                            [[1, 32768], [2, 65535]])
    assert "resuming its extrinsic" in log


def test_weights_kill_9_after_the_extrinsic_is_recorded_before_it_is_sent(
        world, ngx, hookdir):
    log = weights_killed_at(world, ngx, hookdir, "recorded", (1.0, 0.5),
                            [[1, 65535], [2, 32768]])
    assert "resuming its extrinsic" in log


def test_weights_kill_9_after_inclusion_before_the_job_finished(world, ngx, hookdir):
    log = weights_killed_at(world, ngx, hookdir, "included", (0.25, 1.0),
                            [[1, 16384], [2, 65535]])
    assert "was included in block" in log


def test_certificate_kill_9_right_after_submission_replies_the_keypair_on_chain(
        world, ngx, hookdir):
    """The helper taking a certificate job over resumes the recorded extrinsic, which
    carries the first helper's public key: the reply must be that keypair (kept sealed in
    the job's params), not a new one drawn by the second helper."""
    c, info = world
    jump(c, 500)                        # past the serving rate limit (the world's axon)
    path = "/api/v1/identity/sn/subnet/%d/certificates/self" % info["netuid"]
    mark = arm(ngx, hookdir, "submitted")
    t, out = post_in_thread(ngx, path, {}, timeout="90")
    assert paused(ngx, "submitted", mark), ngx.log()[-3000:]
    kill_paused_helper(ngx)
    assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
    t.join()
    r = out["r"]
    assert r.status == 201, (r, ngx.log()[-3000:])
    kp = r.json()
    assert "keypair of its first attempt is kept" in ngx.log()[mark:], ngx.log()[-3000:]
    cert = node(c, "state", info["netuid"], info["validator"], 0)["certificate"]
    assert cert["publicKey"] == "0x" + kp["public_key"] or \
        cert.get("public_key") == "0x" + kp["public_key"], (cert, kp["public_key"])
    assert kp["private_key"] not in ngx.log()


def test_revealed_kill_9_right_after_submission_replies_the_recorded_round(
        world, ngx, hookdir):
    """A taken-over revealed-commitment job replies the reveal_round its recorded extrinsic
    carries (kept in its params when built), not one recomputed seconds later by the next
    helper (drand rounds are 3 s: the pause below outlasts one)."""
    import shutil
    from test_writes_epoch import jobs
    c, info = world
    jump(c, 500)                        # past the commitment rate limit
    path = "/api/_unstable/identity/sn/subnet/%d/commitments/revealed" % info["netuid"]
    mark = arm(ngx, hookdir, "submitted")
    t, out = post_in_thread(ngx, path, {"commitment": "kept round",
                                        "blocks_until_reveal": 10, "block_time": 1},
                            timeout="90")
    wait_for(lambda: not t.is_alive() or "paused at submitted" in ngx.log()[mark:], 30)
    if not paused(ngx, "submitted", mark, timeout=1):
        t.join()
        pytest.skip("this runtime does not take a revealed commitment: %r" % out.get("r"))
    kept = jobs(ngx, "revealed")[-1]["params"]["reveal_round"] \
        if shutil.which("mdb_dump") else None
    time.sleep(4)
    kill_paused_helper(ngx)
    assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
    t.join()
    r = out["r"]
    assert r.status == 201, (r, ngx.log()[-3000:])
    if kept is not None:
        assert r.json()["reveal_round"] == kept, (r.json(), kept)


def test_five_reloads_during_a_commitment_job(world, ngx, hookdir):
    c, info = world
    jump(c, 500)
    since = c.head() + 1
    before = nonce(c, info["validator"])
    path = "/api/v1/identity/sn/subnet/%d/commitments" % info["netuid"]
    mark = len(ngx.log())
    t, out = post_in_thread(ngx, path, {"commitment": "0x646464"}, timeout="120")
    assert wait_for(lambda: "submitted 0x" in ngx.log()[mark:], 20), ngx.log()[-3000:]
    for _ in range(5):
        ngx.reload()
        time.sleep(0.7)
    assert pump(c, lambda: not t.is_alive(), timeout=120), ngx.log()[-3000:]
    t.join()
    assert out["r"].status == 201, (out["r"], ngx.log()[-3000:])
    for _ in range(3):
        c.new_block()
        time.sleep(0.3)
    ev = count(c, since, COMMITMENT_SET, info["netuid"])
    assert ev["count"] == 1, (ev, ngx.log()[-4000:])
    assert nonce(c, info["validator"]) == before + 1


def test_stuck_helper_killed_on_reload_hands_its_job_over(world, ngx, hookdir):
    c, info = world
    jump(c, 500)
    since = c.head() + 1
    before = nonce(c, info["validator"])
    mark = arm(ngx, hookdir, "submitted")
    path = "/api/v1/identity/sn/subnet/%d/commitments" % info["netuid"]
    t, out = post_in_thread(ngx, path, {"commitment": "0x656565"}, timeout="120")
    assert paused(ngx, "submitted", mark), ngx.log()[-3000:]
    ngx.reload()                        # the paused helper cannot quit: killed after 5 s
    assert wait_for(lambda: "is stuck, killing it" in ngx.log()[mark:], 20), ngx.log()[-3000:]
    assert pump(c, lambda: not t.is_alive(), timeout=120), ngx.log()[-3000:]
    t.join()
    assert out["r"].status == 201, (out["r"], ngx.log()[-3000:])
    for _ in range(3):
        c.new_block()
        time.sleep(0.3)
    ev = count(c, since, COMMITMENT_SET, info["netuid"])
    assert ev["count"] == 1, (ev, ngx.log()[-4000:])
    assert nonce(c, info["validator"]) == before + 1


def test_taken_over_job_without_metadata_waits_instead_of_failing(world, ngx, hookdir):
    """The race behind a 'double' seen once: the helper that takes a job over has no
    runtime metadata yet (its first refresh round is slow); the attempts it used up
    waiting for it (pylon_commitment_retry 3 1s: about 7 s) failed the job with 502 while
    the recorded extrinsic, already in the pool, landed afterwards (in the next test's
    window, which then counted two events).  A taken-over job resumes its recorded
    extrinsic before it needs anything else."""
    c, info = world
    jump(c, 500)
    since = c.head() + 1
    before = nonce(c, info["validator"])
    mark = arm(ngx, hookdir, "submitted")
    path = "/api/v1/identity/sn/subnet/%d/commitments" % info["netuid"]
    t, out = post_in_thread(ngx, path, {"commitment": "0x676767"}, timeout="120")
    assert paused(ngx, "submitted", mark), ngx.log()[-3000:]
    nometa = os.path.join(hookdir, "nometa")           # the new helper has no metadata
    open(nometa, "w").close()
    try:
        kill_paused_helper(ngx)
        time.sleep(12)                                 # > the attempts' 1 + 2 + 4 s
        assert t.is_alive(), (out, ngx.log()[mark:][-3000:])
        assert "failed 502" not in ngx.log()[mark:], ngx.log()[-3000:]
    finally:
        os.unlink(nometa)
    assert pump(c, lambda: not t.is_alive(), timeout=90), ngx.log()[-3000:]
    t.join()
    assert out["r"].status == 201, (out["r"], ngx.log()[-3000:])
    for _ in range(3):
        c.new_block()
        time.sleep(0.3)
    ev = count(c, since, COMMITMENT_SET, info["netuid"])
    assert ev["count"] == 1, (ev, ngx.log()[-4000:])
    assert nonce(c, info["validator"]) == before + 1

"""The epoch of a weights job on the real runtime (chopsticks, spec 218; t/test_writes.py's world).

Spec 218 has only hash commit-reveal (CRv2): the commit is followed by a reveal job, which must
be sent in the epoch commit_epoch + reveal_period (legacy epochs of tempo + 1 blocks).  The
reveal job waits for that window instead of trying at once: no RevealTooEarly attempt is ever
made, and the reveal lands once, inside the window.  The job's epoch is fixed in its params
from the legacy schedule (this runtime has no get_next_epoch_start_block).
"""
import json
import os
import re
import shutil
import subprocess

from harness import Nginx, wait_for
from pylon import pylon_conf
from test_writes import world, auth, node, pump, state, TOKEN  # noqa: F401 (fixtures)
from test_writes_once import EVENTS


def events(c, since, name, netuid=None):
    args = ["node", EVENTS, c.url, str(since), name] + ([str(netuid)] if netuid is not None
                                                       else [])
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def jobs_env(n):
    """mdb_dump/mdb_load arguments for the job queue: <cache>/jobs.mdb (one file), or the
    cache itself in older layouts."""
    cache = os.path.join(n.prefix, "data", "cache")
    f = os.path.join(cache, "jobs.mdb")
    return ["-n", f] if os.path.exists(f) else [cache]


def jobs(n, kind):
    """The job records of kind (raw JSON under J/), oldest first, read with mdb_dump."""
    r = subprocess.run(["mdb_dump"] + jobs_env(n), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    start = lines.index("HEADER=END") + 1
    out = []
    for k, v in zip(lines[start::2], lines[start + 1::2]):
        if k == "DATA=END":
            break
        if bytes.fromhex(k.strip()).startswith(b"J/"):
            j = json.loads(bytes.fromhex(v.strip()))
            if j.get("kind") == kind:
                out.append(j)
    return sorted(out, key=lambda j: j["id"])


def test_crv2_reveal_waits_for_its_window_and_lands_once(world):
    c, info = world
    netuid = info["netuid"]
    n = Nginx(pylon_conf(c.url, extra_http=(
        "pylon_wallet_path %s; pylon_weights_retry 20 1s; pylon_block_duration 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=%d token=%s;"
        % (info["wallets"], netuid, TOKEN))))
    n.start()
    node(c, "cr", netuid, "on")
    try:
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % netuid
        assert wait_for(lambda: n.get(url).status == 200, 20), n.log()[-3000:]
        for _ in range(6):                      # the helper sees the new hyperparameters
            c.new_block()
        mark = len(n.log())
        since = c.head() + 1
        m1 = info["hotkeys"][1]
        r = n.request("/api/v1/identity/sn/subnet/%d/weights" % netuid, method="PUT",
                      body=json.dumps({"weights": {m1: 1.0}}).encode(), headers=auth())
        assert r.status == 200, r.body
        assert pump(c, lambda: state(c, info)["commits"] or None), n.log()[-3000:]

        # the reveal job names its window and waits for it
        pat = re.compile(r"reveal job \S+ waits \d+ blocks for its window \[(\d+), (\d+)\]")
        m = pump(c, lambda: pat.search(n.log()[mark:]), timeout=30, pause=1.0)
        assert m, n.log()[-3000:]
        first, last = int(m.group(1)), int(m.group(2))
        assert last - first >= 1

        assert pump(c, lambda: state(c, info)["weights"] == [[1, 65535]] or None,
                    timeout=180, pause=1.0), n.log()[-3000:]
        log = n.log()[mark:]
        assert "RevealTooEarly" not in log, log[-3000:]
        assert not re.search(r"reveal job \S+ attempt \d+ failed", log), log[-3000:]

        for _ in range(3):                      # a second reveal would land now
            c.new_block()
        sets = events(c, since, "subtensorModule.WeightsSet", netuid)
        assert sets["count"] == 1, sets
        assert first <= sets["blocks"][0] <= last + 1, (sets, first, last)
        assert events(c, since, "subtensorModule.WeightsRevealed")["count"] == 1
        assert pump(c, lambda: state(c, info)["commits"] == [] or None, timeout=30)

        # the weights job's epoch was fixed in its params (legacy schedule)
        if shutil.which("mdb_dump"):
            p = jobs(n, "weights")[-1]["params"]
            assert p["epoch_source"] == "legacy", p
            assert p["epoch_end"] >= p["start_block"], p
            assert p["next_epoch_start"] == p["epoch_end"] + 1 or \
                p["epoch_end"] == p["next_epoch_start"] + p["epoch_len"] - 1, p
    finally:
        node(c, "cr", netuid, "off")
        n.cleanup()


def test_crv2_commit_taken_over_keeps_its_salt(world):
    """A CRv2 commit job whose helper dies after the reveal job was queued (hook
    "crv2_queued", before anything is signed) is redone by the next helper.  It must commit
    the material the queued reveal carries (uids, values, salt and version key kept in the
    commit job's params), not a fresh salt: the reveal lands (WeightsRevealed once, no
    InvalidRevealCommitHashNotMatch)."""
    import signal
    import tempfile
    c, info = world
    netuid = info["netuid"]
    hookdir = tempfile.mkdtemp(prefix="pylon-hook-")
    os.chmod(hookdir, 0o777)
    n = Nginx(pylon_conf(c.url, extra_http=(
        "pylon_wallet_path %s; pylon_weights_retry 20 1s; pylon_block_duration 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=%d token=%s;"
        % (info["wallets"], netuid, TOKEN))),
        main_conf="env PYLON_TEST_HOOK=%s;" % hookdir)
    n.expect_log(r"exited on signal 9")
    n.start()
    node(c, "cr", netuid, "on")
    try:
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % netuid
        assert wait_for(lambda: n.get(url).status == 200, 20), n.log()[-3000:]
        for _ in range(6):                      # the helper sees the new hyperparameters
            c.new_block()
        open(os.path.join(hookdir, "crv2_queued"), "w").close()
        mark = len(n.log())
        since = c.head() + 1
        m1 = info["hotkeys"][1]
        r = n.request("/api/v1/identity/sn/subnet/%d/weights" % netuid, method="PUT",
                      body=json.dumps({"weights": {m1: 1.0}}).encode(), headers=auth())
        assert r.status == 200, r.body
        assert wait_for(lambda: "test hook: paused at crv2_queued" in n.log()[mark:], 30), \
            n.log()[-3000:]
        if shutil.which("mdb_dump"):
            kept = jobs(n, "weights")[-1]["params"]["crv2"]
            assert len(kept["salt"]) == 8, kept
        helper = n.helpers()[0]
        os.kill(helper, signal.SIGKILL)
        assert wait_for(lambda: (lambda h: h and h[0] != helper)(n.helpers()), 10)

        # the weights may equal the previous test's already: wait for the reveal
        revealed = lambda: events(c, since, "subtensorModule.WeightsRevealed")["count"]
        assert pump(c, revealed, timeout=240, pause=1.0), n.log()[-3000:]
        assert state(c, info)["weights"] == [[1, 65535]]
        log = n.log()[mark:]
        assert "InvalidRevealCommitHashNotMatch" not in log, log[-3000:]
        for _ in range(3):                      # a second reveal would land now
            c.new_block()
        assert events(c, since, "subtensorModule.WeightsRevealed")["count"] == 1
        assert events(c, since, "subtensorModule.WeightsCommitted")["count"] == 1
        if shutil.which("mdb_dump"):
            w = jobs(n, "weights")[-1]["params"]["crv2"]
            rv = jobs(n, "reveal")[-1]["params"]
            assert w == kept and rv["salt"] == kept["salt"], (w, rv, kept)
    finally:
        node(c, "cr", netuid, "off")
        n.cleanup()

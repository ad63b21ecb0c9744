"""Exactly once across a kill -9 right after submission, for the two writes spec 218
(chopsticks, t/test_writes_once.py) cannot carry: a CRv4 weights commit and a revealed
(TimelockEncrypted) commitment (issue 12: "a second CRv4 commit or commitment lands
twice").  The fake node serves the recorded spec-343 runtime with CRv4 on
(test_writes_crv4_fakenode's WriteNode, get_next_epoch_start_block listed) and blocks
holding chosen extrinsics with their System.Events (test_writes_reorg_fakenode's ForkNode).

Each job's helper is paused right after author_submitExtrinsic answered (the "submitted"
test hook, PYLON_TEST_HOOK) and killed (-9); the next helper takes the job over.  Both
extrinsics carry fresh randomness (a timelock ciphertext) and the era of the head they are
signed at, so a job signed again would send other bytes: the node must see only one
distinct extrinsic (it may be sent again, the same bytes, while its era lives), a block
holding it with a success event ends the job done there, and the reply names the reveal
round that extrinsic carries (its last u64 for both calls).
"""
import json
import os
import shutil
import struct
import time

import pytest

from harness import wait_for
from test_data_fakenode import pytestmark  # noqa: F401  (fixture skip mark)
from test_writes_crv4_fakenode import NEXT_EPOCH
from test_writes_once import arm, kill_paused_helper, paused
from test_writes_reorg_fakenode import (  # noqa: F401  (node, hookdir, hooked: fixtures)
    TOKEN, WALLETS, done_record, fork_hash, heads_until, hooked, hookdir,
    include_in_the_next_block, node, post_commitment)
import test_data_common as dc

if not os.path.isdir(WALLETS) or shutil.which("mdb_dump") is None:
    pytestmark = pytest.mark.skip(reason="fixtures wallet or mdb_dump not found")


def round_in(xt, tail=0):
    """The u64 reveal round an extrinsic's call ends with (followed by tail bytes)."""
    b = bytes.fromhex(xt[2:])
    return struct.unpack_from("<Q", b, len(b) - tail - 8)[0]


def landed_once(node, n, kind, mark):
    """After the takeover: the next helper sends the recorded bytes again (at once, and on
    each head while their era lives), never new ones; a block takes them with a success
    event and the job is done there.  Returns (the one extrinsic, the job's final record)."""
    assert heads_until(node, lambda: len(node.submitted) >= 2, 20), n.log()[-3000:]
    assert len(set(node.submitted)) == 1, "signed again: %d distinct extrinsics" % len(
        set(node.submitted))
    assert "resuming its extrinsic" in n.log()[mark:], n.log()[-3000:]
    xt = node.submitted[0]
    M = include_in_the_next_block(node, "A", xt)
    assert wait_for(lambda: done_record(n, kind)["state"] == "done", 30), n.log()[-3000:]
    job = done_record(n, kind)
    assert job["xt"]["hex"] == xt, job["xt"]
    assert job["xt"]["block"] == M and job["xt"]["block_hash"] == fork_hash("A", M), job
    assert job["xt"]["index"] == 0, job
    for _ in range(2):                              # heads go on: nothing new is sent
        node.new_head()
        time.sleep(0.5)
    assert set(node.submitted) == {xt}, "signed again after it landed"
    return xt, job


def test_crv4_commit_killed_right_after_submission_lands_once(node, hooked, hookdir):
    n = hooked
    hotkeys = n.request(dc.routes(1)["neurons"]).json()["neurons"]
    weights = {hk: float(v["uid"] % 97 + 1) for hk, v in hotkeys.items()}

    mark = arm(n, hookdir, "submitted")
    r = n.request("/api/v1/identity/sn/subnet/1/weights", method="PUT",
                  body=json.dumps({"weights": weights}).encode(),
                  headers={"Authorization": "Bearer " + TOKEN,
                           "Content-Type": "application/json"}, timeout=30)
    assert r.status == 200, r.body
    assert paused(n, "submitted", mark, timeout=60), n.log()[-3000:]
    assert len(node.submitted) == 1
    job = done_record(n, "weights")
    p = job["params"]
    assert p["epoch_source"] == "runtime" and p["epoch_end"] == NEXT_EPOCH - 1, p
    # a CRv4 commit: (.., reveal_round u64, commit_reveal_version u16) ends the call
    assert round_in(node.submitted[0], tail=2) == p["reveal_round"], p
    assert job["xt"]["hex"] == node.submitted[0] and job["state"] != "done", job

    mark = len(n.log())
    kill_paused_helper(n)
    xt, job = landed_once(node, n, "weights", mark)
    assert job["params"]["reveal_round"] == round_in(xt, tail=2), job["params"]
    assert "landed in block %d" % job["xt"]["block"] in n.log()[mark:], n.log()[-3000:]


def test_revealed_commitment_killed_right_after_submission_lands_once(
        node, hooked, hookdir):
    n = hooked
    mark = arm(n, hookdir, "submitted")
    t, out = post_commitment(n, "/api/_unstable/identity/sn/subnet/1/commitments/revealed",
                             {"commitment": "kept round", "blocks_until_reveal": 10})
    assert paused(n, "submitted", mark), (out, n.log()[-3000:])
    assert len(node.submitted) == 1
    job = done_record(n, "revealed")
    kept = job["params"]["reveal_round"]
    assert round_in(node.submitted[0]) == kept, (job["params"], node.submitted[0][-40:])
    assert job["xt"]["hex"] == node.submitted[0] and job["state"] != "done", job
    time.sleep(3.5)                     # a drand period: a round computed anew differs

    mark = len(n.log())
    kill_paused_helper(n)
    xt, job = landed_once(node, n, "revealed", mark)
    assert job["params"]["reveal_round"] == kept, job["params"]
    t.join(30)
    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    assert r.json() == {"reveal_round": kept}, r.json()

"""Three submitter outcomes of a commitment job (issue 12), with the fake node serving the
recorded spec-343 runtime (test_writes_reorg_fakenode's ForkNode: it takes extrinsics, its
blocks hold chosen extrinsics and System.Events by block hash).

* Included, events never readable: block N holds the extrinsic but System.Events at N is
  never readable (null, or an error).  The submitter reads them again on each head,
  NGX_PYLON_SUBMIT_EVENTS (5) reads in all, then reports the inclusion: the job is done in
  block N (its record keeps the note "included in block N, but its events could not be
  read" as "error"; the HTTP answer is Pylon's success), never retried, never signed
  again: exactly one author_submitExtrinsic.
* Era ended without inclusion: the node accepts the extrinsic, no block holds it; once
  every block up to its era's death (birth + 64, PYLON_XT_PERIOD_DEFAULT) has been
  scanned, the attempt ends "not included before its era ended" and the writer retries
  (pylon_commitment_retry 3 1s) with a NEW extrinsic: other bytes, a later era, the same
  nonce (the first never landed).  That one lands once, and the job is done there.
* Bad signature: the node refuses author_submitExtrinsic with 1010, in a real node's
  wording ("Transaction has a bad signature") or chopsticks' ({"invalid":{"badProof":
  null}} as the message, the TransactionValidityError's JSON).  Both are final: 502 at
  once with that text, one submission, no retry (chopsticks' wording was retried: the
  final-error list only knew "bad signature").
"""
import json
import time

import pytest

from fakenode import RpcError, block_hash
from harness import wait_for
from test_data_fakenode import pytestmark  # noqa: F401  (fixture skip mark)
from test_writes_reorg_fakenode import (  # noqa: F401  (node, ngx: fixtures)
    done_record, fork_hash, include_in_the_next_block, ngx, node, post_commitment,
    submitted_once)

EVENTS_READS = 5                 # NGX_PYLON_SUBMIT_EVENTS
ERA_PERIOD = 64                  # PYLON_XT_PERIOD_DEFAULT (a power of two: not rounded)


@pytest.mark.parametrize("unreadable", ["null", "error"])
def test_events_never_readable_report_the_inclusion_once(node, ngx, unreadable):
    n = ngx
    t, out = post_commitment(n)
    xt, signed_at = submitted_once(node, n)
    N = signed_at + 1
    A = fork_hash("A", N)

    # N holds it; its System.Events are never readable
    node.hashes[N] = A
    node.blocks[A] = [xt]
    if unreadable == "error":
        node.events[A] = RpcError({"code": 4003, "message": "Client error",
                                   "data": "State already discarded for %s" % A})
    node.new_head()
    assert wait_for(lambda: A in node.events_read, 10), n.log()[-3000:]

    # one more read per head until they are used up
    heads = 0
    while t.is_alive() and heads < 2 * EVENTS_READS:
        reads = node.events_read.count(A)
        node.new_head()
        heads += 1
        assert wait_for(lambda: node.events_read.count(A) > reads
                        or not t.is_alive(), 10), n.log()[-3000:]
        t.join(0.5)
    t.join(10)
    assert not t.is_alive(), n.log()[-3000:]
    assert node.events_read.count(A) == EVENTS_READS, node.events_read
    assert heads == EVENTS_READS - 1, heads

    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    assert r.json() == {"detail": "Commitment set successfully."}
    job = done_record(n)
    assert job["state"] == "done" and job["status"] == 201, job
    assert job["xt"]["block"] == N and job["xt"]["block_hash"] == A, job
    assert job["xt"]["index"] == 0, job
    assert job["error"].startswith(
        "included in block %d, but its events could not be read: " % N), job
    log = n.log()
    assert "landed in block %d" % N in log, log[-3000:]
    assert "extrinsic included in block %d, but its events could not be read" % N in log

    # heads go on: nothing is read, retried or signed again
    for _ in range(3):
        node.new_head()
        time.sleep(1)                   # in all longer than a retry's 1 s wait
    assert node.events_read.count(A) == EVENTS_READS, node.events_read
    assert node.submitted == [xt], "exactly one submission, never signed again"
    assert done_record(n)["state"] == "done"


def test_era_ended_without_inclusion_signs_a_new_one(node, ngx):
    n = ngx
    t, out = post_commitment(n)
    xt1, signed_at = submitted_once(node, n)
    rec1 = done_record(n)["xt"]
    assert rec1["hex"] == xt1, rec1
    assert rec1["birth"] == signed_at and rec1["death"] == signed_at + ERA_PERIOD, rec1

    # the node took it, no block holds it: heads past its era's death, all scanned
    mark = len(n.log())
    node.new_head(rec1["death"] + 1 - node.head)
    assert wait_for(lambda: "not included before its era ended" in n.log()[mark:], 15), \
        n.log()[-3000:]
    assert block_hash(rec1["death"]) in node.read, "every block of its era was read"
    assert t.is_alive(), out

    # the writer tries again (1 s later) with a new extrinsic
    assert wait_for(lambda: len(node.submitted) >= 2, 15), n.log()[-3000:]
    xt2 = node.submitted[1]
    assert xt2 != xt1
    rec2 = done_record(n)["xt"]
    assert rec2["hex"] == xt2, rec2
    assert rec2["birth"] > rec1["death"] and rec2["death"] == rec2["birth"] + ERA_PERIOD, \
        (rec1, rec2)
    assert rec2["nonce"] == rec1["nonce"], "the first never landed: its nonce again"
    assert "attempt 1 failed: not included before its era ended" in n.log()[mark:]

    # that one lands, once
    M = include_in_the_next_block(node, "A", xt2)
    t.join(30)
    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    assert r.json() == {"detail": "Commitment set successfully."}
    job = done_record(n)
    assert job["state"] == "done", job
    assert job["xt"]["hex"] == xt2 and job["xt"]["block"] == M, job
    assert job["xt"]["block_hash"] == fork_hash("A", M), job
    assert "error" not in job, job
    in_blocks = [x for b in node.blocks.values() for x in b]
    assert sum(in_blocks.count(x) for x in set(node.submitted)) == 1
    assert node.submitted == [xt1, xt2], "no third extrinsic"


@pytest.mark.parametrize("error, text", [
    ({"code": 1010, "message": "Invalid Transaction",
      "data": "Transaction has a bad signature"},
     "1010: Invalid Transaction (Transaction has a bad signature)"),
    # chopsticks: ResponseError(1010, TransactionValidityError.toString()), no data
    ({"code": 1010, "message": json.dumps({"invalid": {"badProof": None}},
                                          separators=(",", ":"))},
     '1010: {"invalid":{"badProof":null}}'),
], ids=["node", "chopsticks"])
def test_bad_signature_is_final_not_retried(node, ngx, error, text):
    n = ngx
    node.refuse = error
    start = time.time()
    t, out = post_commitment(n)
    t.join(30)
    took = time.time() - start
    r = out["r"]
    assert r.status == 502, (r, n.log()[-3000:])
    assert r.json() == {"status_code": 502, "detail": text}, r.json()
    assert took < 5, took                       # a retry waits 1 s, then 2 s
    assert len(node.submitted) == 1, node.submitted
    job = done_record(n)
    assert job["state"] == "failed" and job["status"] == 502, job
    assert job["error"] == text, job
    assert job["attempts"] == 1, job
    time.sleep(2)
    assert len(node.submitted) == 1, "never retried"
    assert "attempt 1 failed" not in n.log(), n.log()[-3000:]

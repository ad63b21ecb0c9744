"""The inclusion scan follows the fork choice (issue 12), with the fake node serving the
recorded spec-343 runtime (test_writes_crv4_fakenode's WriteNode: it takes extrinsics).

A commitment job is submitted once; then the node's chain forks under it:

* fork A's blocks N, N+1 do not hold the extrinsic (the scan passes them); fork B replaces
  N.. and its block N holds the same bytes with a success event.  The job is done with fork
  B's block N (the job record's "xt"), the node saw exactly one author_submitExtrinsic,
  and error.log has the submitter's "reorg: inclusion scan goes back to block" notice.
* fork A's block N holds it, but its events cannot be read yet (the job is not finished);
  fork B's block N does not hold it.  The job must not report fork A's block (its events
  become readable after the reorg, as an orphan's state stays on a real node): the
  extrinsic goes back to waiting, is sent again with the SAME bytes, and is done with the
  fork B block that holds it.
* a helper killed (-9) right after it recorded the inclusion in fork A's block N (the
  "included" test hook, PYLON_TEST_HOOK), while the node switches to fork B whose N does
  not hold it: the next helper takes the job over and must check N is still on the chain
  (chain_getBlockHash) before reading its events (fork A's stay readable).  It forgets N,
  sends the same bytes again and is done with the later fork B block that takes them.
  Without a reorg the same takeover is done in fork A's N with the one submission.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time

import pytest

from fakenode import RpcError
from harness import Nginx, wait_for
from pylon import pylon_conf
from test_data_fakenode import MAINNET_BLOCK, SHARED, recorded
from test_data_fakenode import pytestmark  # noqa: F401  (fixture skip mark)
from test_writes_crv4_fakenode import WriteNode, jobs
import test_data_common as dc

WALLETS = os.path.join(SHARED, "fixtures", "wallet")
TOKEN = "rg-token"
EVENTS_KEY = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
OTHER_XT = "0x280403000b" + "00" * 8      # some other extrinsic before ours (index 0)

if not os.path.isdir(WALLETS) or shutil.which("mdb_dump") is None:
    pytestmark = pytest.mark.skip(reason="fixtures wallet or mdb_dump not found")


def fork_hash(tag, n):
    return "0x" + hashlib.sha256(b"xt fork %s %d" % (tag.encode(), n)).hexdigest()


def success_events(index):
    """Vec<EventRecord> of spec 343 with one System.ExtrinsicSuccess at ApplyExtrinsic(index):
    phase ApplyExtrinsic (0, u32), RuntimeEvent::System (0), ExtrinsicSuccess (0) with
    DispatchEventInfo {weight {ref_time, proof_size} compact, class Normal, pays Yes},
    no topics."""
    rec = b"\x00" + index.to_bytes(4, "little") + b"\x00\x00" + b"\x00\x00" + b"\x00\x00" \
        + b"\x00"
    return "0x04" + rec.hex()


class ForkNode(WriteNode):
    """WriteNode whose blocks hold chosen extrinsics and System.Events, by block hash.
    An Exception as a block's events is raised (the node answers an error); `refuse`, when
    set, is the JSON-RPC error object author_submitExtrinsic answers with (the bytes are
    still recorded in `submitted`)."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.blocks = {}                    # hash -> [extrinsic hex]
        self.events = {}                    # hash -> System.Events hex
        self.read = []                      # hashes of chain_getBlock calls
        self.events_read = []               # hashes of System.Events reads
        self.orphans = {}                   # hash -> number: replaced, still known
        self.refuse = None                  # error object for author_submitExtrinsic

    def number_of(self, h):
        if h in self.orphans:
            return self.orphans[h]
        return super().number_of(h)

    def answer(self, method, params):
        if method == "chain_getBlock":
            h = params[0]
            n = self.check(h)
            self.read.append(h)
            return {"block": {"header": self.header(n), "extrinsics": self.blocks.get(h, [])},
                    "justifications": None}
        if method == "state_getStorage" and params[0] == EVENTS_KEY:
            self.check(params[1])
            self.events_read.append(params[1])
            ev = self.events.get(params[1])
            if isinstance(ev, Exception):
                raise ev
            return ev
        if method == "author_submitExtrinsic" and self.refuse:
            self.submitted.append(params[0])
            raise RpcError(self.refuse)
        return super().answer(method, params)

    def fork(self, tag, first, last):
        """Blocks first..last become fork `tag`'s; the head is last (announced)."""
        for k in range(first, last + 1):
            if k in self.hashes:
                self.orphans[self.hashes[k]] = k
            self.hashes[k] = fork_hash(tag, k)
        self.head = last - 1
        return self.new_head()


@pytest.fixture
def node():
    nd = ForkNode(MAINNET_BLOCK)
    nd.hashes[MAINNET_BLOCK] = recorded()["hash"]
    nd.start()
    yield nd
    nd.stop()


def running(node, main_conf="", expect=None):
    """nginx with the identity's wallet, serving subnet 1; yields it, then cleans up."""
    wallets = tempfile.mkdtemp(prefix="pylon-wallets-")
    os.chmod(wallets, 0o755)
    shutil.copytree(os.path.join(WALLETS, "pylon"), os.path.join(wallets, "pylon"))
    n = Nginx(pylon_conf(node.url, extra_http=(
        "pylon_netuids 1; pylon_archive_network %s; pylon_wallet_path %s; "
        "pylon_commitment_retry 3 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=1 token=%s;"
        % (node.url, wallets, TOKEN))), main_conf=main_conf)
    if expect:
        n.expect_log(expect)
    n.start()
    try:
        assert wait_for(lambda: n.request(dc.routes(1)["neurons"]).status == 200, 30), \
            n.log()[-3000:]
        yield n
    finally:
        n.cleanup()
        shutil.rmtree(wallets, ignore_errors=True)


@pytest.fixture
def ngx(node):
    yield from running(node)


def post_commitment(n, path="/api/v1/identity/sn/subnet/1/commitments",
                    body=None):
    """POSTs body (a commitment by default) to path in a thread; out["r"] is the reply."""
    out = {}
    body = body if body is not None else {"commitment": "0x68656c6c6f"}

    def run():
        out["r"] = n.request(path, method="POST", body=json.dumps(body).encode(),
                             headers={"Authorization": "Bearer " + TOKEN,
                                      "Content-Type": "application/json",
                                      "X-Pylon-Timeout": "60"}, timeout=90)

    t = threading.Thread(target=run)
    t.start()
    return t, out


def submitted_once(node, n):
    assert wait_for(lambda: node.submitted, 30), n.log()[-3000:]
    return node.submitted[0], node.head        # the bytes, the head it was built on


def include_in_the_next_block(node, fork, xt):
    """The next head, on `fork`, holds xt with its success event; returns its number."""
    m = node.head + 1
    node.hashes[m] = fork_hash(fork, m)
    node.blocks[fork_hash(fork, m)] = [xt]
    node.events[fork_hash(fork, m)] = success_events(0)
    node.new_head()
    return m


def done_record(n, kind="commitment"):
    key, job = jobs(n, kind)[-1]
    return job


def test_reorg_finds_the_extrinsic_in_the_new_fork(node, ngx):
    n = ngx
    t, out = post_commitment(n)
    xt, signed_at = submitted_once(node, n)
    N = signed_at + 1

    # fork A: N and N+1 without it; the scan reads both
    for k in (N, N + 1):
        node.hashes[k] = fork_hash("A", k)
        node.new_head()
        assert wait_for(lambda: fork_hash("A", k) in node.read, 10), n.log()[-3000:]
    assert t.is_alive(), out

    # fork B replaces N..: its N holds the same bytes, with their success event
    node.blocks[fork_hash("B", N)] = [OTHER_XT, xt]
    node.events[fork_hash("B", N)] = success_events(1)
    mark = len(n.log())
    node.fork("B", N, N + 2)

    t.join(60)
    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    assert r.json() == {"detail": "Commitment set successfully."}
    job = done_record(n)
    assert job["state"] == "done", job
    assert job["xt"]["block"] == N and job["xt"]["block_hash"] == fork_hash("B", N), job
    assert job["xt"]["index"] == 1, job
    assert node.submitted == [xt], "exactly one submission, never signed again"
    log = n.log()[mark:]
    assert "reorg: inclusion scan goes back to block" in log, log[-3000:]
    assert "landed in block %d" % N in log, log[-3000:]


def test_inclusion_in_an_orphaned_block_is_never_reported(node, ngx):
    n = ngx
    t, out = post_commitment(n)
    xt, signed_at = submitted_once(node, n)
    N = signed_at + 1

    # fork A's N holds it, but its events cannot be read yet (the job waits)
    node.hashes[N] = fork_hash("A", N)
    node.blocks[fork_hash("A", N)] = [xt]
    node.new_head()
    assert wait_for(lambda: fork_hash("A", N) in node.events_read, 10), n.log()[-3000:]
    assert t.is_alive(), out

    # fork B replaces N.. without it; fork A's events are readable from now on
    node.events[fork_hash("A", N)] = success_events(0)
    mark = len(n.log())
    node.fork("B", N, N + 1)
    assert wait_for(lambda: "reorg: inclusion scan goes back to block" in n.log()[mark:],
                    10), n.log()[-3000:]
    for _ in range(3):                                  # heads go on, without it
        node.new_head()
        assert wait_for(lambda: node.hash_of(node.head) in node.read, 10), n.log()[-3000:]
    assert t.is_alive(), (out, n.log()[mark:][-3000:])
    assert "landed in block %d" % N not in n.log()[mark:], n.log()[-3000:]
    assert "may be orphaned by a reorg, looking for it again" in n.log()[mark:]
    assert done_record(n)["state"] != "done"

    # it was sent again, the same bytes (never signed anew)
    assert len(node.submitted) >= 2, n.log()[-3000:]
    assert set(node.submitted) == {xt}

    # fork B takes it in a later block: done there
    M = include_in_the_next_block(node, "B", xt)
    t.join(60)
    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    job = done_record(n)
    assert job["state"] == "done", job
    assert job["xt"]["block"] == M and job["xt"]["block_hash"] == fork_hash("B", M), job
    assert fork_hash("A", N) not in json.dumps(job)


# --- a helper killed after it recorded the inclusion (test_writes_once.py's hooks) ---

@pytest.fixture
def hookdir():
    d = tempfile.mkdtemp(prefix="pylon-hook-")
    os.chmod(d, 0o777)                  # as root the helper runs as nobody
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def hooked(node, hookdir):
    # the paused helper is killed on purpose
    yield from running(node, main_conf="env PYLON_TEST_HOOK=%s;" % hookdir,
                       expect=r"exited on signal 9")


def kill_paused_after_inclusion(node, n, hookdir, reorg):
    """POST a commitment; fork A's N holds it with a success event; the helper pauses right
    after recording that inclusion; with reorg, fork B (without it) replaces N.. then; the
    paused helper is killed (-9) and the next one takes the job over.  Returns the POST's
    thread and out, the bytes, N and the error.log offset of the takeover."""
    open(os.path.join(hookdir, "included"), "w").close()
    t, out = post_commitment(n)
    xt, signed_at = submitted_once(node, n)
    N = signed_at + 1
    node.hashes[N] = fork_hash("A", N)
    node.blocks[fork_hash("A", N)] = [OTHER_XT, xt]
    node.events[fork_hash("A", N)] = success_events(1)
    node.new_head()
    assert wait_for(lambda: "test hook: paused at included" in n.log(), 15), n.log()[-3000:]
    rec = done_record(n)
    assert rec["state"] != "done" and rec["xt"]["block_hash"] == fork_hash("A", N), rec
    if reorg:
        node.fork("B", N, N + 1)        # fork A's N stays readable, as an orphan's state does
    mark = len(n.log())
    helper = n.helpers()[0]
    os.kill(helper, signal.SIGKILL)
    assert wait_for(lambda: (lambda h: h and h[0] != helper)(n.helpers()), 10)
    return t, out, xt, N, mark


def heads_until(node, cond, timeout=30):
    """New heads, one a second, until cond (the new helper follows heads)."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        node.new_head()
        time.sleep(1)
    return cond()


def test_taken_over_inclusion_in_an_orphan_is_looked_for_again(node, hooked, hookdir):
    n = hooked
    t, out, xt, N, mark = kill_paused_after_inclusion(node, n, hookdir, reorg=True)
    A = fork_hash("A", N)

    # the next helper either checks N (orphaned) or, unchecked, reads fork A's events
    assert heads_until(node, lambda: "is orphaned" in n.log()[mark:]
                       or done_record(n)["state"] == "done"), n.log()[-3000:]
    assert not re.search(r"landed in block %d\b" % N, n.log()), n.log()[-3000:]
    for _ in range(2):                                  # heads go on, without it
        node.new_head()
        assert wait_for(lambda: node.hash_of(node.head) in node.read, 10), n.log()[-3000:]
    rec = done_record(n)
    assert rec["state"] != "done" and A not in json.dumps(rec), rec
    log = n.log()[mark:]
    assert "block %d %s recorded as holding its extrinsic is orphaned" % (N, A) in log, \
        log[-3000:]

    # sent again: the same bytes, never signed anew
    assert wait_for(lambda: len(node.submitted) >= 2, 10), n.log()[-3000:]
    assert set(node.submitted) == {xt}

    # fork B takes it in a later block: done there
    M = include_in_the_next_block(node, "B", xt)
    assert wait_for(lambda: done_record(n)["state"] == "done", 30), n.log()[-3000:]
    job = done_record(n)
    assert job["xt"]["block"] == M and job["xt"]["block_hash"] == fork_hash("B", M), job
    assert A not in json.dumps(job)
    assert re.search(r"landed in block %d\b" % M, n.log()[mark:]), n.log()[-3000:]
    assert not re.search(r"landed in block %d\b" % N, n.log()), n.log()[-3000:]
    assert set(node.submitted) == {xt}
    t.join(60)
    r = out["r"]
    assert r.status == 201, (r, n.log()[-3000:])
    assert r.json() == {"detail": "Commitment set successfully."}


def test_taken_over_inclusion_still_on_the_chain_is_done_there(node, hooked, hookdir):
    n = hooked
    t, out, xt, N, mark = kill_paused_after_inclusion(node, n, hookdir, reorg=False)
    A = fork_hash("A", N)

    assert heads_until(node, lambda: done_record(n)["state"] == "done"), n.log()[-3000:]
    job = done_record(n)
    assert job["xt"]["block"] == N and job["xt"]["block_hash"] == A, job
    assert job["xt"]["index"] == 1, job
    log = n.log()[mark:]
    assert "block %d %s holding its extrinsic is on the chain" % (N, A) in log, log[-3000:]
    assert re.search(r"landed in block %d\b" % N, log), log[-3000:]
    assert node.submitted == [xt], "exactly one submission"
    t.join(60)
    assert out["r"].status == 201, (out["r"], n.log()[-3000:])

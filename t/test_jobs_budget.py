"""The job queue has its own LMDB environment and budget (issue 11).

Jobs live in <cache>/jobs.mdb, a map of `pylon_cache ... jobs_size=`: a
flood of jobs fills only that, gets 503 with Retry-After in Pylon's
envelope and a log line, and the helper goes on writing chain data at new
heads.  A record too big for the map (MDB_MAP_FULL) is a 503 too, never a
500.  A newer PUT of weights for the same identity and mechanism deletes
the pending one at once: a thousand PUTs leave one record.
"""
import json
import os
import shutil
import subprocess

import pytest

from harness import wait_for
from pylon import pylon_conf
import test_data_common as dc
from test_data_fakenode import RECORDING, META343, META318, data_node  # noqa: F401

FIXTURES_OK = all(os.path.exists(p) for p in (RECORDING, META343, META318))
WALLETS = os.path.join(os.environ.get("PYLON_SHARED", os.path.join(dc.ROOT, "..", "shared")),
                       "fixtures", "wallet")
needs = pytest.mark.skipif(
    not FIXTURES_OK or not os.path.isdir(WALLETS) or shutil.which("mdb_dump") is None,
    reason="recorded fixtures, wallet fixtures or mdb_dump (lmdb-utils) not found")

TOKEN = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}


def conf(node, jobs_size="1m"):
    return pylon_conf(node.url, cache_extra=" max_size=64m jobs_size=%s" % jobs_size,
                      extra_http=(
                          "pylon_netuids 1; pylon_archive_network %s; "
                          "pylon_wallet_path %s; "
                          "pylon_identity sn1 wallet=pylon hotkey=pylon netuid=1 token=s3cret; "
                          "pylon_weights_retry 200 1s; client_max_body_size 4m;"
                          % (node.url, WALLETS)))


def served(n, path):
    r = n.request(path)
    return r if r.status == 200 else None


def job_records(n):
    """{key: value} of the jobs environment (mdb_dump of <cache>/jobs.mdb)."""
    path = os.path.join(n.prefix, "data", "cache", "jobs.mdb")
    r = subprocess.run(["mdb_dump", "-n", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    start = lines.index("HEADER=END") + 1
    out = {}
    for k, v in zip(lines[start::2], lines[start + 1::2]):
        if k == "DATA=END":
            break
        out[bytes.fromhex(k.strip()).decode()] = bytes.fromhex(v.strip()).decode()
    return out


def job_keys(n):
    return list(job_records(n))


def weights_body(count, tag, pad=8):
    return json.dumps({"weights": {"5%s%040d%s" % (tag, i, "x" * pad): 1.0
                                   for i in range(count)}}).encode()


def put_weights(n, body, mechanism=0):
    return n.request("/api/v1/identity/sn1/subnet/1/weights?mechanism=%d" % mechanism,
                     method="PUT", body=body, headers=TOKEN, timeout=30)


def assert_503_envelope(r):
    assert r.status == 503, r
    assert int(r.header("Retry-After")) > 0, r
    body = r.json()
    assert body["status_code"] == 503, body
    assert "job queue is full" in body["detail"], body


@needs
def test_job_flood_gets_503_and_chain_data_goes_on(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    helper = n.helpers()[0]
    assert not any(k.startswith("J/") for k in dc.cache_records(
        os.path.join(n.prefix, "data", "cache"))), "jobs are not among the chain data"

    # each mechanism its own job of ~120 KB: the 1m map's budget is half
    body = weights_body(2000, "a")
    statuses = []
    for mech in range(40):
        r = put_weights(n, body, mech)
        statuses.append(r.status)
        if r.status != 200:
            break
    assert statuses[0] == 200 and statuses.count(200) >= 2, statuses
    assert_503_envelope(r)
    assert wait_for(lambda: "over its budget" in n.log(), 5), n.log()[-3000:]

    # the queue is full for every kind: an uncached fetch is 503 as well
    r = n.request(dc.routes(1, 990)["neurons"], headers={"X-Pylon-Timeout": "5"})
    assert_503_envelope(r)

    # ... while the helper writes chain data at new heads
    for _ in range(3):
        head = node.new_head()
        assert wait_for(lambda: (lambda r: r and r.json()["block"]["number"] == head)(
            served(n, dc.routes(1)["neurons"])), 30), n.log()[-3000:]
        assert wait_for(lambda: (lambda r: r and r.json()["number"] == head)(
            served(n, "/api/v1/block/latest")), 10)
    assert n.helpers() == [helper]


@needs
def test_record_bigger_than_the_map_is_503_not_500(nginx_factory, data_node):
    """MDB_MAP_FULL while a worker queues a job: 503 and a log line."""
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    r = put_weights(n, weights_body(4000, "b", 400))      # ~1.8 MB of params
    assert_503_envelope(r)
    assert wait_for(lambda: "MDB_MAP_FULL" in n.log(), 5), n.log()[-3000:]
    # a normal PUT still goes through
    assert put_weights(n, weights_body(3, "c")).status == 200
    # a 1.8 MB body was read from memory, not spilled to a temporary file
    # (client_body_buffer_size follows client_max_body_size in pylon
    # locations: no blocking file read in the worker)
    assert "buffered to a temporary file" not in n.log()


@needs
def test_thousand_puts_leave_one_weights_record(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node, "8m"))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    for i in range(1000):
        r = put_weights(n, weights_body(3, "%04d" % i))
        assert r.status == 200, (i, r)

    def records():
        return [k for k, v in job_records(n).items()
                if k.startswith("J/") and json.loads(v)["kind"] == "weights"]

    # the pending ones went at once; the few the helper had started are
    # cancelled and go when it reaches their next attempt
    got = records()
    assert len(got) <= 5, (len(got), n.log()[-3000:])
    assert len([k for k in job_keys(n) if k.startswith("P/weights/")]) <= 1
    assert wait_for(lambda: len(records()) <= 1, 30), (job_records(n), n.log()[-3000:])

    # weights/status still sees the newest job in this epoch
    head = dc_head(n)
    r = n.request("/api/_unstable/identity/sn1/subnet/1/mechanism/0/block/%d/weights/status" % head,
                  headers=TOKEN)
    assert r.status == 200, r
    assert r.json() == {"weights_submitted": True}, r


def dc_head(n):
    r = served(n, "/api/v1/block/latest")
    assert r, n.log()[-3000:]
    return r.json()["number"]


@pytest.mark.parametrize("arg,ok", [
    ("jobs_size=16m", True), ("max_size=64m jobs_size=2m", True),
    ("jobs_size=abc", False), ("jobs_size=10k", False), ("jobs_size=", False),
])
def test_nginx_t_checks_jobs_size_naming_the_directive(arg, ok):
    import re
    from harness import Nginx
    n = Nginx("pylon_cache @PREFIX@/data/c %s; server { listen 127.0.0.1:@PORT@; "
              "location / { pylon_subnet on; } }" % arg)
    try:
        r = n.test_config()
    finally:
        n.cleanup()
    if ok:
        assert r.returncode == 0, r.stderr
    else:
        assert r.returncode != 0
        assert 'invalid jobs_size' in r.stderr and '"pylon_cache" directive' in r.stderr, r.stderr
        assert re.search(r"nginx\.conf:\d+", r.stderr), r.stderr

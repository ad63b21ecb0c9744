"""No input crashes a worker (issue 11): error paths that freed a body twice
or sent one from a released job, parameters that named another subnet,
bodies built to make the worker spin before any token is checked.

Every nginx here is checked at teardown by the harness (error.log clean:
no `exited on signal`, no `double free`, no sanitizer report); tests that
matter most also check mid-way, while the same worker still serves.
"""
import json
import os
import socket
import time

import pytest

from harness import wait_for
from pylon import pylon_conf
import test_data_common as dc
from test_data_fakenode import RECORDING, META343, META318, data_node  # noqa: F401

FIXTURES_OK = all(os.path.exists(p) for p in (RECORDING, META343, META318))
needs_fixtures = pytest.mark.skipif(not FIXTURES_OK, reason="recorded fixtures not found")


def conf(node, extra=""):
    return pylon_conf(node.url, extra_http="pylon_netuids 1; pylon_archive_network %s; %s"
                      % (node.url, extra))


def served(n, path):
    r = n.request(path)
    return r if r.status == 200 else None


def worker_pids(n):
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if b"worker process" in cmd and ppid == n.proc.pid:
            out.append(int(pid))
    return sorted(out)


def clean(n):
    log = n.log()
    for bad in ("exited on signal", "double free", "AddressSanitizer",
                "runtime error:", "MDB_BAD_TXN"):
        assert bad not in log, log[-3000:]


@needs_fixtures
def test_failed_fetch_sends_its_body_intact(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    workers = worker_pids(n)
    # subnet 7 is not in the recording: the helper's fetch fails with a body
    for _ in range(5):
        r = n.request(dc.routes(7)["neurons"], timeout=30)
        assert 500 <= r.status <= 599, r
        body = r.json()
        assert body["status_code"] == r.status, body
        assert isinstance(body["detail"], str) and body["detail"], body
    assert worker_pids(n) == workers
    clean(n)


@needs_fixtures
def test_netuid_outside_u16_is_400_and_no_job(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    calls = len(node.state_calls)
    for netuid in ("4294967297", "65536", "-1", "18446744073709551617",
                   "9223372036854775807"):
        path = "/api/v1/subnet/%s/block/latest/neurons" % netuid
        r = n.request(path)
        assert 400 <= r.status < 500, (netuid, r)
        body = r.json()
        assert body["status_code"] == r.status, body
        if r.status == 400:
            assert body["extra"][0]["key"] == "netuid", body
        assert "neurons" not in body
    assert len(node.state_calls) == calls, "no fetch for a netuid outside 0..65535"


@needs_fixtures
def test_negative_and_far_blocks_are_404_and_no_job(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    calls = len(node.state_calls)
    for block in (-2, -1000, 1001, 10 ** 12):
        r = n.request(dc.routes(1, block)["neurons"])
        assert r.status == 404, (block, r)
        assert r.json() == {"status_code": 404, "detail": "Block %d not found." % block}
    assert len(node.state_calls) == calls


def test_invalid_utf8_uri_is_4xx(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url))
    for raw in (b"/api/v1/subnet/1/block/latest/certificates/\xff\xfe",
                b"/api/v1/identity/\xc3\x28/subnet/1/block/latest/neurons",
                b"/api/v1/subnet/1/block/latest/commitments/%ff%c0%af"):
        s = socket.create_connection(("127.0.0.1", n.port), 5)
        s.sendall(b"GET " + raw + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        status = int(data.split(b" ", 2)[1])
        assert 400 <= status < 500, (raw, data[:300])
    clean(n)


def fnv_low16_colliding_keys(stages=15):
    """Names built of 3-byte blocks, two choices per stage reaching the same
    low 16 bits of FNV-1a-32 (its low bits depend only on low bits): every
    name lands in one probe chain of the old unseeded duplicate check."""
    def step(h, c):
        return ((h ^ c) * 16777619) & 0xffffffff
    letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    s, pairs = 2166136261, []
    for _ in range(stages):
        seen, found = {}, None
        for x in letters:
            hx = step(s, x)
            for y in letters:
                hy = step(hx, y)
                for z in letters:
                    hz = step(hy, z)
                    t = hz & 0xffff
                    if t in seen:
                        found = (seen[t], bytes((x, y, z)), hz)
                        break
                    seen[t] = bytes((x, y, z))
                if found:
                    break
            if found:
                break
        pairs.append(found[:2])
        s = found[2]
    for k in range(1 << stages):
        yield b"".join(pairs[i][(k >> i) & 1] for i in range(stages))


def colliding_body(size=1 << 20):
    out, total = [], 2
    for k in fnv_low16_colliding_keys():
        if total + len(k) + 5 > size:
            break
        out.append(b'"' + k + b'":1')
        total += len(k) + 5
    return b"{" + b",".join(out) + b"}"


WALLETS = os.path.join(os.environ.get("PYLON_SHARED", os.path.join(dc.ROOT, "..", "shared")),
                       "fixtures", "wallet")


def plain_body(size=1 << 20):
    out, total, i = [], 2, 0
    while total + 50 < size:
        out.append(b'"key%041d":1' % i)
        total += 50
        i += 1
    return b"{" + b",".join(out) + b"}"


@pytest.mark.skipif(not os.path.isdir(WALLETS), reason="wallet fixtures not found")
def test_colliding_keys_body_is_answered_quickly(nginx_factory, fake_node):
    """1 MB of keys colliding under the old hash costs about what 1 MB of
    ordinary keys costs (it took ~20x as long before the seeded hash)."""
    n = nginx_factory(pylon_conf(fake_node.url, extra_http=(
        "pylon_wallet_path %s; pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 "
        "token=s3cret; client_max_body_size 2m;" % WALLETS)))
    hostile, plain = colliding_body(), plain_body()
    assert len(hostile) > 1000000 and len(plain) > 1000000

    def post(path, body):
        start = time.monotonic()
        r = n.request(path, method="POST", body=body,
                      headers={"Content-Type": "application/json"}, timeout=30)
        assert 400 <= r.status < 500, (path, r)
        assert r.json()["status_code"] == r.status
        return time.monotonic() - start

    for path in ("/api/v1/login/identity/sn1",
                 "/api/v1/identity/sn1/subnet/2/commitments"):
        base = min(post(path, plain) for _ in range(3))
        took = min(post(path, hostile) for _ in range(2))
        assert took < 2.0, (path, took)
        assert took < max(0.3, 5 * base), (path, took, base)
    clean(n)


@pytest.mark.skipif(not os.path.isdir(WALLETS), reason="wallet fixtures not found")
def test_tokenless_identity_session_opens_only_its_routes(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url, extra_http=(
        "pylon_wallet_path %s; pylon_identity free wallet=pylon hotkey=pylon netuid=2; "
        "pylon_open_access_token opensesame;" % WALLETS)))
    t = n.test_config()
    assert 'pylon identity "free"' in t.stderr and "has no token" in t.stderr, t.stderr
    r = n.request("/api/v1/login/identity/free", method="POST",
                  body=json.dumps({"token": "", "identity_name": "free"}).encode(),
                  headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    cookie = r.header("Set-Cookie").split(";")[0]
    # its own routes: past auth (503: no data yet, or 200)
    own = n.get("/api/v1/identity/free/subnet/2/block/recent/neurons",
                headers={"Cookie": cookie})
    assert own.status in (200, 503), own
    for url in ("/api/v1/subnet/2/block/recent/neurons",
                "/api/v1/subnet/1/block/latest/neurons"):
        r = n.get(url, headers={"Cookie": cookie})
        assert r.status == 401, (url, r)
        assert r.json()["status_code"] == 401
    assert n.get("/api/v1/subnet/2/block/recent/neurons",
                 headers={"Authorization": "Bearer opensesame"}).status in (200, 503)
    clean(n)


def readable_as(uid, pid):
    """Can a process of uid (no capabilities) read pid's memory?"""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        ok = b"0"
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with open("/proc/%d/maps" % pid) as maps:
                start = int(maps.readline().split("-")[0], 16)
            with open("/proc/%d/mem" % pid, "rb", 0) as mem:
                mem.seek(start)
                mem.read(16)
            ok = b"1"
        except (OSError, ValueError):
            pass
        os.write(w, ok)
        os._exit(0)
    os.close(w)
    got = os.read(r, 1)
    os.close(r)
    os.waitpid(child, 0)
    return got == b"1"


def test_helper_memory_is_not_readable_by_workers(nginx_factory, fake_node):
    """prctl(PR_SET_DUMPABLE, 0): a process of the workers' uid cannot read
    the helper's memory (it can read a worker's)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to take the workers' uid")
    n = nginx_factory(pylon_conf(fake_node.url))
    helper = wait_for(n.helpers, 5)[0]
    worker = wait_for(n.workers, 5)[0]
    with open("/proc/%d/status" % worker) as f:
        uid = int([x for x in f if x.startswith("Uid:")][0].split()[1])
    if uid == 0:
        pytest.skip("the workers run as root here")
    time.sleep(0.5)                      # the helper is past its start
    assert readable_as(uid, worker), "sanity: a worker is readable by its uid"
    assert not readable_as(uid, helper), "the helper's memory is readable"
    clean(n)


@pytest.mark.skipif(not os.path.isdir(WALLETS), reason="wallet fixtures not found")
def test_session_cookie_is_secure_over_tls(nginx_factory, fake_node, tmp_path):
    import http.client
    import ssl
    import subprocess
    crt, key = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")
    os.chmod(str(tmp_path), 0o755)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", crt],
                   capture_output=True, check=True)
    conf = pylon_conf(fake_node.url, extra_http=(
        "pylon_wallet_path %s; pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 "
        "token=s3cret;" % WALLETS))
    conf = conf.replace("listen 127.0.0.1:@PORT@;",
                        "listen 127.0.0.1:@PORT@ ssl; ssl_certificate %s; "
                        "ssl_certificate_key %s; listen 127.0.0.1:@PORT2@;" % (crt, key))
    from harness import free_port
    plain_port = free_port()
    conf = conf.replace("@PORT2@", str(plain_port))
    n = nginx_factory(conf)
    body = json.dumps({"token": "s3cret", "identity_name": "sn1"}).encode()
    ctx = ssl.create_default_context(cafile=crt)
    c = http.client.HTTPSConnection("127.0.0.1", n.port, context=ctx, timeout=5)
    c.request("POST", "/api/v1/login/identity/sn1", body=body,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200
    assert "; Secure" in r.getheader("Set-Cookie"), r.getheader("Set-Cookie")
    c = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=5)
    c.request("POST", "/api/v1/login/identity/sn1", body=body,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200
    assert "Secure" not in r.getheader("Set-Cookie")
    clean(n)


@needs_fixtures
def test_client_that_closes_ends_its_wait_at_once(nginx_factory, data_node):
    node = data_node(1000)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    node.mode = "silent"                       # the fetch will wait
    s = socket.create_connection(("127.0.0.1", n.port), 5)
    s.sendall(b"GET " + dc.routes(1, 990)["neurons"].encode() +
              b" HTTP/1.1\r\nHost: x\r\nX-Pylon-Timeout: 60\r\n\r\n")
    time.sleep(0.5)
    s.close()
    def logged():
        return "client prematurely closed connection" in n.log()

    assert wait_for(logged, 5), "the request waited on after its client left"
    clean(n)


@needs_fixtures
def test_ten_thousand_uncached_fetches_leave_helper_and_chain_data_healthy(
        nginx_factory, data_node):
    import concurrent.futures
    import http.client
    node = data_node(1000)
    n = nginx_factory(conf(node), workers=2)
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    helper = n.helpers()[0]
    node.mode = "silent"                       # fetches hang: jobs pile up

    def get(k):
        # distinct historical (netuid, block) pairs: each one a new job
        c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
        try:
            c.request("GET", dc.routes(2 + k // 999, 1 + k % 999)["neurons"],
                      headers={"X-Pylon-Timeout": "1"})
            r = c.getresponse()
            body = r.read()
            return r.status, r.getheader("Retry-After"), body
        finally:
            c.close()

    statuses = {}
    busy = None
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        for status, retry, body in pool.map(get, range(10000)):
            statuses[status] = statuses.get(status, 0) + 1
            if status == 503 and retry:
                busy = (retry, body)
    assert sum(statuses.values()) == 10000
    assert set(statuses) <= {503, 504, 502, 500}, statuses
    assert busy, statuses
    assert int(busy[0]) > 0
    assert json.loads(busy[1])["status_code"] == 503

    # the helper runs them a few at a time (NGX_PYLON_FETCH_RUNNING)
    from test_jobs_budget import job_records
    jobs = job_records(n)
    running = [k for k, v in jobs.items() if k.startswith("J/")
               and json.loads(v)["kind"] == "fetch" and json.loads(v)["state"] == "running"]
    assert 1 <= len(running) <= 8, len(running)

    # the chain data goes on being written, by the same helper
    node.mode = "ok"
    head = node.new_head()
    assert wait_for(lambda: (lambda r: r and r.json()["block"]["number"] == head)(
        served(n, dc.routes(1)["neurons"])), 30), \
        "\n".join(x for x in n.log().splitlines() if "helper" in x)[-5000:]
    assert n.helpers() == [helper]
    from test_jobs_budget import job_records
    jobs = job_records(n)
    # the cap is on fetch jobs (NGX_PYLON_FETCH_MAX); other kinds, such as
    # the "use" marks of tracked subnets, have their own P/<kind>/ keys
    pending = [k for k in jobs if k.startswith("P/fetch/")]
    assert len(pending) <= 256, len(pending)
    clean(n)


def test_crash_check_sees_dead_processes_and_memory_errors():
    """The teardown check of every nginx (t/lib/harness.py log_problems):
    it must flag what the issue's crashes left in error.log, and let
    through what a test announced."""
    from harness import log_problems
    seen = [
        "2026/01/01 00:00:00 [alert] 1#1: worker process 77 exited on signal 6",
        "free(): double free detected in tcache 2",
        "==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x6",
        "src/x.c:1:2: runtime error: signed integer overflow",
        "2026/01/01 00:00:00 [alert] 1#1: pylon: something nobody expected",
        "2026/01/01 00:00:00 [emerg] 1#1: pylon helper: cannot open",
        "2026/01/01 00:00:00 [error] 1#1: pylon helper: job scan failed: "
        "mdb_cursor_get: MDB_BAD_TXN: Transaction must abort",
    ]
    fine = [
        "2026/01/01 00:00:00 [error] 1#1: pylon: cannot queue a fetch job",
        "2026/01/01 00:00:00 [info] 1#1: pylon helper: job done",
    ]
    assert log_problems("\n".join(seen + fine)) == seen
    killed = "2026/01/01 00:00:00 [alert] 1#1: cache manager process 9 exited on signal 9"
    assert log_problems(killed, expect=[r"cache manager process \d+ exited on signal 9"]) == []
    assert log_problems(killed) == [killed]


"""GET /metrics: Pylon's bearer guard, request metrics shared by the workers, the helper's families."""
import concurrent.futures
import http.client
import math
import os
import signal
import time

from harness import wait_for
from pylon import pylon_conf, wait_block
import prom

TOKEN = "s3cret-token"
AUTH = {"Authorization": "Bearer " + TOKEN}
LATEST = "/api/v1/block/latest"


def start(nginx_factory, node, token=TOKEN, workers=1, extra=""):
    line = "pylon_metrics_token %s;" % token if token is not None else ""
    return nginx_factory(pylon_conf(node.url, extra_http=line + extra,
                                    location_extra="add_header X-Worker $pid always;"),
                         workers=workers)


def scrape(n):
    r = n.get("/metrics", headers=AUTH)
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return prom.parse(r.body.decode())


def requests_total(fams, path, status, method="GET"):
    return prom.value(fams, "pylon_requests_total", method=method, path=path,
                      status_code=status, app_name="bittensor-pylon") or 0


# -- authorisation (spec §2), in the guard's order ---------------------------------------------

def forbidden(r, detail):
    assert r.status == 403, r
    assert r.json() == {"status_code": 403, "detail": detail}
    assert r.header("Content-Type") == "application/json"


def test_metrics_without_a_token_configured_is_403_whatever_is_sent(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, token=None)
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        forbidden(n.get("/metrics", headers=headers), "Metrics endpoint is not configured")


def test_metrics_empty_token_counts_as_not_configured(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, token='""')
    forbidden(n.get("/metrics", headers={"Authorization": "Bearer x"}),
              "Metrics endpoint is not configured")


def unauthorized(r, detail):
    assert r.status == 401, r
    assert r.json() == {"status_code": 401, "detail": detail}
    assert r.header("Content-Type") == "application/json"


def test_metrics_header_checks_in_order(nginx_factory, fake_node):
    """Pylon v2's guard (pylon-v2.md §9): header problems 401, another token 403."""
    n = start(nginx_factory, fake_node)
    unauthorized(n.get("/metrics"), "Authorization header is required")
    unauthorized(n.get("/metrics", headers={"Authorization": ""}),
                 "Authorization header is required")
    fmt = "Invalid Authorization header format. Expected: Bearer <token>"
    for bad in ("Bearer", "Basic " + TOKEN, "Bearer %s extra" % TOKEN, TOKEN,
                "Bearer-" + TOKEN, "Token " + TOKEN):
        unauthorized(n.get("/metrics", headers={"Authorization": bad}), fmt)
    for wrong in ("Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN[:-1],
                  "bearer " + TOKEN.upper()):
        forbidden(n.get("/metrics", headers={"Authorization": wrong}),
                  "Invalid authorization token")


def test_metrics_bearer_is_case_insensitive_and_whitespace_is_python_split(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for good in ("Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN,
                 "Bearer    " + TOKEN, "Bearer\t" + TOKEN, "Bearer \x0b" + TOKEN):
        assert n.get("/metrics", headers={"Authorization": good}).status == 200, repr(good)


def test_metrics_token_from_a_file_is_trimmed(nginx_factory, fake_node, tmp_path):
    f = tmp_path / "token"
    f.write_text("\n  file-token-42 \t\n")
    os.chmod(tmp_path, 0o755)
    n = start(nginx_factory, fake_node, token="file=%s" % f)
    assert n.get("/metrics", headers={"Authorization": "Bearer file-token-42"}).status == 200
    forbidden(n.get("/metrics", headers={"Authorization": "Bearer file=%s" % f}),
              "Invalid authorization token")


def test_metrics_token_file_errors_fail_the_config_test(nginx_factory, fake_node, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text(" \n")
    for token, message in (("file=%s" % empty, "is empty"),
                           ("file=%s" % (tmp_path / "absent"), "cannot open the token file"),
                           ("file=", "invalid")):
        n = nginx_factory(pylon_conf(fake_node.url, extra_http="pylon_metrics_token %s;" % token),
                          start=False)
        t = n.test_config()
        assert t.returncode != 0, token
        assert message in t.stderr and "pylon_metrics_token" in t.stderr, t.stderr


def test_metrics_token_directive_twice_is_rejected(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url, extra_http="pylon_metrics_token a; "
                                 "pylon_metrics_token b;"), start=False)
    t = n.test_config()
    assert t.returncode != 0 and "is duplicate" in t.stderr


def test_metrics_takes_x_pylon_timeout_like_every_route(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=5)
    try:
        c.request("GET", "/metrics", headers=dict(AUTH, **{"X-Pylon-Timeout": "abc"}))
        r = c.getresponse()
        assert r.status == 400
        assert r.read() == (b'{"status_code":400,"detail":'
                            b'"Invalid X-Pylon-Timeout header value: abc"}')
        # the same connection goes on cleanly: nothing else was sent after the envelope
        c.request("GET", "/metrics", headers=dict(AUTH, **{"X-Pylon-Timeout": "60.0"}))
        r = c.getresponse()
        assert r.status == 200
        prom.parse(r.read().decode())
    finally:
        c.close()
    assert "header already sent" not in n.log()


# -- the request families --------------------------------------------------------------------

def test_metrics_exposition_parses_with_the_spec_families(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_up") == 1.0, 5)
    fams = scrape(n)
    expect = {"pylon_requests_total": "counter", "pylon_request_duration_seconds": "histogram",
              "pylon_requests_in_progress": "gauge", "pylon_requests_error_total": "counter",
              "pylon_bittensor_operation_duration_seconds": "histogram",
              "pylon_bittensor_fallback_total": "counter",
              "pylon_apply_weights_job_duration_seconds": "histogram",
              "pylon_apply_weights_attempt_duration_seconds": "histogram",
              "pylon_set_commitment_job_duration_seconds": "histogram",
              "pylon_cache_hits_total": "counter", "pylon_cache_misses_total": "counter",
              "pylon_helper_up": "gauge", "pylon_helper_connected": "gauge",
              "pylon_head_block": "gauge", "pylon_head_age_seconds": "gauge"}
    for name, t in expect.items():
        assert name in fams, name
        assert fams[name]["type"] == t, name
        assert fams[name]["help"], name
    # the scrape itself is in progress while it renders, with Litestar's status at increment
    assert prom.value(fams, "pylon_requests_in_progress", method="GET", path="/metrics",
                      status_code="200", app_name="bittensor-pylon") == 1.0


def test_requests_are_counted_by_route_template_method_and_status(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for _ in range(7):
        assert n.get(LATEST).status in (200, 503)
    assert n.get(LATEST + "/").status in (200, 503)     # same template
    assert n.request(LATEST, method="OPTIONS").status == 204
    assert n.request(LATEST, method="POST", body=b"{}").status == 405   # not counted (Litestar)
    assert n.get("/api/v1/nope").status == 404                          # not counted
    fams = scrape(n)
    assert requests_total(fams, LATEST, 200) + requests_total(fams, LATEST, 503) == 8
    assert requests_total(fams, LATEST, 204, method="OPTIONS") == 1
    assert requests_total(fams, LATEST, 405, method="POST") == 0
    paths = {lab["path"] for _, lab, _ in fams["pylon_requests_total"]["samples"]}
    assert paths == {LATEST}, paths       # the scrape is counted once it has finished
    fams = scrape(n)
    assert requests_total(fams, "/metrics", 200) == 1
    assert prom.value(fams, "pylon_requests_in_progress", method="GET", path=LATEST,
                      status_code="200", app_name="bittensor-pylon") == 0.0


def test_path_label_is_the_route_template_with_parameter_names(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    # requests that end before any chain data is needed (a negative block is not found)
    asked = {"/api/v1/subnet/7/block/-5/neurons":
             "/api/v1/subnet/{netuid}/block/{block_number}/neurons",
             "/api/_unstable/subnet/1_0/block/-3/validators":
             "/api/_unstable/subnet/{netuid}/block/{block_number}/validators",
             # and unknown identities (404 before the handler)
             "/api/v1/identity/nobody/subnet/3/block/12/validators":
             "/api/v1/identity/{identity_name}/subnet/{netuid}/block/{block_number}/validators",
             "/api/_unstable/identity/nobody/subnet/3/block/latest/commitments/5Fabc":
             "/api/_unstable/identity/{identity_name}/subnet/{netuid}/block/latest/commitments/"
             "{hotkey}",
             "/api/v1/identity/nobody/subnet/3/block/latest/certificates/self":
             "/api/v1/identity/{identity_name}/subnet/{netuid}/block/latest/certificates/self"}
    statuses = {}
    for path in asked:
        r = n.get(path)
        assert r.json() != {"status_code": 404, "detail": "Not Found"}, path   # a route matched
        statuses[path] = r.status
    r = n.request("/api/v1/login/identity/nobody", method="POST", body=b'{"token": "t"}')
    assert r.status == 404
    asked["/api/v1/login/identity/nobody"] = "/api/v1/login/identity/{identity_name}"
    statuses["/api/v1/login/identity/nobody"] = 404
    fams = scrape(n)
    for path, tmpl in asked.items():
        method = "POST" if "login" in path else "GET"
        assert requests_total(fams, tmpl, statuses[path], method) == 1, (tmpl, statuses[path])
    raw = {lab["path"] for _, lab, _ in fams["pylon_requests_total"]["samples"]}
    assert not raw & set(asked), "raw paths must never be labels"
    assert "worker process" not in n.log() or "exited on signal" not in n.log()


def test_forbidden_scrapes_are_counted_as_403(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for _ in range(3):
        assert n.get("/metrics", headers={"Authorization": "Bearer wrong"}).status == 403
    assert n.get("/metrics").status == 401
    fams = scrape(n)
    assert requests_total(fams, "/metrics", 403) == 3
    assert requests_total(fams, "/metrics", 401) == 1


def test_errors_and_cache_misses_are_counted(nginx_factory, fake_node):
    fake_node.mode = "silent"
    n = start(nginx_factory, fake_node)
    for _ in range(4):
        assert n.get(LATEST).status == 503
    fams = scrape(n)
    assert requests_total(fams, LATEST, 503) == 4
    assert prom.value(fams, "pylon_requests_error_total", method="GET", path=LATEST,
                      status_code="503", app_name="bittensor-pylon") == 4
    assert prom.value(fams, "pylon_cache_misses_total") == 4
    assert prom.value(fams, "pylon_cache_hits_total") == 0


def test_cache_hits_are_counted(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    before = prom.value(scrape(n), "pylon_cache_hits_total")
    for _ in range(5):
        n.get(LATEST)
    assert prom.value(scrape(n), "pylon_cache_hits_total") == before + 5


def test_histogram_buckets_are_cumulative_with_the_default_bounds(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for _ in range(20):
        n.get("/schema/openapi.json")
    hs = prom.histograms(scrape(n), "pylon_request_duration_seconds")
    key = (("app_name", "bittensor-pylon"), ("method", "GET"),
           ("path", "/schema/openapi.json"), ("status_code", "200"))
    h = hs[key]
    bounds = [b for b, _ in h["buckets"]]
    assert bounds == [.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10, math.inf]
    counts = [c for _, c in h["buckets"]]
    assert counts == sorted(counts), counts
    assert counts[-1] == h["count"] == 20
    assert 0 < h["sum"] < 20 * 10
    assert counts[0] >= 1                 # a ready answer is well under 5 ms


def test_counts_are_shared_by_two_workers(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, workers=2)
    wait_block(n, fake_node.head)
    assert len(n.workers()) == 2
    pids = set()
    total = requests_total(scrape(n), LATEST, 200)

    def one(_):
        c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=5)
        try:
            c.request("GET", LATEST)
            r = c.getresponse()
            r.read()
            return r.status, r.getheader("X-Worker")
        finally:
            c.close()

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        deadline = time.time() + 20
        while time.time() < deadline and (len(pids) < 2 or total < 200):
            for status, pid in ex.map(one, range(50)):
                assert status == 200
                pids.add(pid)
                total += 1
    assert len(pids) == 2, "both workers must have served (saw %s)" % pids
    # every scrape sees the same total, whichever worker renders it
    for _ in range(6):
        assert requests_total(scrape(n), LATEST, 200) == total


def test_counts_survive_a_reload(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    for _ in range(5):
        n.get(LATEST)
    count = requests_total(scrape(n), LATEST, 200)
    assert count >= 5
    old = set(n.workers())
    n.reload()
    assert wait_for(lambda: n.workers() and not (set(n.workers()) & old), 10)
    assert requests_total(scrape(n), LATEST, 200) == count


# -- the helper's families ---------------------------------------------------------------------

def op_count(fams, operation, status="success"):
    return prom.value(fams, "pylon_bittensor_operation_duration_seconds_count",
                      operation=operation, status=status, uri=FAKE_URI[0],
                      netuid="N/A", hotkey="N/A") or 0


FAKE_URI = [None]


def test_helper_chain_calls_grow_as_blocks_arrive(nginx_factory, fake_node):
    FAKE_URI[0] = fake_node.url
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    assert wait_for(lambda: op_count(scrape(n), "state_getStorage") >= 1, 5)
    fams = scrape(n)
    before = op_count(fams, "chain_getBlockHash")
    sent = prom.value(fams, "pylon_chain_calls_sent_total", method="chain_getBlockHash",
                      uri=fake_node.url)
    assert before >= 1 and sent >= before
    for _ in range(3):
        wait_block(n, fake_node.new_head())
    assert wait_for(lambda: op_count(scrape(n), "chain_getBlockHash") >= before + 3, 5)
    fams = scrape(n)
    assert op_count(fams, "chain_getHeader") >= 1
    assert op_count(fams, "chain_subscribeNewHeads") >= 1
    hs = prom.histograms(fams, "pylon_bittensor_operation_duration_seconds")
    for labels, h in hs.items():
        bounds = [b for b, _ in h["buckets"]]
        assert bounds == [.1, .5, 1, 2, 5, 10, 30, 60, 120, math.inf], labels
        counts = [c for _, c in h["buckets"]]
        assert counts == sorted(counts) and counts[-1] == h["count"], labels


def test_helper_state_gauges(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_up") == 1.0, 5)
    fams = scrape(n)
    assert prom.value(fams, "pylon_helper_connected") == 1.0
    assert prom.value(fams, "pylon_head_block") == fake_node.head
    assert 0 <= prom.value(fams, "pylon_head_age_seconds") < 5
    time.sleep(1.5)
    assert prom.value(scrape(n), "pylon_head_age_seconds") >= 1.0
    head = fake_node.new_head()
    wait_block(n, head)
    fams = scrape(n)
    assert prom.value(fams, "pylon_head_block") == head
    assert prom.value(fams, "pylon_head_age_seconds") < 1.0


def test_helper_disconnected_and_down_are_reported(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_connected") == 1.0, 5)
    fake_node.stop()
    assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_connected") == 0.0, 5)
    assert prom.value(scrape(n), "pylon_helper_up") == 1.0
    # a helper that stops writing its heartbeat is reported down
    helper = n.helpers()[0]
    os.kill(helper, signal.SIGSTOP)
    try:
        assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_up") == 0.0, 10)
    finally:
        os.kill(helper, signal.SIGCONT)
    assert wait_for(lambda: prom.value(scrape(n), "pylon_helper_up") == 1.0, 10)


def test_operation_uri_label_is_the_network_as_configured(nginx_factory, fake_node):
    configured = "http://127.0.0.1:%d" % fake_node.port     # taken as ws://, labelled as written
    n = nginx_factory(pylon_conf(configured, extra_http="pylon_metrics_token %s;" % TOKEN))
    wait_block(n, fake_node.head)

    def uris():
        fam = scrape(n).get("pylon_bittensor_operation_duration_seconds")
        return {lab["uri"] for _, lab, _ in fam["samples"]} if fam else set()

    assert wait_for(lambda: uris(), 5) == {configured}

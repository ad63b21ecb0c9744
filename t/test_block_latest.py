"""GET /api/v1/block/latest and the routing envelope, served by workers from the cache."""
import json
import time

from harness import wait_for
from fakenode import block_hash, block_time_ms
from pylon import pylon_conf, wait_block, latest


def start(nginx_factory, node, **kw):
    return nginx_factory(pylon_conf(node.url), **kw)


def test_block_latest_serves_the_nodes_head(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    body = wait_block(n, fake_node.head)
    assert body == {"number": fake_node.head, "hash": block_hash(fake_node.head),
                    "timestamp": block_time_ms(fake_node.head) // 1000}
    r = n.get("/api/v1/block/latest")
    assert r.header("Content-Type") == "application/json"
    assert list(json.loads(r.body)) == ["number", "hash", "timestamp"]
    assert b" " not in r.body, "compact JSON"


def test_block_latest_follows_new_heads(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    for _ in range(3):
        head = fake_node.new_head()
        t0 = time.time()
        assert wait_block(n, head, timeout=2)["hash"] == block_hash(head)
        assert time.time() - t0 < 1.0


def test_block_latest_is_503_before_the_first_block(nginx_factory, fake_node):
    fake_node.mode = "silent"
    n = start(nginx_factory, fake_node)
    r = n.get("/api/v1/block/latest")
    assert r.status == 503
    assert r.json() == {"status_code": 503, "detail": "Chain data is not available yet."}
    assert r.header("Content-Type") == "application/json"


def test_etag_changes_with_the_block_and_304_on_match(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    r1 = n.get("/api/v1/block/latest")
    etag = r1.header("ETag")
    assert etag and etag.startswith('"') and etag.endswith('"')
    r = n.get("/api/v1/block/latest", headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b""
    r = n.get("/api/v1/block/latest", headers={"If-None-Match": '"0000000000000000"'})
    assert r.status == 200
    fake_node.new_head()
    wait_block(n, fake_node.head)
    r2 = n.get("/api/v1/block/latest", headers={"If-None-Match": etag})
    assert r2.status == 200 and r2.header("ETag") != etag


def test_unknown_routes_are_404_in_the_envelope(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for path in ("/api/v1/nope", "/", "/api/v1/block", "/api/v1/block/latest/extrinsic/0",
                 "/api/v2/block/latest", "/api/v1/block/latest/x/y/z/a/b/c/d/e/f/g/h/i/j/k/l",
                 "/API/v1/block/latest", "/api/_unstable/block/latest"):
        r = n.get(path)
        assert r.status == 404, path
        assert r.json() == {"status_code": 404, "detail": "Not Found"}, path
        assert r.header("Content-Type") == "application/json"


def test_trailing_and_double_slashes_are_tolerated(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    for path in ("/api/v1/block/latest/", "//api//v1/block/latest"):
        assert n.get(path).status == 200, path


def test_wrong_method_is_405_with_allowed_header(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    for method in ("POST", "PUT", "DELETE", "PATCH", "HEAD"):
        r = n.request("/api/v1/block/latest", method=method, body=b"{}" if method != "HEAD"
                      else None)
        assert r.status == 405, method
        if method != "HEAD":
            assert r.json() == {"status_code": 405, "detail": "Method Not Allowed"}
        assert r.header("allowed") == "GET, OPTIONS"


def test_options_is_204_with_allow(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    r = n.request("/api/v1/block/latest", method="OPTIONS")
    assert r.status == 204 and r.header("Allow") == "GET, OPTIONS"


def test_a_request_body_on_error_does_not_break_keepalive(nginx_factory, fake_node):
    import http.client
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=5)
    c.request("POST", "/api/v1/block/latest", body=b'{"x": 1}' * 100)
    r = c.getresponse()
    assert r.status == 405
    r.read()
    c.request("GET", "/api/v1/block/latest")
    r = c.getresponse()
    assert r.status == 200 and json.loads(r.read())["number"] == fake_node.head
    c.close()


def test_large_fragmented_messages_are_reassembled(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    wait_block(n, fake_node.head)
    fake_node.pad = 3 * 1024 * 1024        # 6 MB of hex per header notification
    head = fake_node.new_head()
    assert wait_block(n, head, timeout=10), n.log()[-2000:]


def test_helper_state_is_not_a_route(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    assert n.get("/S/helper").status == 404


def test_nginx_errors_in_a_pylon_location_use_the_envelope(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url,
                      extra_http="limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;",
                      location_extra="limit_req zone=one nodelay;")
    n = nginx_factory(conf)
    wait = [n.get("/api/v1/block/latest") for _ in range(3)]
    limited = [r for r in wait if r.status == 503 and r.json()["detail"] == "Service Unavailable"]
    assert limited, wait
    assert limited[0].json() == {"status_code": 503, "detail": "Service Unavailable"}
    assert limited[0].header("Content-Type") == "application/json"


def test_own_error_page_wins(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url,
                      extra_http="limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;",
                      location_extra="limit_req zone=one nodelay; error_page 503 =429 @busy;")
    conf = conf.replace("location = /static.json", "location @busy { return 429; }\n"
                        "        location = /static.json")
    n = nginx_factory(conf)
    # the block must be cached first: requests would use up the limit
    wait_for(lambda: "state_getStorage" in fake_node.calls, 5)
    time.sleep(0.3)
    statuses = [n.get("/api/v1/block/latest").status for _ in range(3)]
    assert 429 in statuses and 503 not in statuses


def test_internal_error_route_is_not_reachable_directly(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url))
    assert n.get("/__pylon_error").status == 404


def test_a_cache_miss_is_answered_and_no_worker_dies(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url))
    wait_block(n, fake_node.head)
    workers = n.workers()
    for path in ("/api/v1/subnet/7/block/latest/neurons", "/api/v1/subnet/7/block/5/validators",
                 "/api/v1/block/3/extrinsic/0", "/api/v1/subnet/7/block/latest/commitments/5Fx"):
        r = n.get(path, headers={"X-Pylon-Timeout": "5"})
        assert r.header("Content-Type") == "application/json", path
        assert r.json()["status_code"] == r.status, path
    assert n.workers() == workers, "a worker crashed"
    assert "exited on signal" not in n.log()

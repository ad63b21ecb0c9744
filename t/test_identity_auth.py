"""Identities, login, sessions, tokens and the authorisation of routes (design.md)."""
import json
import os
import re

import pytest

from harness import Nginx, wait_for
from pylon import pylon_conf

SHARED = os.environ.get("PYLON_SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")

pytestmark = pytest.mark.skipif(not os.path.isdir(WALLETS),
                                reason="../shared/fixtures/wallet not found (set PYLON_SHARED)")


def identity_conf(node_url, identity="pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 "
                  "token=s3cret;", extra=""):
    return pylon_conf(node_url, extra_http="pylon_wallet_path %s; %s %s" % (
        WALLETS, identity, extra))


def login(n, name="sn1", token="s3cret", body=None):
    data = json.dumps(body if body is not None else {"token": token, "identity_name": name})
    return n.request("/api/v1/login/identity/" + name, method="POST", body=data.encode(),
                     headers={"Content-Type": "application/json"})


def cookie_of(r):
    c = r.header("Set-Cookie")
    return c.split(";")[0] if c else None


RECENT = "/api/v1/identity/sn1/subnet/2/block/recent/neurons"


def test_config_identity_loads_the_wallet_and_rejects_bad_ones(fake_node):
    for identity, why in [
        ("pylon_identity sn1 wallet=nope hotkey=pylon netuid=2;", "nope/hotkeys/pylon"),
        ("pylon_identity sn1 wallet=pylon hotkey=pylon;", "hotkey= and netuid="),
        ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=x;", "invalid netuid"),
        ("pylon_identity sn/1 wallet=pylon hotkey=pylon netuid=1;", "invalid identity name"),
        ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=1 color=red;",
         "invalid parameter"),
        ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=1 token_file=/nonexistent;",
         "cannot open token file"),
        ("pylon_identity a wallet=pylon hotkey=pylon netuid=1; "
         "pylon_identity a wallet=pylon hotkey=pylon netuid=2;", "duplicate identity"),
    ]:
        n = Nginx(identity_conf(fake_node.url, identity))
        try:
            r = n.test_config()
            assert r.returncode != 0, identity
            assert why in r.stderr, (identity, r.stderr)
            assert "pylon_identity" in r.stderr or "pylon identity" in r.stderr
        finally:
            n.cleanup()


def test_identity_without_token_is_warned(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url,
                                    "pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2;"))
    warn = n.test_config().stderr
    assert 'identity "sn1"' in warn and "has no token" in warn
    assert n.get(RECENT).status == 503, "an identity without a token stays open"


def test_login_answers_netuid_and_a_session_cookie(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    r = login(n)
    assert r.status == 200, r
    assert r.json() == {"netuid": 2, "identity_name": "sn1"}
    assert r.header("Content-Type") == "application/json"
    c = r.header("Set-Cookie")
    assert c.startswith("pylon_session=")
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=86400"):
        assert attr in c


def test_login_rejects_wrong_token(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    r = login(n, token="wrong")
    assert r.status == 401 and r.json()["status_code"] == 401
    assert r.header("Set-Cookie") is None
    assert "wrong" not in n.log() and "s3cret" not in n.log(), "tokens never reach the log"


def test_login_errors_in_pylons_order(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    r = login(n, name="nobody")
    assert r.status == 404 and r.json() == {"status_code": 404,
                                            "detail": "Identity 'nobody' not found"}
    r = login(n, body={"identity_name": "sn1"})
    assert r.status == 400
    assert r.json() == {"status_code": 400,
                        "detail": "Validation failed for POST /api/v1/login/identity/sn1",
                        "extra": [{"message": "Field required", "key": "token"}]}
    r = login(n, body={"token": 5})
    assert r.json()["extra"] == [{"message": "Input should be a valid string", "key": "token"}]
    r = n.request("/api/v1/login/identity/nobody", method="POST", body=b"{bad")
    assert r.status == 400 and r.json()["detail"].startswith("JSON is malformed")
    r = n.request("/api/v1/login/identity/sn1", method="POST", body=b"")
    assert r.status == 400 and r.json()["extra"][0]["key"] == "data"
    r = n.request("/api/v1/login/identity/sn1?x=1", method="POST", body=b"{}")
    assert r.json()["detail"] == "Validation failed for POST /api/v1/login/identity/sn1?x=1"
    r = n.request("/api/v1/login/identity/sn1", method="GET")
    assert r.status == 405 and r.header("allowed") == "POST, OPTIONS"


def test_login_body_too_large_is_413_in_the_envelope(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url, extra="client_max_body_size 1k;"))
    r = n.request("/api/v1/login/identity/sn1", method="POST", body=b"{" + b" " * 5000 + b"}")
    assert r.status == 413
    assert r.json() == {"status_code": 413, "detail": "Request Entity Too Large"}


def test_identity_routes_take_the_cookie_or_the_bearer_token(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    assert n.get(RECENT).status == 401
    r = n.get(RECENT, headers={"Authorization": "Bearer wrong"})
    assert r.status == 403, "v2: another token is 403 (pylon-v2.md §2.4)"
    assert r.json() == {"status_code": 403, "detail": "Invalid authorization token"}
    assert n.get(RECENT, headers={"Authorization": "Bearer s3cret"}).status == 503
    cookie = cookie_of(login(n))
    assert n.get(RECENT, headers={"Cookie": cookie}).status == 503
    forged = cookie[:-3] + ("sn2" if not cookie.endswith("sn2") else "sn3")
    assert n.get(RECENT, headers={"Cookie": forged}).status == 401
    tampered = cookie.replace("pylon_session=", "pylon_session=0")[:len(cookie)]
    assert n.get(RECENT, headers={"Cookie": tampered}).status == 401


def test_an_identity_serves_only_its_netuid(nginx_factory, fake_node):
    """v2 answers another subnet with 308 to the identity's own (was 403 in v1)."""
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get("/api/v1/identity/sn1/subnet/3/block/recent/neurons?x=1",
              headers={"Authorization": "Bearer s3cret"})
    assert r.status == 308 and r.body == b""
    assert r.header("Location") == "/api/v1/identity/sn1/subnet/2/block/recent/neurons"


def test_unknown_identity_is_404(nginx_factory, fake_node):
    """v2 reads the header before the identity: 401 first (pylon-v2.md §2.4)."""
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get("/api/v1/identity/zz/subnet/2/block/recent/neurons")
    assert r.status == 401 and r.json() == {"status_code": 401,
                                            "detail": "Authorization header is required"}
    r = n.get("/api/v1/identity/zz/subnet/2/block/recent/neurons",
              headers={"Authorization": "Bearer any"})
    assert r.status == 404 and r.json() == {"status_code": 404,
                                            "detail": "Identity 'zz' not found"}


def test_reload_rotates_the_session_key(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url), workers=1)
    cookie = cookie_of(login(n))
    assert n.get(RECENT, headers={"Cookie": cookie}).status == 503
    old = n.workers()
    n.reload()
    assert wait_for(lambda: n.workers() and not set(n.workers()) & set(old), 10)
    assert n.get(RECENT, headers={"Cookie": cookie}).status == 401
    cookie = cookie_of(login(n))
    assert n.get(RECENT, headers={"Cookie": cookie}).status == 503


def test_open_access_token(nginx_factory, fake_node, tmp_path):
    tok = tmp_path / "open.token"
    tok.write_text("  opensesame\n")
    n = nginx_factory(identity_conf(fake_node.url,
                                    extra="pylon_open_access_token file=%s;" % tok))
    url = "/api/v1/subnet/2/block/recent/neurons"
    assert n.get(url).status == 401
    assert n.get(url, headers={"Authorization": "Bearer opensesame"}).status == 503
    assert n.get(url, headers={"Authorization": "bearer opensesame"}).status == 503
    assert n.get(url, headers={"Authorization": "Bearer opensesame2"}).status == 403
    # an identity's session opens that identity's routes only
    assert n.get(url, headers={"Cookie": cookie_of(login(n))}).status == 401
    assert n.get(url, headers={"Authorization": "Bearer s3cret"}).status == 403


def test_open_routes_are_open_without_a_token(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    assert n.get("/api/v1/subnet/2/block/recent/neurons").status == 503


def test_workers_hold_no_wallet_secret(nginx_factory, fake_node):
    """The hotkey's secret bytes are in the helper only, never in a worker's memory."""
    n = nginx_factory(identity_conf(fake_node.url), workers=1)
    with open(os.path.join(WALLETS, "pylon", "hotkeys", "pylon")) as f:
        seed = bytes.fromhex(json.load(f)["secretSeed"][2:])
    assert seed
    worker = wait_for(n.workers, 5)[0]      # its title is set after fork
    assert not memory_contains(worker, seed[:16])


def memory_contains(pid, needle):
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (r)", line)
            if not m or "[vvar]" in line or "[vsyscall]" in line:
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            if end - start > 1 << 30:       # ASan's shadow (make test-asan)
                continue
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except (OSError, ValueError, OverflowError):
                continue
    return False


@pytest.mark.parametrize("value,detail", [
    ("abc", "Invalid X-Pylon-Timeout header value: abc"),
    ("nan", "Invalid X-Pylon-Timeout header value: nan"),
    ("-5", "X-Pylon-Timeout header value must be positive, got -5.0"),
    ("0", "X-Pylon-Timeout header value must be positive, got 0.0"),
    ("-0.5", "X-Pylon-Timeout header value must be positive, got -0.5"),
    ("1__0", "Invalid X-Pylon-Timeout header value: 1__0"),
])
def test_bad_timeout_header_is_400(nginx_factory, fake_node, value, detail):
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get("/api/v1/subnet/2/block/recent/neurons", headers={"X-Pylon-Timeout": value})
    assert r.status == 400 and r.json() == {"status_code": 400, "detail": detail}


@pytest.mark.parametrize("value", ["60.0", " 5 ", "1e2", "+5", "1_0", "inf", "100000"])
def test_good_timeout_header_passes(nginx_factory, fake_node, value):
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get("/api/v1/subnet/2/block/recent/neurons", headers={"X-Pylon-Timeout": value})
    assert r.status == 503


def test_unmatched_routes_ignore_the_timeout_header(nginx_factory, fake_node):
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get("/api/v1/nothing", headers={"X-Pylon-Timeout": "abc"})
    assert r.status == 404


@pytest.mark.parametrize("path", [
    "/api/v1/subnet/abc/block/latest/neurons", "/api/v1/subnet/1.5/block/latest/neurons",
    "/api/v1/subnet/true/block/latest/neurons", "/api/v1/subnet/1/block/latest/extrinsic/0",
    "/api/v1/subnet/1/block/x/neurons", "/api/_unstable/block/latest",
    "/api/v1/subnet/1/block/latest/certificates/self/x",
])
def test_non_integer_segments_are_routing_misses(nginx_factory, fake_node, path):
    n = nginx_factory(identity_conf(fake_node.url))
    r = n.get(path)
    assert r.status == 404 and r.json() == {"status_code": 404, "detail": "Not Found"}

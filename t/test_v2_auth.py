"""Pylon v2's wire surface next to v1's (pylon-v2.md §2, §3, §8, §9; README "Where we differ").

- the auth matrix: every route of the router's table x {no header, malformed, wrong token,
  right token, v1 session} x {pylon_open_access_token set, unset};
- the 308 to the identity's subnet, /identities, the order of the checks on body routes;
- the newest official client's flow over HTTP (Bearer, X-Pylon-Timeout: 59.5, /identities
  first, 308 then re-fetch and one retry, redirects never followed), against the same server
  as the v1 flow (login, cookie);
- the v2 settings: the main/archive pair rule, pylon_block_duration, pylon_weights_window,
  PYLON_TEMPO ignored.
"""
import http.client
import json
import os
import re

import pytest

from harness import Nginx
from pylon import pylon_conf
from test_client_flow import Client as V1Client
from test_openapi_schema import router_routes

SHARED = os.environ.get("PYLON_SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")

pytestmark = pytest.mark.skipif(not os.path.isdir(WALLETS),
                                reason="../shared/fixtures/wallet not found (set PYLON_SHARED)")

OPEN_TOKEN = "open-t0ken"
ID_TOKEN = "id-t0ken"
NEED_HEADER = "Authorization header is required"
BAD_FORMAT = "Invalid Authorization header format. Expected: Bearer <token>"
BAD_TOKEN = "Invalid authorization token"

SERVER = "server { listen 127.0.0.1:@PORT@; location / { pylon_subnet on; } }"


def conf(node_url, open_token=True, identities=None, extra=""):
    ids = identities or ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 token=%s;"
                         % ID_TOKEN)
    tok = ("pylon_open_access_token %s;" % OPEN_TOKEN) if open_token else ""
    return pylon_conf(node_url, extra_http="pylon_wallet_path %s; %s %s %s" % (
        WALLETS, ids, tok, extra))


def session_cookie(n, name="sn1", token=ID_TOKEN):
    r = n.request("/api/v1/login/identity/" + name, method="POST",
                  body=json.dumps({"token": token}).encode())
    assert r.status == 200, r
    return r.header("Set-Cookie").split(";")[0]


# -- the auth matrix, generated from the router's table -----------------------------------------

def guard_of(pattern):
    """public, open or identity: what pylon-v2.md §2.1 says of the route."""
    if pattern.endswith("/identities") or "/drand/" in pattern:
        return "public"                              # §2.6; the drand round (§12.2)
    if "/identity/{str}/" in pattern:
        return "identity"
    if pattern.startswith("api/_unstable/openaccess") or "/subnet/{int}" in pattern:
        return "open"
    return "public"                                  # /api/v1/block/..., old _unstable/block


def concrete(pattern):
    """A path for a pattern: the identity sn1 on its subnet 2, block 1, a hotkey."""
    segs, out = [s for s in pattern.split("/") if s], []
    for i, s in enumerate(segs):
        before = segs[i - 1] if i else ""
        if s == "{int}":
            s = "2" if before == "subnet" else "1"
        elif s == "{str}":
            s = "sn1" if before == "identity" else "5FakeHotkey"
        out.append(s)
    return "/" + "/".join(out)


def matrix_routes():
    out = []
    for method, pattern in router_routes():
        if pattern.startswith("schema") or pattern == "metrics" or "/login/" in pattern:
            continue
        out.append((method, pattern, guard_of(pattern)))
    return out


CASES = ("none", "malformed", "wrong", "right", "session")


def headers_for(case, guard, cookie):
    h = {"X-Pylon-Timeout": "0.3"}
    if case == "malformed":
        h["Authorization"] = "Basic " + OPEN_TOKEN
    elif case == "wrong":
        h["Authorization"] = "Bearer wrong"
    elif case == "right":
        h["Authorization"] = "Bearer " + (ID_TOKEN if guard == "identity" else OPEN_TOKEN)
    elif case == "session":
        h["Cookie"] = cookie
    return h


def expected(guard, case, token_set):
    """(status, detail) the guard answers, or None when the guard lets the request through."""
    if guard == "public" or (guard == "open" and not token_set):
        return None
    if guard == "identity" and case in ("right", "session"):
        return None
    if guard == "open" and case == "right":
        return None
    if case in ("none", "session"):       # a session never opens open-access routes
        return 401, NEED_HEADER
    if case == "malformed":
        return 401, BAD_FORMAT
    return 403, BAD_TOKEN


@pytest.mark.parametrize("token_set", [True, False], ids=["token-set", "token-unset"])
def test_auth_matrix_every_route(nginx_factory, fake_node, token_set):
    n = nginx_factory(conf(fake_node.url, open_token=token_set))
    cookie = session_cookie(n)
    routes = matrix_routes()
    guards = {g for _, _, g in routes}
    assert guards == {"public", "open", "identity"}, guards
    assert len(routes) > 50
    checked = 0
    for method, pattern, guard in routes:
        path = concrete(pattern)
        for case in CASES:
            body = b"" if method in ("PUT", "POST") else None
            r = n.request(path, method=method, body=body,
                          headers=headers_for(case, guard, cookie), timeout=15)
            want = expected(guard, case, token_set)
            where = (method, path, case, r.status, r.body[:120])
            if want is None:
                assert r.status not in (401, 403, 308), where
            else:
                assert r.status == want[0], where
                assert r.json() == {"status_code": want[0], "detail": want[1]}, where
            checked += 1
    assert checked == len(routes) * len(CASES)


# -- identities, 308, order of the checks --------------------------------------------------------

def test_identities_are_public_in_configured_order(nginx_factory, fake_node):
    ids = ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 token=a; "
           "pylon_identity alpha wallet=pylon hotkey=pylon netuid=1 token=b; "
           "pylon_identity Zed wallet=pylon hotkey=pylon netuid=7 token=c;")
    n = nginx_factory(conf(fake_node.url, identities=ids))
    for path in ("/api/v1/identities", "/api/_unstable/identities", "/api/v1/identities/",
                 "/api/_unstable/identities/"):
        for h in ({}, {"Authorization": "garbage"}, {"Authorization": "Bearer wrong"}):
            r = n.get(path, headers=h)
            assert r.status == 200, (path, h, r)
            assert r.header("Content-Type") == "application/json"
            assert r.body == b'{"identities":{"sn1":2,"alpha":1,"Zed":7}}'
    assert b"wallet" not in r.body and b"token" not in r.body
    assert n.request("/api/v1/identities", method="POST", body=b"").status == 405


def test_identities_empty_without_identities(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url))
    r = n.get("/api/v1/identities")
    assert r.status == 200 and r.json() == {"identities": {}}


@pytest.mark.parametrize("api", ["/api/v1", "/api/_unstable"])
def test_another_netuid_is_308_to_the_identitys_own(nginx_factory, fake_node, api):
    n = nginx_factory(conf(fake_node.url))
    auth = {"Authorization": "Bearer " + ID_TOKEN}
    r = n.get(api + "/identity/sn1/subnet/99/block/latest/neurons?x=1&y=2", headers=auth)
    assert r.status == 308 and r.body == b""
    assert r.header("Location") == api + "/identity/sn1/subnet/2/block/latest/neurons"
    # the v1 session gets the same answer (v2 wins on the wire)
    r = n.get(api + "/identity/sn1/subnet/3/block/recent/neurons",
              headers={"Cookie": session_cookie(n)})
    assert r.status == 308
    assert r.header("Location") == api + "/identity/sn1/subnet/2/block/recent/neurons"
    # -1 is an int for the router but no \d+ for the rewrite: the path comes back as it was
    r = n.get(api + "/identity/sn1/subnet/-1/block/latest/validators", headers=auth)
    assert r.status == 308
    assert r.header("Location") == api + "/identity/sn1/subnet/-1/block/latest/validators"
    # the redirect comes after the guard: no header 401, wrong token 403, unknown identity 404
    assert n.get(api + "/identity/sn1/subnet/99/block/latest/neurons").status == 401
    assert n.get(api + "/identity/sn1/subnet/99/block/latest/neurons",
                 headers={"Authorization": "Bearer x"}).status == 403
    assert n.get(api + "/identity/nobody/subnet/99/block/latest/neurons",
                 headers=auth).status == 404


def test_writes_check_the_guard_and_the_308_before_the_body(nginx_factory, fake_node):
    n = nginx_factory(conf(fake_node.url))
    auth = {"Authorization": "Bearer " + ID_TOKEN}
    for method, tail in (("PUT", "/weights"), ("POST", "/commitments"),
                         ("POST", "/certificates/self")):
        path = "/api/v1/identity/sn1/subnet/2" + tail
        r = n.request(path, method=method, body=b"{bad json")
        assert r.status == 401 and r.json()["detail"] == NEED_HEADER, (tail, r)
        r = n.request(path, method=method, body=b"{bad json",
                      headers={"Authorization": "Bearer nope"})
        assert r.status == 403 and r.json()["detail"] == BAD_TOKEN, (tail, r)
        r = n.request(path.replace("/subnet/2", "/subnet/5"), method=method,
                      body=b"{bad json", headers=auth)
        assert r.status == 308, (tail, r)
        assert r.header("Location") == path
        r = n.request(path, method=method, body=b"{bad json", headers=auth)
        assert r.status == 400 and r.json()["detail"].startswith("JSON is malformed"), r


def test_bearer_parsing_is_pythons_split(nginx_factory, fake_node):
    n = nginx_factory(conf(fake_node.url))
    url = "/api/_unstable/openaccess/subnet/2/block/recent/neurons"
    for good in ("Bearer " + OPEN_TOKEN, "bearer " + OPEN_TOKEN, "BEARER\t" + OPEN_TOKEN,
                 "  Bearer   %s  " % OPEN_TOKEN):
        assert n.get(url, headers={"Authorization": good}).status not in (401, 403), good
    for bad in ("Bearer", "Bearer a b", "Basic x", "invalid-format", "Bearer-" + OPEN_TOKEN):
        r = n.get(url, headers={"Authorization": bad})
        assert r.status == 401 and r.json()["detail"] == BAD_FORMAT, bad
    r = n.get(url, headers={"Authorization": ""})
    assert r.status == 401 and r.json()["detail"] == NEED_HEADER


def test_the_old_unstable_layout_stays_with_the_same_guard(nginx_factory, fake_node):
    n = nginx_factory(conf(fake_node.url))
    for url in ("/api/_unstable/subnet/2/block/recent/neurons",
                "/api/_unstable/openaccess/subnet/2/block/recent/neurons",
                "/api/_unstable/openaccess/block/latest"):
        assert n.get(url).status == 401, url
        assert n.get(url, headers={"Authorization": "Bearer " + OPEN_TOKEN}).status != 401
    # the v1 chain-wide reads stay public
    assert n.get("/api/v1/block/latest").status not in (401, 403)


# -- the newest official client, over HTTP --------------------------------------------------------

class Redirect(Exception):
    pass


class V2Client:
    """pylon_client 2.2.0's request loop (pylon-v2.md §2.7), reduced to the wire: Bearer
    headers, X-Pylon-Timeout 59.5, /identities first, on 308 a re-fetch and one retry; httpx
    follows no redirects and neither does http.client."""

    def __init__(self, port, name=None, token=None, open_token=None, api="/api/v1"):
        self.port, self.name, self.token, self.open_token, self.api = (
            port, name, token, open_token, api)
        self.netuid = None
        self.log = []

    def send(self, method, path, headers=None, body=None):
        h = {"X-Pylon-Timeout": "59.5", "Accept": "application/json"}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            self.log.append((method, path, r.status))
            return r.status, r.getheader("Location"), json.loads(raw) if raw else None
        finally:
            c.close()

    def identities(self):
        status, _, body = self.send("GET", self.api + "/identities")   # public: no header
        assert status == 200, (status, body)
        ids = body["identities"]
        if self.name not in ids:
            raise LookupError("Identity '%s' is not configured on the server." % self.name)
        return ids[self.name]

    def identity(self, method, tail, body=None):
        if self.netuid is None:
            self.netuid = self.identities()
        auth = {"Authorization": "Bearer " + self.token}
        for attempt in (0, 1):
            failed = self.netuid
            path = "%s/identity/%s/subnet/%d%s" % (self.api, self.name, self.netuid, tail)
            status, location, out = self.send(method, path, auth, body)
            if status != 308:
                return status, out
            if attempt == 1:
                raise Redirect("Netuid mismatch (HTTP 308)")
            if self.netuid == failed:                     # Location is ignored
                self.netuid = self.identities()

    def open_access(self, tail):
        auth = {"Authorization": "Bearer " + self.open_token} if self.open_token else {}
        status, _, out = self.send("GET", self.api + tail, auth)
        return status, out


@pytest.fixture
def both(nginx_factory, fake_node):
    ids = ("pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 token=tok; "
           "pylon_identity other wallet=pylon hotkey=pylon netuid=3 token=tok2;")
    return nginx_factory(conf(fake_node.url, identities=ids))


def test_v2_client_asks_identities_first_then_calls_with_bearer(both, fake_node):
    c = V2Client(both.port, "sn1", "tok", OPEN_TOKEN)
    status, body = c.identity("GET", "/block/recent/neurons")
    assert status == 503 and body["status_code"] == 503, "authorised: the cache answers"
    assert c.log[0] == ("GET", "/api/v1/identities", 200)
    assert c.log[1][1] == "/api/v1/identity/sn1/subnet/2/block/recent/neurons"
    assert len(c.log) == 2
    c.identity("GET", "/block/recent/neurons")
    assert len(c.log) == 3, "the netuid is cached"


@pytest.mark.parametrize("api", ["/api/v1", "/api/_unstable"])
def test_v2_client_on_308_refetches_and_retries_once(both, api):
    c = V2Client(both.port, "sn1", "tok", api=api)
    c.netuid = 7                                          # stale: the server moved it
    status, _ = c.identity("GET", "/block/recent/neurons")
    assert status == 503
    assert [s for _, _, s in c.log] == [308, 200, 503]
    assert c.log[1][1] == api + "/identities"
    assert c.netuid == 2


def test_v2_client_raises_on_a_second_308(both):
    c = V2Client(both.port, "sn1", "tok")
    c.identities = lambda: 9                              # a server that keeps moving it
    c.netuid = 8
    with pytest.raises(Redirect):
        c.identity("GET", "/block/recent/neurons")
    assert [s for _, _, s in c.log] == [308, 308]


def test_v2_client_fails_fast_on_401_and_403(both):
    c = V2Client(both.port, "sn1", "wrong")
    status, body = c.identity("GET", "/block/recent/neurons")
    assert status == 403 and body == {"status_code": 403, "detail": BAD_TOKEN}
    assert len(c.log) == 2, "no re-login, no retry"
    c = V2Client(both.port, "nobody", "tok")
    with pytest.raises(LookupError):
        c.identity("GET", "/block/recent/neurons")


def test_v2_client_open_access_and_general_routes(both, fake_node):
    c = V2Client(both.port, open_token=OPEN_TOKEN, api="/api/_unstable")
    status, body = c.open_access("/openaccess/block/latest")
    assert status in (200, 503), body
    status, _ = c.open_access("/openaccess/subnet/2/block/recent/neurons")
    assert status == 503
    c1 = V2Client(both.port, open_token=OPEN_TOKEN)
    assert c1.open_access("/subnet/2/block/recent/neurons")[0] == 503
    none = V2Client(both.port, api="/api/_unstable")      # identity-only config: no header
    status, body = none.open_access("/openaccess/block/latest")
    assert status == 401 and body["detail"] == NEED_HEADER


def test_both_client_generations_against_the_same_server(both):
    v1 = V1Client("http://127.0.0.1:%d" % both.port, "sn1", "tok")
    v2 = V2Client(both.port, "other", "tok2", OPEN_TOKEN)
    for _ in range(3):
        assert v1.identity("GET", "/block/recent/neurons")[0] == 503
        assert v2.identity("GET", "/block/recent/neurons")[0] == 503
    assert v1.logins == 1 and v1.netuid == 2
    assert v2.netuid == 3
    # each generation's credentials open its own identity only
    status, _, _ = v2.send("GET", "/api/v1/identity/sn1/subnet/2/block/recent/neurons",
                           {"Authorization": "Bearer tok2"})
    assert status == 403
    v1.name = "other"
    status, _ = v1.call("GET", "/api/v1/identity/other/subnet/3/block/recent/neurons")
    assert status == 401, "the v1 session of sn1 does not open other"


# -- settings ----------------------------------------------------------------------------------

def check(http_conf):
    n = Nginx(http_conf)
    try:
        return n.test_config()
    finally:
        n.cleanup()


PAIR_TAIL = ("was left at its default. Set both explicitly (you may repeat the default value, "
             "but it must be explicit).")


def test_main_and_archive_nodes_are_set_together():
    r = check("pylon_cache @PREFIX@/data/c; pylon_network local; " + SERVER)
    assert r.returncode != 0
    assert ('"pylon_network" was overridden but "pylon_archive_network" ' + PAIR_TAIL) in r.stderr
    assert re.search(r"nginx\.conf:\d+", r.stderr), r.stderr
    r = check("pylon_cache @PREFIX@/data/c; pylon_archive_network local; " + SERVER)
    assert r.returncode != 0
    assert ('"pylon_archive_network" was overridden but "pylon_network" ' + PAIR_TAIL) in r.stderr
    for ok in ("", "pylon_network finney; pylon_archive_network archive;",
               "pylon_network local; pylon_archive_network local;"):
        r = check("pylon_cache @PREFIX@/data/c; %s %s" % (ok, SERVER))
        assert r.returncode == 0, (ok, r.stderr)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    os.chmod(str(tmp_path), 0o755)
    os.chmod(str(p), 0o644)
    return str(p)


def test_pair_rule_reads_the_env_file_too(tmp_path):
    env = write(tmp_path, "a.env", "PYLON_BITTENSOR_NETWORK=local\n")
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; %s" % (env, SERVER))
    assert r.returncode != 0
    assert ("PYLON_BITTENSOR_NETWORK was overridden but \"pylon_archive_network\" "
            + PAIR_TAIL) in r.stderr
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; pylon_archive_network archive; %s"
              % (env, SERVER))
    assert r.returncode == 0, r.stderr
    env = write(tmp_path, "b.env", "PYLON_BITTENSOR_NETWORK=local\n"
                "PYLON_BITTENSOR_ARCHIVE_NETWORK=archive\n")
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; %s" % (env, SERVER))
    assert r.returncode == 0, r.stderr
    env = write(tmp_path, "c.env", "PYLON_EVM_RPC_URL=http://127.0.0.1:8545\n")
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; %s" % (env, SERVER))
    assert r.returncode != 0
    assert "PYLON_EVM_RPC_URL was overridden but PYLON_EVM_ARCHIVE_RPC_URL " + PAIR_TAIL in r.stderr


def test_v2_env_names_are_read_and_pylon_tempo_is_ignored_with_a_notice(tmp_path):
    env = write(tmp_path, "v2.env", "PYLON_TEMPO=not-a-number\n"
                "PYLON_BLOCK_DURATION_SECONDS=6\n"
                "PYLON_EVM_RPC_URL=http://127.0.0.1:8545\n"
                "PYLON_EVM_ARCHIVE_RPC_URL=http://127.0.0.1:8546\n"
                "PYLON_EVM_ARCHIVE_BLOCKS_CUTOFF=50\n"
                "PYLON_COMMIT_CYCLE_LENGTH=2\nPYLON_COMMIT_WINDOW_START_OFFSET=100\n"
                "PYLON_COMMIT_WINDOW_END_BUFFER=5\nPYLON_ENVIRONMENT=staging\n")
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; %s" % (env, SERVER))
    assert r.returncode == 0, r.stderr
    assert "PYLON_TEMPO" in r.stderr and "is ignored" in r.stderr, r.stderr
    bad = write(tmp_path, "bad.env", "PYLON_BLOCK_DURATION_SECONDS=0\n")
    r = check("pylon_cache @PREFIX@/data/c; pylon_env_file %s; %s" % (bad, SERVER))
    assert r.returncode != 0 and "PYLON_BLOCK_DURATION_SECONDS" in r.stderr


@pytest.mark.parametrize("directive,ok", [
    ("pylon_block_duration 12s;", True),
    ("pylon_block_duration 250ms;", True),
    ("pylon_block_duration 0;", False),
    ("pylon_block_duration abc;", False),
    ("pylon_block_duration 6s; pylon_block_duration 6s;", False),
    ("pylon_weights_window;", True),
    ("pylon_weights_window off;", True),
    ("pylon_weights_window offset=180 buffer=10 cycle=3;", True),
    ("pylon_weights_window cycle=1;", True),
    ("pylon_weights_window cycle=0;", False),
    ("pylon_weights_window offset=-1;", False),
    ("pylon_weights_window start=5;", False),
    ("pylon_weights_window; pylon_weights_window;", False),
])
def test_v2_directives(directive, ok):
    r = check("pylon_cache @PREFIX@/data/c; %s %s" % (directive, SERVER))
    assert (r.returncode == 0) == ok, (directive, r.stderr)
    if not ok:
        name = directive.split()[0].rstrip(";")
        assert '"%s"' % name in r.stderr, r.stderr


def test_v2_client_put_weights_after_a_stale_netuid(both):
    """A write through the v2 flow: 308 (before the body is read), /identities, one retry."""
    c = V2Client(both.port, "sn1", "tok")
    c.netuid = 5
    status, body = c.identity("PUT", "/weights", {"weights": {"5FakeHotkey": 1.0}})
    assert status == 200 and body == {"detail": "weights update scheduled", "count": 1}
    assert [s for _, _, s in c.log] == [308, 200, 200]
    assert c.log[2] == ("PUT", "/api/v1/identity/sn1/subnet/2/weights", 200)

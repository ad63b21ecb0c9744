"""What the official pylon_client does (pylon-api.md §8), done the way it does it.

The client is an httpx AsyncClient: it keeps cookies in a jar, logs in with POST
/login/identity/NAME {"token", "identity_name"}, builds identity URLs from the answer, sends
X-Pylon-Timeout on every call and, on 401/403, logs in once more and retries once.  Here the
same flow runs with the standard library's cookie jar against real nginx.
"""
import http.cookiejar
import json
import os
import urllib.error
import urllib.request

import pytest

from harness import wait_for
from pylon import pylon_conf

SHARED = os.environ.get("PYLON_SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")

pytestmark = pytest.mark.skipif(not os.path.isdir(WALLETS),
                                reason="../shared/fixtures/wallet not found (set PYLON_SHARED)")


class Client:
    """The official client's request loop, reduced to what matters on the wire."""

    def __init__(self, base, name, token):
        self.base, self.name, self.token = base, name, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.netuid = None
        self.logins = 0

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"X-Pylon-Timeout": "60.0",
                                              "Content-Type": "application/json"})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def login(self):
        self.logins += 1
        status, body = self.call("POST", "/api/v1/login/identity/" + self.name,
                                 {"token": self.token, "identity_name": self.name})
        if status != 200:
            raise PermissionError(status, body)
        self.netuid = body["netuid"]
        return body

    def identity(self, method, tail, body=None):
        if self.netuid is None:
            self.login()
        path = "/api/v1/identity/%s/subnet/%d%s" % (self.name, self.netuid, tail)
        status, out = self.call(method, path, body)
        if status in (401, 403):                       # re-login once, retry once
            self.login()
            status, out = self.call(method, path, body)
        return status, out


@pytest.fixture
def server(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url, extra_http=(
        "pylon_wallet_path %s; pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 "
        "token=tok;" % WALLETS))
    return nginx_factory(conf)


def test_login_keeps_the_cookie_and_identity_calls_succeed(server):
    c = Client("http://127.0.0.1:%d" % server.port, "sn1", "tok")
    assert c.login() == {"netuid": 2, "identity_name": "sn1"}
    assert any(ck.name == "pylon_session" for ck in c.jar)
    status, body = c.identity("GET", "/block/recent/neurons")
    assert status == 503 and body["status_code"] == 503, "authorised: the cache answers"
    assert c.logins == 1


def test_a_401_makes_the_client_log_in_again_and_succeed(server):
    c = Client("http://127.0.0.1:%d" % server.port, "sn1", "tok")
    c.login()
    old = server.workers()
    server.reload()                                  # rotates the session key
    assert wait_for(lambda: server.workers() and not set(server.workers()) & set(old), 10)
    status, body = c.identity("GET", "/block/recent/neurons")
    assert status == 503, body
    assert c.logins == 2, "one 401, one new login, one retry"


def test_a_wrong_token_fails_at_login(server):
    c = Client("http://127.0.0.1:%d" % server.port, "sn1", "nope")
    with pytest.raises(PermissionError) as e:
        c.identity("GET", "/block/recent/neurons")
    assert e.value.args[0] == 401

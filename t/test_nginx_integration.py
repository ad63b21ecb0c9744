"""ngx_pylon composes with what nginx already does: TLS, gzip, auth_request, log_format."""
import gzip
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile

import pytest

from harness import wait_for
from pylon import pylon_conf, wait_block


@pytest.fixture
def cert():
    d = tempfile.mkdtemp(prefix="pylon-cert-")
    os.chmod(d, 0o755)
    crt, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", crt],
                   capture_output=True, check=True)
    yield crt, key
    shutil.rmtree(d, ignore_errors=True)


def test_served_over_tls(nginx_factory, fake_node, cert):
    crt, key = cert
    conf = pylon_conf(fake_node.url).replace(
        "listen 127.0.0.1:@PORT@;",
        "listen 127.0.0.1:@PORT@ ssl; ssl_certificate %s; ssl_certificate_key %s;" % (crt, key))
    n = nginx_factory(conf)
    ctx = ssl.create_default_context(cafile=crt)

    def get():
        c = http.client.HTTPSConnection("127.0.0.1", n.port, context=ctx, timeout=5)
        c.request("GET", "/api/v1/block/latest")
        r = c.getresponse()
        return r.status, r.read()

    assert wait_for(lambda: get()[0] == 200, 10)
    assert json.loads(get()[1])["number"] == fake_node.head


def test_gzip_compresses_the_json_and_keeps_a_weak_etag(nginx_factory, fake_node):
    # block/latest is too short for the helper's own gzip copy (store/gzip.h),
    # so nginx's gzip filter compresses it per request and weakens the ETag;
    # bodies with a copy are never compressed again (t/test_gzip_copies.py)
    conf = pylon_conf(fake_node.url, location_extra="gzip on; gzip_types application/json; "
                                                    "gzip_min_length 10; gzip_vary on;")
    n = nginx_factory(conf)
    wait_block(n, fake_node.head)
    plain = n.get("/api/v1/block/latest")
    r = n.get("/api/v1/block/latest", headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") == "gzip"
    assert gzip.decompress(r.body) == plain.body
    assert r.header("ETag") == "W/" + plain.header("ETag")
    assert [v for k, v in r.headers if k.lower() == "vary"] == ["Accept-Encoding"]
    again = n.get("/api/v1/block/latest", headers={"Accept-Encoding": "gzip",
                                                   "If-None-Match": r.header("ETag")})
    assert again.status == 304


def test_auth_request_guards_the_api(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url, location_extra="auth_request /auth;").replace(
        "location = /static.json",
        "location = /auth { internal; if ($http_x_key = \"k\") { return 204; } return 401; }\n"
        "        location = /static.json")
    n = nginx_factory(conf)
    assert n.get("/api/v1/block/latest").status == 401
    assert wait_for(lambda: n.get("/api/v1/block/latest",
                                  headers={"X-Key": "k"}).status == 200, 5)


def test_log_format_variables(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url).replace(
        "server {", "log_format pylon '$status $pylon_cache_status $pylon_block "
                    "$pylon_identity';\n    server { access_log @PREFIX@/logs/p.log pylon;", 1)
    n = nginx_factory(conf)
    wait_block(n, fake_node.head)
    n.get("/api/v1/nothing")
    path = os.path.join(n.prefix, "logs", "p.log")
    assert wait_for(lambda: os.path.exists(path) and "404" in open(path).read(), 5)
    lines = open(path).read().splitlines()
    assert "200 HIT %d -" % fake_node.head in lines, lines
    assert "404 - - -" in lines, lines

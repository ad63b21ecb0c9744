"""wss:// to the node: certificates are checked; ca= trusts a private CA."""
import os
import shutil
import ssl
import tempfile
import subprocess

import pytest

from harness import wait_for
from fakenode import FakeNode
from pylon import pylon_conf, wait_block


@pytest.fixture
def tls_node():
    # the helper runs as nobody: the CA must be readable by it
    d = tempfile.mkdtemp(prefix="pylon-tls-")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    os.chmod(d, 0o755)
    os.chmod(cert, 0o644)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    node = FakeNode(ssl_context=ctx).start()
    node.cert = cert
    yield node
    node.stop()
    shutil.rmtree(d, ignore_errors=True)


def test_wss_with_the_right_ca_follows_the_chain(nginx_factory, tls_node):
    n = nginx_factory(pylon_conf("%s ca=%s" % (tls_node.url, tls_node.cert)))
    assert wait_block(n, tls_node.head, 10), n.log()[-2000:]
    head = tls_node.new_head()
    assert wait_block(n, head, 5)


def test_wss_with_an_untrusted_certificate_is_refused(nginx_factory, tls_node):
    n = nginx_factory(pylon_conf(tls_node.url))
    assert wait_for(lambda: "reconnecting in" in n.log(), 10), n.log()[-2000:]
    assert n.get("/api/v1/block/latest").status == 503
    assert tls_node.calls == [], "no JSON-RPC call went over an unverified connection"

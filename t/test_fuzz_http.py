"""Fuzzed paths, methods, headers and bodies never crash a worker (bounded, seeded).

Every answer under a pylon location must be a well-formed response (JSON envelope for errors,
or nginx's own for protocol-level rejections), the worker and helper pids must not change, and
nothing may be logged as a crash.
"""
import json
import os
import random
import socket

import pytest

from pylon import pylon_conf, wait_block

SHARED = os.environ.get("PYLON_SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")

TEMPLATES = [
    "/api/v1/block/latest", "/api/v1/block/{i}/extrinsic/{i}",
    "/api/v1/subnet/{i}/block/{i}/neurons", "/api/v1/subnet/{i}/block/latest/validators",
    "/api/v1/subnet/{i}/block/recent/neurons", "/api/v1/subnet/{i}/block/latest/commitments/{s}",
    "/api/v1/subnet/{i}/block/latest/certificates/{s}",
    "/api/v1/identity/{s}/subnet/{i}/weights", "/api/v1/identity/{s}/subnet/{i}/commitments",
    "/api/v1/identity/{s}/subnet/{i}/certificates/self", "/api/v1/login/identity/{s}",
    "/api/_unstable/subnet/{i}/block/latest/commitments", "/metrics", "/schema/openapi.json",
]
JUNK = ["", "-1", "+5", "1_000", "99999999999999999999999", "0x10", "%00", "%ff%fe", "..",
        "sn1", "self", "latest", "a" * 300, "\u00e9", "1e3", "-0", "%2f", "nan", " "]


def rand_segment(rng):
    if rng.random() < 0.5:
        return rng.choice(JUNK)
    return "".join(rng.choice("abc019-_.%~!$&'()*+,;=:@") for _ in range(rng.randint(0, 40)))


def rand_path(rng):
    t = rng.choice(TEMPLATES)
    out = []
    for seg in t.split("/"):
        if seg in ("{i}", "{s}") or rng.random() < 0.1:
            seg = rand_segment(rng) if rng.random() < 0.7 else str(rng.randint(-5, 70000))
        out.append(seg)
    path = "/".join(out)
    if rng.random() < 0.2:
        path += "?" + rand_segment(rng) + "=" + rand_segment(rng)
    if rng.random() < 0.1:
        path = path.replace("/", "//", 1)
    return path.replace(" ", "%20") or "/"


def rand_body(rng):
    choices = [
        b"", b"{", b"[]", b"null", b'{"weights": {"a": 1}}', b'{"weights": {"": "x"}}',
        b'{"commitment": "0xzz"}', b'{"token": 1}', b'{"algorithm": true}',
        json.dumps({"weights": {str(i): rng.random() for i in range(rng.randint(0, 50))}}).encode(),
        bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))),
        b'{"a":' * rng.randint(1, 2000),
    ]
    return rng.choice(choices)


def raw_request(port, method, path, headers, body):
    head = "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" % (method, path)
    for k, v in headers.items():
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(head.encode("latin-1", "replace") + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data
    finally:
        s.close()


@pytest.mark.skipif(not os.path.isdir(WALLETS), reason="../shared/fixtures/wallet not found")
def test_fuzzed_requests_never_crash_a_worker(nginx_factory, fake_node):
    conf = pylon_conf(fake_node.url, extra_http=(
        "pylon_wallet_path %s; pylon_identity sn1 wallet=pylon hotkey=pylon netuid=2 "
        "token=tok; pylon_metrics_token m; pylon_request_timeout 2s 3s;" % WALLETS))
    n = nginx_factory(conf, workers=2)
    wait_block(n, fake_node.head)
    workers, helpers = n.workers(), n.helpers()
    rng = random.Random(20261121)
    statuses = {}
    for i in range(5000):
        headers = {}
        if rng.random() < 0.4:
            headers["X-Pylon-Timeout"] = rng.choice(["abc", "-1", "0.001", "1e999", "", "nan",
                                                     "1_0", "0.5"])
        if rng.random() < 0.3:
            headers["Cookie"] = "pylon_session=" + rand_segment(rng) * rng.randint(1, 5)
        if rng.random() < 0.3:
            headers["Authorization"] = rng.choice(["Bearer tok", "Bearer", "bearer  x",
                                                   "Basic abc", "Bearer " + "x" * 500])
        method = rng.choice(["GET", "GET", "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD"])
        data = raw_request(n.port, method, rand_path(rng), headers, rand_body(rng))
        assert data.startswith(b"HTTP/1.1 "), data[:200]
        status = int(data[9:12])
        statuses[status] = statuses.get(status, 0) + 1
        head, _, body = data.partition(b"\r\n\r\n")
        if (status >= 400 and b"application/json" in head and method != "HEAD"):
            env = json.loads(body)
            assert env["status_code"] == status, (status, body[:200])
    assert n.workers() == workers, "a worker died"
    assert n.helpers() == helpers, "the helper died"
    log = n.log()
    assert "exited on signal" not in log and "[alert]" not in log, log[-3000:]
    assert len(statuses) > 4, statuses

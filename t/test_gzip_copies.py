"""Pre-compressed answers: the helper stores a gzip copy of each cached body
next to the plain one; workers send it to clients that accept gzip, with
Content-Encoding, Vary and an ETag of its own, and nginx's gzip filter never
compresses it again (issue 15)."""
import gzip

import pytest

from harness import wait_for
import test_data_common as dc
from test_data_fakenode import (MAINNET_BLOCK, conf, data_node, recorded,  # noqa: F401
                                served, pytestmark)  # noqa: F401

GZ = {"Accept-Encoding": "gzip"}


def start(nginx_factory, data_node, extra="", location_extra=""):  # noqa: F811
    node = data_node(MAINNET_BLOCK)
    node.hashes[MAINNET_BLOCK] = recorded()["hash"]
    c = conf(node, extra)
    if location_extra:
        c = c.replace("pylon_subnet on;", "pylon_subnet on; " + location_extra)
    n = nginx_factory(c)
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    return n


def paths():
    at = dc.routes(1, block=MAINNET_BLOCK)
    return (["/api/v1/block/latest"] + list(dc.routes(1).values())
            + [at["neurons"], at["validators"]])


def varies(r):
    return [v for k, v in r.headers if k.lower() == "vary"]


def test_gzip_copy_inflates_to_the_plain_body_for_every_route(nginx_factory, data_node):  # noqa: F811
    n = start(nginx_factory, data_node)
    zipped = 0
    for path in paths():
        plain = n.request(path)
        z = n.request(path, headers=GZ)
        assert plain.status == 200 and z.status == 200, path
        assert plain.header("Content-Encoding") is None, path
        if z.header("Content-Encoding") is None:
            # no copy (a body too short to gain): plain for everyone
            assert z.body == plain.body and z.header("ETag") == plain.header("ETag")
            continue
        zipped += 1
        assert z.header("Content-Encoding") == "gzip", path
        assert len(z.body) < len(plain.body), path
        assert gzip.decompress(z.body) == plain.body, path
        assert z.header("ETag") == plain.header("ETag")[:-1] + '-gz"', path
        assert not z.header("ETag").startswith("W/"), path
        assert varies(z) == ["Accept-Encoding"], path
        assert varies(plain) == ["Accept-Encoding"], path
        assert int(z.header("Content-Length")) == len(z.body), path
    # neurons, validators at latest and at the block at least
    assert zipped >= 4, zipped


def test_every_stored_copy_inflates_to_its_body(nginx_factory, data_node):  # noqa: F811
    import shutil
    import subprocess
    if shutil.which("mdb_dump") is None:
        pytest.skip("mdb_dump (lmdb-utils) not installed")
    n = start(nginx_factory, data_node)
    for path in paths():                   # at-block records too
        assert n.request(path).status == 200, path
    r = subprocess.run(["mdb_dump", n.prefix + "/data/cache"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    start_at = lines.index("HEADER=END") + 1
    copies = []
    for k, v in zip(lines[start_at::2], lines[start_at + 1::2]):
        if k == "DATA=END":
            break
        key, val = bytes.fromhex(k.strip()).decode(), bytes.fromhex(v.strip())
        if key[:2] not in ("L/", "B/"):
            assert len(val) < 32 or dc.record_gzip(val) is None, key
            continue
        z = dc.record_gzip(val)
        if z is not None:
            copies.append(key)
            assert gzip.decompress(z) == dc.record_body(val), key
    assert "L/neurons/1" in copies and "L/validators/1" in copies, copies


def test_gzip_etag_and_304_for_both(nginx_factory, data_node):  # noqa: F811
    n = start(nginx_factory, data_node)
    path = dc.routes(1)["neurons"]
    plain = n.request(path)
    z = n.request(path, headers=GZ)
    again = n.request(path, headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": z.header("ETag")})
    assert again.status == 304 and again.body == b""
    assert again.header("ETag") == z.header("ETag")
    assert varies(again) == ["Accept-Encoding"]
    again = n.request(path, headers={"If-None-Match": plain.header("ETag")})
    assert again.status == 304
    assert again.header("ETag") == plain.header("ETag")
    # a plain client holding the gzip tag (or the other way round) gets 200
    cross = n.request(path, headers={"If-None-Match": z.header("ETag")})
    assert cross.status == 200 and cross.body == plain.body
    cross = n.request(path, headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": plain.header("ETag")})
    assert cross.status == 200 and cross.header("Content-Encoding") == "gzip"


@pytest.mark.parametrize("ae,zipped", [
    ("gzip", True), ("deflate, gzip;q=0.5", True), ("*", True), ("x-gzip", True),
    ("gzip;q=0", False), ("identity", False), ("br", False), ("gzip;q=0, *", False),
    ("*;q=0", False), ("gzip;q=abc", False),
])
def test_accept_encoding_q_values(nginx_factory, data_node, ae, zipped):  # noqa: F811
    n = start(nginx_factory, data_node)
    path = dc.routes(1)["validators"]
    plain = n.request(path)
    r = n.request(path, headers={"Accept-Encoding": ae})
    assert r.status == 200
    if zipped:
        assert r.header("Content-Encoding") == "gzip", ae
        assert gzip.decompress(r.body) == plain.body
    else:
        assert r.header("Content-Encoding") is None, ae
        assert r.body == plain.body
        assert r.header("ETag") == plain.header("ETag")


def test_nginx_gzip_on_never_compresses_the_copy_again(nginx_factory, data_node):  # noqa: F811
    n = start(nginx_factory, data_node, location_extra=(
        "gzip on; gzip_types application/json; gzip_min_length 10; gzip_vary on;"))
    path = dc.routes(1)["neurons"]
    plain = n.request(path)
    z = n.request(path, headers=GZ)
    assert [v for k, v in z.headers if k.lower() == "content-encoding"] == ["gzip"]
    assert gzip.decompress(z.body) == plain.body         # once, not twice
    assert z.header("ETag") == plain.header("ETag")[:-1] + '-gz"'   # strong
    assert varies(z) == ["Accept-Encoding"]              # one Vary, not two
    assert varies(plain) == ["Accept-Encoding"]
    # a short body without a copy is still nginx's to compress (weak tag)
    b = n.request("/api/v1/block/latest", headers=GZ)
    assert b.status == 200
    if b.header("Content-Encoding") == "gzip":
        assert b.header("ETag").startswith("W/")
        assert len(varies(b)) == 1


def test_pylon_gzip_off_sends_plain(nginx_factory, data_node):  # noqa: F811
    n = start(nginx_factory, data_node, extra="pylon_gzip off;")
    path = dc.routes(1)["neurons"]
    plain = n.request(path)
    r = n.request(path, headers=GZ)
    assert r.header("Content-Encoding") is None
    assert r.body == plain.body and r.header("ETag") == plain.header("ETag")
    assert varies(r) == []

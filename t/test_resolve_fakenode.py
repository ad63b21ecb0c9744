"""Name resolution never blocks the helper's loop (issue 12, "Stalls").

An LD_PRELOAD shim (t/dns/slow_getaddrinfo.c) makes getaddrinfo("slow.pylon.test") take 8 s.
The archive node is configured by that name: while it resolves, the main node's heads must keep
coming into the cache, and the archive connects once the name is in.
"""
import os
import shutil
import subprocess
import time

import pytest

import harness
from harness import wait_for
from test_data_fakenode import conf, data_node, served  # noqa: F401
import test_data_common as dc

SHIM = os.path.join(os.path.dirname(__file__), "dns", "slow_getaddrinfo.c")


def latest_number(n):
    r = n.request("/api/v1/block/latest")
    return r.json()["number"] if r.status == 200 else None


@pytest.fixture
def slow_dns(tmp_path, monkeypatch):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler for the getaddrinfo shim")
    so = str(tmp_path / "slow_getaddrinfo.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", so, SHIM, "-ldl"], check=True)
    env = dict(harness.NGINX_ENV or os.environ)
    env["LD_PRELOAD"] = (env.get("LD_PRELOAD", "") + " " + so).strip()
    monkeypatch.setattr(harness, "NGINX_ENV", env)


def test_slow_name_resolution_does_not_stall_heads(nginx_factory, data_node, slow_dns):
    main = data_node(700)
    archive = data_node(700)
    t0 = time.time()
    n = nginx_factory(conf(main, "pylon_archive_network ws://slow.pylon.test:%d;"
                           % archive.port))
    assert wait_for(lambda: latest_number(n) == 700, 5), n.log()[-3000:]
    for _ in range(2):
        head = main.new_head()
        assert wait_for(lambda: latest_number(n) == head, 1.5), n.log()[-3000:]
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 3)
    assert time.time() - t0 < 7.5, "heads followed only after the archive's name came"
    assert "archive node slow.pylon.test is" not in n.log()   # still resolving meanwhile

    assert wait_for(lambda: "archive node slow.pylon.test is 127.0.0.1" in n.log(), 15), \
        n.log()[-3000:]
    assert wait_for(lambda: archive.connections >= 1, 5)

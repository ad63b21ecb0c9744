"""`pylon_netuids all`: the helper tracks every subnet the chain has
(SubtensorModule.NetworksAdded, read every 10 blocks): new subnets are
picked up, dissolved ones dropped with their latest records (issue 15)."""
import shutil

import pytest

from harness import wait_for
import test_data_common as dc
from pylon import pylon_conf
from test_data_fakenode import DataNode, pytestmark  # noqa: F401


class SubnetsNode(DataNode):
    """Every subnet is the recorded one; NetworksAdded lists self.subnets."""

    def __init__(self, head):
        super().__init__(head)
        self.any_netuid = True
        self.subnets = [1, 2, 3]
        self.list_reads = 0

    def answer(self, method, params):
        # NetworksAdded's prefix is the only 32-byte one the helper pages
        if method == "state_getKeysPaged" and len(params[0]) == 66:
            self.check(params[3])
            self.list_reads += 1
            return [params[0] + "%02x%02x" % (u & 0xff, u >> 8) for u in self.subnets]
        return super().answer(method, params)


@pytest.fixture
def node():
    n = SubnetsNode(1000)
    n.start()
    yield n
    n.stop()


def latest_neurons(cache_dir):
    import os
    if not os.path.exists(os.path.join(cache_dir, "data.mdb")):
        return set()
    return {int(k.split("/")[2]) for k in dc.cache_records(cache_dir)
            if k.startswith("L/neurons/")}


def test_netuids_all_follows_the_chains_subnets(nginx_factory, node):
    if shutil.which("mdb_dump") is None:
        pytest.skip("mdb_dump (lmdb-utils) not installed")
    n = nginx_factory(pylon_conf(node.url, extra_http="pylon_netuids all; "
                                 "pylon_archive_network %s;" % node.url))
    cache = n.prefix + "/data/cache"
    # the first head reads the list; the next heads refresh what it found
    assert wait_for(lambda: node.list_reads >= 1, 10), n.log()[-3000:]
    for _ in range(2):
        node.new_head()
    assert wait_for(lambda: latest_neurons(cache) == {1, 2, 3} or None, 20), \
        (latest_neurons(cache), n.log()[-3000:])
    r = n.request(dc.routes(3)["neurons"])
    assert r.status == 200 and r.json()["block"]["number"] >= 1001

    node.subnets = [1, 3, 300]                 # 2 dissolved, 300 registered

    def moved():
        node.new_head()                        # within 10 blocks, read again
        return latest_neurons(cache) == {1, 3, 300} or None

    assert wait_for(moved, 30, 0.3), (latest_neurons(cache), n.log()[-3000:])
    r = n.request(dc.routes(300)["neurons"])
    assert r.status == 200
    assert node.list_reads >= 2


def test_netuids_all_is_exclusive(node):
    from harness import Nginx
    x = Nginx(pylon_conf(node.url, extra_http="pylon_netuids all; pylon_netuids 1;"))
    try:
        x.write_conf(x.conf)
        r = x.test_config()
        assert r.returncode != 0 and "is duplicate" in r.stderr, r.stderr
    finally:
        x.cleanup()

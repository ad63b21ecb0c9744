"""The helper never stalls (issue 12), against the scripted node (t/lib/fakenode.py, with the
recorded finney block of test_data_fakenode.py).

A hung archive node: its calls have a deadline like the main node's (30 s), the waiting
requests get 504 meanwhile, and once the node answers again a later request succeeds
(before, the hung call kept its fetch job running and every identical request joined it).
"""
from harness import wait_for
from test_data_fakenode import (DataNode, conf, data_node, pytestmark, served)  # noqa: F401
import test_data_common as dc


def test_hung_archive_node_gives_504_then_a_later_request_succeeds(nginx_factory, data_node):
    main = data_node(1000)
    archive = data_node(1000)
    n = nginx_factory(conf(main, "pylon_archive_network %s; pylon_archive_cutoff 50;"
                           % archive.url))
    assert wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20), n.log()[-3000:]
    assert wait_for(lambda: "archive node %s connected" % archive.url in n.log(), 10)

    archive.mode = "silent"              # reads and never answers
    old = 1000 - 51
    path = dc.routes(1, old)["neurons"]
    r = n.request(path, headers={"X-Pylon-Timeout": "2"}, timeout=30)
    assert r.status == 504, r

    # the call's deadline fails it and drops the stuck connection
    assert wait_for(lambda: "archive node did not answer" in n.log(), 45), n.log()[-3000:]
    archive.mode = "ok"
    r = wait_for(lambda: served(n, path), 30, step=0.5)
    assert r, n.log()[-3000:]

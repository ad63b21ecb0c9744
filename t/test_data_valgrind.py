"""The subnet-data path under valgrind: no error, no definite leak, in any process.

A fake node serves the recorded mainnet subnet (1024 neurons); the run
covers per-block refresh of a configured subnet, an auto-tracked subnet,
a historical fetch that falls back to the archive node, a 404 above the
head and a quit.
"""
import glob
import os
import re
import shutil

import pytest

from harness import ROOT, wait_for
from pylon import pylon_conf
import test_data_common as dc
import test_data_fakenode as tf

SUPP = os.path.join(ROOT, "t", "valgrind.supp")

pytestmark = [
    pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind not installed"),
    tf.pytestmark,
]


def test_data_valgrind_clean(nginx_factory, tmp_path):
    logs = tmp_path / "vg"
    logs.mkdir()
    os.chmod(str(tmp_path), 0o777)
    os.chmod(str(logs), 0o777)
    vg = ["valgrind", "--quiet", "--trace-children=yes", "--vgdb=no",
          "--child-silent-after-fork=no", "--suppressions=" + SUPP, "--leak-check=full",
          "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
          "--log-file=%s/vg.%%p.log" % logs]
    main, archive = tf.DataNode(700), tf.DataNode(700)
    main.any_netuid = archive.any_netuid = True
    main.start()
    archive.start()
    try:
        n = nginx_factory(pylon_conf(main.url, extra_http="pylon_netuids 1; "
                                     "pylon_archive_network %s;" % archive.url),
                          valgrind=vg)

        def at(u, number, timeout):
            return wait_for(lambda: (lambda r: r if r.status == 200 and r.json()["block"]
                                     ["number"] >= number else None)(
                n.request(dc.routes(u)["neurons"], timeout=60)), timeout)

        assert at(1, 700, 120), n.log()[-3000:]
        head = main.new_head()
        archive.new_head()
        assert at(1, head, 60)
        assert n.request(dc.routes(2)["validators"], timeout=120).status == 200
        main.discarded.add(tf.block_hash(650))
        r = n.request(dc.routes(1, 650)["neurons"], timeout=120)
        assert r.status == 200 and r.json()["block"]["number"] == 650
        assert n.request(dc.routes(1, 99999)["neurons"], timeout=60).status == 404
        head = main.new_head()
        assert at(2, head, 60)
        n.stop(timeout=120)
    finally:
        main.stop()
        archive.stop()

    reports = []
    for path in glob.glob(str(logs / "vg.*.log")):
        text = open(path).read()
        if re.search(r"^==\d+== \S", text, re.M):
            reports.append("%s:\n%s" % (path, text[:4000]))
    assert reports == [], "\n\n".join(reports)
    assert len(glob.glob(str(logs / "vg.*.log"))) >= 3     # master, worker, helper

"""One run of nginx with the module under valgrind: no error in any process.

master, workers and helper are all followed (one log per pid); the run covers startup, serving
block/latest, new heads, a helper kill -9 and respawn, a reload and a quit.
"""
import glob
import os
import re
import shutil
import signal
import time

import pytest

from harness import ROOT, wait_for
from pylon import pylon_conf, wait_block

SUPP = os.path.join(ROOT, "t", "valgrind.supp")


@pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind not installed")
def test_valgrind_finds_no_error(nginx_factory, fake_node, tmp_path):
    logs = tmp_path / "vg"
    logs.mkdir()
    os.chmod(str(tmp_path), 0o777)
    os.chmod(str(logs), 0o777)
    vg = ["valgrind", "--quiet", "--trace-children=yes", "--vgdb=no", "--child-silent-after-fork=no",
          "--suppressions=" + SUPP, "--leak-check=full", "--show-leak-kinds=definite",
          "--errors-for-leak-kinds=definite", "--track-origins=yes",
          "--log-file=%s/vg.%%p.log" % logs]
    n = nginx_factory(pylon_conf(fake_node.url), valgrind=vg, workers=2)
    assert wait_block(n, fake_node.head, 60), n.log()[-3000:]
    for _ in range(3):
        head = fake_node.new_head()
        assert wait_block(n, head, 20)
    assert n.get("/api/v1/nope").status == 404
    assert n.get("/api/v1/block/latest", method="POST", body=b"{}").status == 405
    # under valgrind the process titles are valgrind's: find the helper in the log
    def helper_pid():
        pids = re.findall(r"start cache manager process (\d+)", n.log())
        return int(pids[-1]) if pids else None

    helper = helper_pid()
    n.expect_log(r"cache manager process \d+ exited on signal 9")
    os.kill(helper, signal.SIGKILL)
    assert wait_for(lambda: helper_pid() != helper, 30)
    n.reload()
    time.sleep(8)
    head = fake_node.new_head()
    assert wait_block(n, head, 30)
    n.stop(timeout=60)

    reports = []
    for path in glob.glob(str(logs / "vg.*.log")):
        text = open(path).read()
        # the killed helper's log ends abruptly; everything else must be clean
        if re.search(r"^==\d+== \S", text, re.M):
            reports.append("%s:\n%s" % (path, text[:4000]))
    assert reports == [], "\n\n".join(reports)
    assert len(glob.glob(str(logs / "vg.*.log"))) >= 5

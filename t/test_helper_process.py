"""The helper process's life: spawned, respawned, replaced on reload, stopped with nginx."""
import os
import signal
import subprocess
import threading
import time

import pytest

from harness import Nginx, wait_for
from fakenode import FakeNode
from pylon import pylon_conf, wait_block, latest


def start(nginx_factory, node, **kw):
    n = nginx_factory(pylon_conf(node.url, **kw.pop("conf", {})), **kw)
    wait_block(n, node.head)
    return n


def title(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().split(b"\0")[0].decode()


def ppid(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_helper_is_one_titled_child_of_the_master(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, workers=2)
    helpers = n.helpers()
    assert len(helpers) == 1
    assert title(helpers[0]) == "nginx: pylon helper"
    assert ppid(helpers[0]) == n.proc.pid
    if os.geteuid() == 0:
        with open("/proc/%d/status" % helpers[0]) as f:
            uid_line = [line for line in f if line.startswith("Uid:")][0]
        assert uid_line.split()[1] != "0", "the helper runs as the worker user"


def test_helper_respawns_after_kill_9_and_serving_continues(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    n.expect_log(r"cache manager process \d+ exited on signal 9")
    old = n.helpers()[0]
    os.kill(old, signal.SIGKILL)
    # the cache keeps answering while there is no helper
    r = n.get("/api/v1/block/latest")
    assert r.status == 200 and r.json()["number"] == fake_node.head
    new = wait_for(lambda: [p for p in n.helpers() if p != old], 5)
    assert new and len(n.helpers()) == 1
    head = fake_node.new_head()
    assert wait_block(n, head, 5), "the respawned helper follows the chain"


def test_reload_under_load_loses_no_request_and_leaves_one_helper(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, workers=2)
    old = n.helpers()[0]
    failures, done, count = [], threading.Event(), [0]

    def hammer():
        while not done.is_set():
            try:
                r = n.get("/api/v1/block/latest", timeout=5)
                if r.status != 200:
                    failures.append(r.status)
            except Exception as e:          # noqa: BLE001 - any failure counts
                failures.append(repr(e))
            count[0] += 1

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    for _ in range(3):
        n.reload()
        time.sleep(0.7)
    fake_node.new_head()
    time.sleep(0.5)
    done.set()
    for t in threads:
        t.join()
    assert count[0] > 50 and failures == []
    assert wait_for(lambda: len(n.helpers()) == 1 and n.helpers()[0] != old, 5), n.helpers()
    assert not alive(old)
    assert wait_for(lambda: latest(n)["number"] == fake_node.head, 5)
    log = n.log()
    assert "previous helper still holds the lock" in log and "lock taken after" in log


def test_quit_leaves_no_process(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node, workers=2)
    children = list(n.children())
    assert len(children) == 3
    n.stop(signal.SIGQUIT)
    assert n.proc.returncode == 0
    assert wait_for(lambda: not any(alive(p) for p in children), 5)
    assert "pylon helper: exiting (quit)" in n.log()


def test_stop_terminates_the_helper(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    helper = n.helpers()[0]
    n.stop(signal.SIGTERM)
    assert wait_for(lambda: not alive(helper), 5)
    assert "pylon helper: exiting (terminate)" in n.log()


def test_a_stuck_helper_is_killed_by_its_successor(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    n.expect_log(r"cache manager process \d+ exited on signal 9")             # the successor kills it
    stuck = n.helpers()[0]
    os.kill(stuck, signal.SIGSTOP)
    try:
        n.reload()
        assert wait_for(lambda: not alive(stuck), 12), "stuck helper still there"
        assert wait_for(lambda: len(n.helpers()) == 1, 5)
        assert "is stuck, killing it" in n.log()
        head = fake_node.new_head()
        assert wait_block(n, head, 5)
    finally:
        if alive(stuck):
            os.kill(stuck, signal.SIGCONT)


def test_reopen_reaches_the_helper(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    n.kill(signal.SIGUSR1)
    assert wait_for(lambda: "pylon helper: reopening logs" in n.log(), 5)


def test_master_process_off_forks_an_unmanaged_helper(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url), main_conf="master_process off;")
    assert wait_block(n, fake_node.head), n.log()[-2000:]
    helpers = [p for p, t in n.children().items()]
    assert len(helpers) == 1 and title(helpers[0]) == "nginx: pylon helper"
    head = fake_node.new_head()
    assert wait_block(n, head)
    n.stop()
    assert wait_for(lambda: not alive(helpers[0]), 5), "the helper exits with nginx"


def test_proxy_cache_manager_keeps_running_beside_the_helper(nginx_factory, fake_node):
    conf = {"extra_http": "proxy_cache_path @PREFIX@/data/pc keys_zone=pc:1m "
                          "max_size=10m manager_sleep=50ms;"}
    n = nginx_factory(pylon_conf(fake_node.url, **conf), main_conf="")
    n.write_conf(n.conf.replace("error_log logs/error.log info;",
                                "error_log logs/error.log debug;"))
    n.stop()
    n.start()
    wait_block(n, fake_node.head)
    helper = n.helpers()[0]
    needle = "[debug] %d#%d: http file cache size" % (helper, helper)
    assert wait_for(lambda: n.log().count(needle) >= 2, 15), "proxy_cache manager never ran"


def test_node_killed_and_restarted_helper_reconnects_and_catches_up(nginx_factory):
    node = FakeNode().start()
    try:
        n = start(nginx_factory, node)
        helper = n.helpers()[0]
        node.stop()
        time.sleep(1.0)
        assert latest(n)["number"] == node.head, "the cache keeps serving"
        node.head += 5                       # blocks were made while we were away
        node.start()
        assert wait_block(n, node.head, 15), n.log()[-2000:]
        assert n.helpers() == [helper], "reconnected without dying"
        assert "reconnecting in" in n.log()
    finally:
        node.stop()


def test_garbage_from_the_node_is_logged_and_survived(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    helper = n.helpers()[0]
    fake_node.mode = "garbage"
    fake_node.new_head()
    assert wait_for(lambda: "sent an invalid message" in n.log(), 5)
    assert n.helpers() == [helper]
    assert n.get("/api/v1/block/latest").status == 200
    fake_node.mode = "ok"
    head = fake_node.new_head()
    assert wait_block(n, head, 5)
    assert n.helpers() == [helper]


def test_a_silent_node_is_dropped_and_reconnected(nginx_factory, fake_node):
    n = start(nginx_factory, fake_node)
    fake_node.mode = "silent"
    connections = fake_node.connections
    fake_node.new_head()                 # the helper asks for its hash: no answer
    assert wait_for(lambda: "did not answer" in n.log(), 40)
    fake_node.mode = "ok"
    assert wait_for(lambda: fake_node.connections > connections, 15)
    head = fake_node.new_head()
    assert wait_block(n, head, 5)

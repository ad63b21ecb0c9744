"""A pylon_cache directory nginx's `user` cannot reach: `nginx -t` names the directory and the user;
at runtime (a reload after the permissions changed) the helper says so in one log line and
workers answer 503 in Pylon's envelope instead of 500.  As root the harness runs `user nobody`."""
import os
import time

import pytest

from harness import Nginx, wait_for
from pylon import pylon_conf

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (user nobody nogroup)")


def conf_in(sub):
    return pylon_conf("ws://127.0.0.1:9", cache_extra=" max_size=64m").replace(
        "@PREFIX@/data/cache", "@PREFIX@/data/%s/cache" % sub)


def test_nginx_t_names_a_parent_the_user_cannot_search():
    n = Nginx(conf_in("locked"))
    try:
        locked = os.path.join(n.prefix, "data", "locked")
        os.makedirs(locked, mode=0o700)
        os.chmod(locked, 0o700)
        t = n.test_config()
        assert t.returncode != 0, t.stderr
        assert ('pylon_cache directory "%s/cache" cannot be used by user "nobody"' % locked
                in t.stderr), t.stderr
        assert 'directory "%s" does not grant search' % locked in t.stderr, t.stderr
        os.chmod(locked, 0o711)
        t = n.test_config()
        assert t.returncode == 0, t.stderr
    finally:
        n.expect_log(r"cannot be used by user")
        n.cleanup()


def test_nginx_t_names_a_cache_file_left_by_root():
    n = Nginx(conf_in("files"))
    try:
        cache = os.path.join(n.prefix, "data", "files", "cache")
        os.makedirs(cache)
        with open(os.path.join(cache, "data.mdb"), "w"):
            pass
        os.chmod(os.path.join(cache, "data.mdb"), 0o600)
        t = n.test_config()
        assert t.returncode != 0, t.stderr
        assert "data.mdb" in t.stderr and '"nobody"' in t.stderr, t.stderr
    finally:
        n.expect_log(r"cannot be used by user")
        n.cleanup()


def test_runtime_loss_of_the_cache_gives_503_and_a_helper_log_line():
    n = Nginx(conf_in("later"))
    n.expect_log(r"cache unavailable", r"cannot be used by user",
                 r"exited with fatal code 2")
    try:
        os.makedirs(os.path.join(n.prefix, "data", "later"), mode=0o755)
        n.start()
        assert wait_for(lambda: "pylon helper: started" in n.log(), 10), n.log()[-2000:]
        r = n.get("/api/v1/block/latest")
        assert r.status in (200, 503) and r.json()["detail"] != "Internal Server Error", r
        os.chmod(os.path.join(n.prefix, "data", "later"), 0o700)
        old = set(n.workers())
        n.reload()
        assert wait_for(lambda: n.workers() and not (set(n.workers()) & old), 15), n.log()[-2000:]
        r = n.get("/api/v1/block/latest")
        assert r.status == 503, r
        assert r.json()["status_code"] == 503
        assert r.json()["detail"].startswith("Cache unavailable"), r.json()
        r = n.get("/api/v1/subnet/1/block/latest/neurons")
        assert r.status == 503 and r.json()["detail"].startswith("Cache unavailable"), r
        assert wait_for(lambda: "pylon helper: cache unavailable" in n.log(), 15), n.log()[-3000:]
        line = [x for x in n.log().splitlines() if "pylon helper: cache unavailable" in x][0]
        assert 'user "nobody"' in line and "/data/later" in line, line
        assert "Internal Server Error" not in r.body.decode()
        # permissions back, one more reload: served again
        os.chmod(os.path.join(n.prefix, "data", "later"), 0o755)
        old = set(n.workers())
        n.reload()
        assert wait_for(lambda: n.workers() and not (set(n.workers()) & old), 15)
        time.sleep(0.3)
        r = n.get("/api/v1/block/latest")
        assert r.status != 503 or not r.json()["detail"].startswith("Cache unavailable"), r
    finally:
        n.cleanup()

"""block/latest against the real subtensor runtime (chopsticks, raonet genesis, spec 218)."""
import struct
import time

from harness import wait_for
from fakenode import TIMESTAMP_NOW
from pylon import pylon_conf, wait_block, latest


def expected(chain, number):
    h = chain.block_hash(number)
    raw = chain.rpc("state_getStorage", [TIMESTAMP_NOW, h])
    ms = struct.unpack("<Q", bytes.fromhex(raw[2:]))[0]
    return {"number": number, "hash": h, "timestamp": ms // 1000}


def test_block_latest_equals_the_real_chain(nginx_factory, chain):
    n = nginx_factory(pylon_conf(chain.url))
    head = chain.head()
    body = wait_block(n, head, 15)
    assert body == expected(chain, head), n.log()[-2000:]


def test_new_block_appears_within_one_second(nginx_factory, chain):
    n = nginx_factory(pylon_conf(chain.url))
    assert wait_block(n, chain.head(), 15)
    for _ in range(3):
        head = chain.new_block()
        t0 = time.time()
        body = wait_block(n, head, 1.0)
        assert body, "block %d not served within 1 s of dev_newBlock" % head
        assert time.time() - t0 <= 1.0
        assert body == expected(chain, head)


def test_helper_respawned_mid_chain_catches_up(nginx_factory, chain):
    import os
    import signal
    n = nginx_factory(pylon_conf(chain.url))
    assert wait_block(n, chain.head(), 15)
    n.expect_log(r"cache manager process \d+ exited on signal 9")
    old = n.helpers()[0]
    os.kill(old, signal.SIGKILL)
    head = chain.new_block(2)
    assert latest(n)["number"] <= head
    assert wait_for(lambda: (lambda h: h and h[0] != old)(n.helpers()), 5)
    assert wait_block(n, head, 10) == expected(chain, head)

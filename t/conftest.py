"""pytest harness for ngx_pylon (Debian's python3-pytest and python3-websockets).

Each test that asks for `nginx_factory` gets a private prefix, a free 127.0.0.1 port and an
nginx master started as a child of the test process (`-g 'daemon off;'`), stopped by pid at
the end.  `fake_node` is a scripted chain node (t/lib/fakenode.py); `chain` is the real subtensor
runtime served by chopsticks (t/lib/chain.py), skipped with a clear message when the genesis or
the npm packages are not there.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))

from harness import Nginx, wait_for  # noqa: E402
from fakenode import FakeNode  # noqa: E402
import chain as chainlib  # noqa: E402


@pytest.fixture
def nginx_factory():
    made = []

    def make(http_conf, start=True, **kw):
        n = Nginx(http_conf, **kw)
        made.append(n)
        return n.start() if start else n

    yield make
    failed = []
    for n in made:                  # stop every one, then report the first
        try:
            n.cleanup()
        except AssertionError as e:
            failed.append(e)
    if failed:
        raise failed[0]


@pytest.fixture
def fake_node():
    node = FakeNode()
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def chain():
    reason = chainlib.unavailable()
    if reason:
        pytest.skip(reason)
    c = chainlib.Chopsticks()
    c.start()
    yield c
    c.stop()

"""`make demo` works: a local chain, nginx with conf.example, live answers."""
import os
import subprocess

import pytest

import chain as chainlib
from harness import ROOT


def test_make_demo_prints_live_answers():
    reason = chainlib.unavailable()
    if reason:
        pytest.skip(reason)
    env = dict(os.environ, DEMO_ONESHOT="1", PYLON_GENESIS=chainlib.genesis_path())
    r = subprocess.run([os.path.join(ROOT, "t", "demo.sh")], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert '"number":1,"hash":"0x' in r.stdout
    assert '"number":3,"hash":"0x' in r.stdout, r.stdout
    assert '{"status_code":404,"detail":"Not Found"}' in r.stdout

"""pylon_env_file: a Pylon .env configures ngx_pylon; directives win over it."""
import json
import os

import pytest

from harness import Nginx
from pylon import wait_block

SHARED = os.environ.get("PYLON_SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
WALLETS = os.path.join(SHARED, "fixtures", "wallet")

pytestmark = pytest.mark.skipif(not os.path.isdir(WALLETS),
                                reason="../shared/fixtures/wallet not found (set PYLON_SHARED)")


def env_conf(path, extra=""):
    return """
    pylon_cache @PREFIX@/data/cache max_size=64m;
    pylon_env_file %s;
    %s
    server { listen 127.0.0.1:@PORT@; location / { pylon_subnet on; } }
""" % (path, extra)


def write_env(tmp_path, node_url, extra=""):
    p = tmp_path / "pylon.env"
    p.write_text(f"""# a Pylon .env
PYLON_BITTENSOR_NETWORK={node_url}
PYLON_BITTENSOR_ARCHIVE_NETWORK=archive
export PYLON_BITTENSOR_WALLET_PATH="{WALLETS}"
PYLON_IDENTITIES='["sn1"]'
PYLON_ID_SN1_WALLET_NAME=pylon
PYLON_ID_SN1_HOTKEY_NAME=pylon
PYLON_ID_SN1_NETUID=2
PYLON_ID_SN1_TOKEN=abc
PYLON_METRICS_TOKEN=m3trics
{extra}
""")
    os.chmod(str(tmp_path), 0o755)
    os.chmod(str(p), 0o644)
    return str(p)


def test_env_file_configures_network_identity_and_metrics(nginx_factory, fake_node, tmp_path):
    n = nginx_factory(env_conf(write_env(tmp_path, fake_node.url)))
    assert wait_block(n, fake_node.head), "the network came from the .env"
    r = n.request("/api/v1/login/identity/sn1", method="POST",
                  body=json.dumps({"token": "abc"}).encode())
    assert r.status == 200 and r.json() == {"netuid": 2, "identity_name": "sn1"}
    r = n.request("/api/v1/login/identity/sn1", method="POST",
                  body=json.dumps({"token": "nope"}).encode())
    assert r.status == 401
    assert n.get("/metrics", headers={"Authorization": "Bearer m3trics"}).status == 200


def test_directives_win_over_the_env_file(nginx_factory, fake_node, tmp_path):
    path = write_env(tmp_path, "ws://127.0.0.1:1")
    n = nginx_factory(env_conf(path, "pylon_network %s; pylon_identity sn1 wallet=pylon "
                                     "hotkey=pylon netuid=3 token=xyz; "
                                     "pylon_wallet_path %s;" % (fake_node.url, WALLETS)))
    assert wait_block(n, fake_node.head)
    r = n.request("/api/v1/login/identity/sn1", method="POST",
                  body=json.dumps({"token": "xyz"}).encode())
    assert r.status == 200 and r.json()["netuid"] == 3


def test_a_bad_env_file_fails_nginx_t_naming_the_line(tmp_path):
    p = tmp_path / "bad.env"
    p.write_text("PYLON_BITTENSOR_NETWORK=finney\nPYLON_ARCHIVE_BLOCKS_CUTOFF=x\n"
                 "PYLON_BITTENSOR_ARCHIVE_BLOCKS_CUTOFF=abc\n")
    os.chmod(str(tmp_path), 0o755)
    n = Nginx(env_conf(str(p)))
    try:
        r = n.test_config()
        assert r.returncode != 0
        assert '"pylon_env_file" directive' in r.stderr
        assert "bad.env:3" in r.stderr, r.stderr
    finally:
        n.cleanup()


def test_missing_env_file_fails_nginx_t(tmp_path):
    n = Nginx(env_conf(str(tmp_path / "nope.env")))
    try:
        r = n.test_config()
        assert r.returncode != 0 and '"pylon_env_file" directive' in r.stderr
    finally:
        n.cleanup()

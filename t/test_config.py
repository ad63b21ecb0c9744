"""`nginx -t` accepts good settings and rejects bad ones naming the directive and file:line."""
import re

import pytest

from harness import Nginx


def check(http_conf, tmp_ok=True):
    n = Nginx(http_conf)
    try:
        return n.test_config()
    finally:
        n.cleanup()


SERVER = "server { listen 127.0.0.1:@PORT@; location / { pylon_subnet on; } }"


@pytest.mark.parametrize("network", [
    "finney", "test", "local", "archive", "ws://127.0.0.1:9944", "wss://node.example:443/ws",
    "ws://node.example", "https://node.example", "ws://[::1]:9944",
])
def test_config_accepts_good_networks(network):
    r = check("pylon_cache @PREFIX@/data/c; pylon_network %s; pylon_archive_network archive; %s"
              % (network, SERVER))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("network", [
    "mainnet", "ftp://x", "ws://", "ws:///path", "ws://host:0", "ws://host:65536",
    "ws://host:abc", "ws://user@host", "wss://:443",
])
def test_config_rejects_bad_network_naming_the_directive(network):
    r = check("pylon_cache @PREFIX@/data/c; pylon_network %s; %s" % (network, SERVER))
    assert r.returncode != 0
    assert '"pylon_network" directive' in r.stderr
    assert re.search(r"nginx\.conf:\d+", r.stderr), r.stderr


@pytest.mark.parametrize("arg,why", [
    ("max_size=abc", "invalid max_size"), ("max_size=10k", "invalid max_size"),
    ("maxsize=1g", "invalid parameter"), ("max_size=", "invalid max_size"),
])
def test_config_rejects_bad_cache_size(arg, why):
    r = check("pylon_cache @PREFIX@/data/c %s; %s" % (arg, SERVER))
    assert r.returncode != 0
    assert why in r.stderr and '"pylon_cache" directive' in r.stderr, r.stderr


def test_config_accepts_cache_size_units():
    r = check("pylon_cache @PREFIX@/data/c max_size=2g; %s" % SERVER)
    assert r.returncode == 0, r.stderr


def test_config_rejects_duplicate_cache():
    r = check("pylon_cache @PREFIX@/data/c; pylon_cache @PREFIX@/data/d; %s" % SERVER)
    assert r.returncode != 0 and '"pylon_cache" directive is duplicate' in r.stderr


def test_config_subnet_requires_cache():
    r = check(SERVER)
    assert r.returncode != 0
    assert '"pylon_subnet"' in r.stderr and '"pylon_cache"' in r.stderr
    assert re.search(r"nginx\.conf:\d+", r.stderr), r.stderr


def test_config_subnet_takes_on_or_off():
    r = check("pylon_cache @PREFIX@/data/c; server { listen 127.0.0.1:@PORT@; "
              "location / { pylon_subnet yes; } }")
    assert r.returncode != 0 and '"pylon_subnet" directive' in r.stderr


def test_config_subnet_outside_location_is_rejected():
    r = check("pylon_cache @PREFIX@/data/c; pylon_subnet on; " + SERVER)
    assert r.returncode != 0 and '"pylon_subnet" directive is not allowed here' in r.stderr


def test_config_ca_needs_wss():
    r = check("pylon_cache @PREFIX@/data/c; pylon_network ws://127.0.0.1:1 ca=/etc/hosts; "
              + SERVER)
    assert r.returncode != 0 and '"pylon_network" directive' in r.stderr


def test_config_archive_network_and_cutoff():
    ok = check("pylon_cache @PREFIX@/data/c; pylon_archive_network archive; "
               "pylon_network finney; pylon_archive_cutoff 50; " + SERVER)
    assert ok.returncode == 0, ok.stderr
    bad = check("pylon_cache @PREFIX@/data/c; pylon_archive_cutoff -3; " + SERVER)
    assert bad.returncode != 0 and '"pylon_archive_cutoff" directive' in bad.stderr
    bad = check("pylon_cache @PREFIX@/data/c; pylon_archive_network gopher://x; " + SERVER)
    assert bad.returncode != 0 and '"pylon_archive_network" directive' in bad.stderr


def test_config_test_mode_starts_no_helper_and_touches_no_cache(tmp_path):
    # the cache under the harness's prefix: `user nobody` must reach it (nginx -t checks)
    n = Nginx("pylon_cache @PREFIX@/data/c; %s" % SERVER)
    try:
        assert n.test_config().returncode == 0
        import os
        assert not os.path.exists(os.path.join(n.prefix, "data", "c", "data.mdb"))
    finally:
        n.cleanup()

"""Scale-out as examples/scale-out shows it: a read node (own helper, chain connection and cache,
no identities) forwards identity routes with proxy_pass to the one identity node.  Two nginx on
127.0.0.1 against the local chain: both serve reads; a PUT of weights through the read node lands
exactly once on chain; the identity node's token is nowhere in the read node's configuration."""
import json
import os
import re
import secrets
import subprocess
import tempfile
import shutil

import pytest

import chain as chainlib
from harness import ROOT, Nginx, wait_for
from pylon import pylon_conf

SETUP = os.path.join(ROOT, "t", "chain", "setup.mjs")
WRITES = os.path.join(ROOT, "t", "chain", "writes.mjs")
PYLON_KEY = os.path.join(ROOT, "build", "pylon-key")
EXAMPLE = os.path.join(ROOT, "examples", "scale-out", "read-node.conf")

pytestmark = pytest.mark.skipif(chainlib.unavailable() is not None,
                                reason=str(chainlib.unavailable()))


def forward_location():
    """The read node's forwarding location, as the example writes it."""
    text = open(EXAMPLE).read()
    m = re.search(r"(location ~ \S+ \{.*?\n        \})", text, re.S)
    assert m, "examples/scale-out/read-node.conf has no forwarding location"
    return m.group(1).replace("http://pylon_identity_node", "http://127.0.0.1:@IDPORT@")


def wallet(root, seed):
    out = subprocess.run([PYLON_KEY, "inspect", "0x" + seed], capture_output=True, text=True,
                         check=True).stdout
    pub = out.split("Public key (hex):")[1].split()[0]
    ss58 = out.split("SS58 Address:")[1].split()[0]
    os.makedirs(os.path.join(root, "v", "hotkeys"))
    with open(os.path.join(root, "v", "hotkeys", "v"), "w") as f:
        json.dump({"secretSeed": "0x" + seed, "publicKey": pub, "accountId": pub,
                   "ss58Address": ss58}, f)
    return ss58


def extrinsic_count(c, n):
    return len(c.rpc("chain_getBlock", [c.block_hash(n)])["block"]["extrinsics"])


def test_read_node_forwards_identity_routes_to_the_identity_node():
    c = chainlib.Chopsticks().start()
    wallets = tempfile.mkdtemp(prefix="pylon-wallets-")
    os.chmod(wallets, 0o755)
    nodes = []
    try:
        seed = secrets.token_hex(32)
        me = wallet(wallets, seed)
        r = subprocess.run(["node", SETUP, c.url, "3"], capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, VALIDATOR_SURI="0x" + seed))
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        info = json.loads(r.stdout.strip().splitlines()[-1])
        netuid, hotkeys = info["netuid"], info["hotkeys"]
        assert hotkeys[0] == me

        token = "id-" + secrets.token_hex(16)
        ident = Nginx(pylon_conf(c.url, extra_http=(
            "pylon_wallet_path %s; pylon_identity sn wallet=v hotkey=v netuid=%d "
            "token_file=@PREFIX@/conf/sn.token; pylon_weights_retry 20 1s;"
            % (wallets, netuid))))
        nodes.append(ident)
        with open(os.path.join(ident.prefix, "conf", "sn.token"), "w") as f:
            f.write(token)
        ident.start()

        loc = forward_location().replace("@IDPORT@", str(ident.port))
        read = Nginx(pylon_conf(c.url, extra_http="pylon_netuids %d;" % netuid,
                                location_extra="").replace(
            "location / {", loc + "\n        location / {", 1))
        nodes.append(read)
        read.start()

        # both serve reads, each from its own cache
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % netuid
        for n in (ident, read):
            assert wait_for(lambda: n.get(url).status == 200, 30), n.log()[-3000:]
            assert len(n.get(url).json()["neurons"]) == 4

        # the identity's token lives on the identity node only
        read_conf = open(os.path.join(read.prefix, "conf", "nginx.conf")).read()
        assert token not in read_conf and "pylon_identity" not in read_conf
        assert ident.prefix not in read_conf, "not even the token file's path"
        assert "token_file" in open(os.path.join(ident.prefix, "conf", "nginx.conf")).read()

        # login through the read node reaches the identity node
        r = read.request("/api/v1/login/identity/sn", method="POST",
                         body=json.dumps({"token": token}).encode(),
                         headers={"Content-Type": "application/json"})
        assert r.status == 200 and r.json()["netuid"] == netuid, r
        r = read.request("/api/v1/login/identity/sn", method="POST",
                         body=b'{"token": "wrong"}', headers={"Content-Type": "application/json"})
        assert r.status == 401, r

        # a PUT of weights through the read node: one extrinsic, weights on chain
        before = c.head()
        empty = extrinsic_count(c, before)
        r = read.request("/api/v1/identity/sn/subnet/%d/weights" % netuid, method="PUT",
                         body=json.dumps({"weights": {hotkeys[1]: 1.0, hotkeys[2]: 0.5}}).encode(),
                         headers={"Authorization": "Bearer " + token,
                                  "Content-Type": "application/json"})
        assert r.status == 200, r
        assert r.json() == {"detail": "weights update scheduled", "count": 2}

        def landed():
            c.new_block()
            out = subprocess.run(["node", WRITES, c.url, "state", str(netuid), me, "0"],
                                 capture_output=True, text=True, timeout=120)
            return json.loads(out.stdout.strip().splitlines()[-1])["weights"] == \
                [[1, 65535], [2, 32768]]
        assert wait_for(landed, 90, step=0.3), ident.log()[-3000:]
        for _ in range(3):
            c.new_block()
        extra = sum(extrinsic_count(c, b) - empty for b in range(before + 1, c.head() + 1))
        assert extra == 1, "exactly one extrinsic after the PUT, got %d" % extra
    finally:
        for n in nodes:
            n.cleanup()
        c.stop()
        shutil.rmtree(wallets, ignore_errors=True)

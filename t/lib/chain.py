"""The real subtensor runtime for tests: chopsticks serving the raonet genesis on 127.0.0.1.

The genesis is third-party data and is never committed: it is found at $PYLON_GENESIS, else
$PYLON_SHARED/chain/raonet.json (../shared).  The npm packages come from t/js (make deps).
"""
import asyncio
import json
import os
import re
import signal
import subprocess
import tempfile
import time

import websockets

from harness import ROOT, free_port

JS = os.path.join(ROOT, "t", "js")
CHOPSTICKS = os.path.join(JS, "node_modules", "@acala-network", "chopsticks", "chopsticks.cjs")
CONFIG = os.path.join(ROOT, "t", "chain", "chopsticks.yml")


def genesis_path():
    g = os.environ.get("PYLON_GENESIS")
    if g:
        return g
    shared = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
    g = os.path.join(shared, "chain", "raonet.json")
    fetched = os.path.join(ROOT, "build", "chain", "raonet.json")   # t/bootstrap.sh
    return fetched if not os.path.exists(g) and os.path.exists(fetched) else g


def unavailable():
    """Why the real chain cannot run here, or None."""
    if not os.path.exists(genesis_path()):
        return ("real-chain tests need the raonet genesis: set PYLON_GENESIS or provide "
                "../shared/chain/raonet.json (%s not found)" % genesis_path())
    if not os.path.exists(CHOPSTICKS):
        return "real-chain tests need the npm packages: run `make deps` (t/js/node_modules)"
    return None


async def _rpc(url, method, params, timeout):
    async with websockets.connect(url, max_size=None, open_timeout=timeout) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                  "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            if msg.get("id") == 1:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg["result"]


class Chopsticks:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="pylon-chain-")
        self.logfile = os.path.join(self.dir, "chopsticks.log")
        self.proc = None

    @property
    def url(self):
        return "ws://127.0.0.1:%d" % self.port

    def start(self, attempts=5):
        for _ in range(attempts):
            log = open(self.logfile, "w")
            self.proc = subprocess.Popen(
                ["node", CHOPSTICKS, "--config=" + CONFIG, "--genesis=" + genesis_path(),
                 "--port=%d" % self.port, "--host=127.0.0.1"],
                cwd=self.dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.time() + 90
            while time.time() < deadline:
                text = open(self.logfile).read()
                if "RPC listening" in text:
                    break
                if self.proc.poll() is not None:
                    raise RuntimeError("chopsticks died:\n" + text)
                time.sleep(0.1)
            else:
                self.stop()
                raise RuntimeError("chopsticks did not start:\n" + open(self.logfile).read())
            m = re.search(r"ws://[0-9.]+:(\d+)", text)
            if m:
                self.port = int(m.group(1))
            # the genesis-mode start races a 3 s slot boundary now and then: retry
            time.sleep(0.3)
            if "build block failed" not in open(self.logfile).read():
                return self
            self.stop()
        raise RuntimeError("chopsticks kept failing to build block #1")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def rpc(self, method, params=None, timeout=60):
        return asyncio.run(_rpc(self.url, method, params or [], timeout))

    def new_block(self, count=1):
        self.rpc("dev_newBlock", [{"count": count}], timeout=120)
        return self.head()

    def head(self):
        return int(self.rpc("chain_getHeader")["number"], 16)

    def block_hash(self, n):
        return self.rpc("chain_getBlockHash", [n])

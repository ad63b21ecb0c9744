"""A local spec-218 subtensor chain (chopsticks) for the codec tests.

start_chain(tmpdir) starts chopsticks on a free 127.0.0.1 port from a copy
of $PYLON_SHARED/chain/chopsticks.yml (genesis raonet.json, Alice sudo),
retrying the known startup slot race, and returns a Chain with .url and
.stop() (which ends exactly the process it started, by pid).  Helpers run
the shared fixture script (subnet 2, a validator and miners, weights) and
fetch raw runtime-API results through t/oracle/codec_fetch.mjs.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

ROOT = os.environ.get("PYLON_ROOT",
                      os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
CHAIN_DIR = os.path.join(SHARED, "chain")
NODE_MODULES = os.path.join(ROOT, "t", "js", "node_modules")
CHOPSTICKS = os.path.join(NODE_MODULES, "@acala-network", "chopsticks",
                          "chopsticks.cjs")


def chain_unavailable():
    """A reason to skip, or None when the local chain can be started."""
    if not os.path.isfile(os.path.join(CHAIN_DIR, "raonet.json")):
        return "$PYLON_SHARED/chain/raonet.json not found: no local chain"
    if shutil.which("node") is None:
        return "node not installed"
    if not os.path.isfile(CHOPSTICKS):
        return "chopsticks not installed in t/js/node_modules (make deps)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chain:
    def __init__(self, proc, url, log):
        self.proc, self.url, self.log = proc, url, log

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def start_chain(tmpdir, attempts=5, timeout=90):
    with open(os.path.join(CHAIN_DIR, "chopsticks.yml")) as f:
        conf = f.read()
    conf = re.sub(r"(?m)^genesis:.*$",
                  "genesis: " + os.path.join(CHAIN_DIR, "raonet.json"), conf)
    cfg = os.path.join(tmpdir, "chopsticks.yml")
    with open(cfg, "w") as f:
        f.write(conf)

    for attempt in range(attempts):
        log = os.path.join(tmpdir, f"chopsticks-{attempt}.log")
        port = free_port()
        with open(log, "w") as out:
            proc = subprocess.Popen(
                ["node", CHOPSTICKS, "--config=" + cfg, f"--port={port}"],
                stdout=out, stderr=subprocess.STDOUT, cwd=tmpdir)
        chain = Chain(proc, None, log)
        deadline = time.time() + timeout
        text = ""
        while time.time() < deadline:
            with open(log) as f:
                text = f.read()
            m = re.search(r"RPC listening on .* and (ws://[0-9.:]+)", text)
            if m or proc.poll() is not None:
                break
            time.sleep(0.2)
        if proc.poll() is not None or not m:
            chain.stop()
            raise RuntimeError("chopsticks did not start:\n" + text[-2000:])
        if "build block failed" in text:   # startup slot race: retry
            chain.stop()
            continue
        chain.url = m.group(1)
        return chain
    raise RuntimeError("chopsticks: block #1 failed at every start")


def run_setup(chain, tmpdir, miners=3):
    """The shared fixture script: subnet 2, validator uid 0, miners, weights."""
    scripts = os.path.join(tmpdir, "scripts")
    if not os.path.isdir(scripts):
        shutil.copytree(os.path.join(CHAIN_DIR, "scripts"), scripts)
    env = dict(os.environ, WS=chain.url, NODE_PATH=NODE_MODULES)
    r = subprocess.run(["node", os.path.join(scripts, "setup.js"), str(miners)],
                       capture_output=True, text=True, env=env, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("setup.js failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
    return r.stdout.strip().splitlines()[-1]


def fetch(chain, outdir, calls):
    """Raw results of state_call for 'Api_method:0xargs' strings."""
    r = subprocess.run(["node", os.path.join(ROOT, "t", "oracle", "codec_fetch.mjs"),
                        chain.url, outdir, *calls],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("codec_fetch.mjs failed:\n" + r.stderr[-2000:])
    return {c: os.path.join(outdir, c.replace(":", "-") + ".hex") for c in calls}

"""Helpers for the codec tests: a local spec-218 chain, and comparison of
our decoder's JSON with polkadot-js.

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


def fetch(chain, outdir, calls, blocks=-1):
    """Raw results of state_call for 'Api_method:0xargs' strings, and the
    extrinsics of blocks 0..blocks in outdir/blocks.json."""
    extra = ["--blocks", str(blocks)] if blocks >= 0 else []
    r = subprocess.run(["node", os.path.join(ROOT, "t", "oracle", "codec_fetch.mjs"),
                        chain.url, outdir, *extra, *calls],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("codec_fetch.mjs failed:\n" + r.stderr[-2000:])
    return {c: os.path.join(outdir, c.replace(":", "-") + ".hex") for c in calls}

# --- comparing our JSON with polkadot-js toJSON() ---------------------------
#
# The two differ only in conventions, which are normalised here and nowhere
# else:
#   * object keys: ours are the metadata's snake_case names, polkadot-js
#     camelCases them (struct fields and enum variants) -> compared with
#     underscores removed, case-insensitively;
#   * integers: ours are JSON numbers up to 2^63-1, then decimal strings;
#     polkadot-js gives numbers up to 2^53, then "0x" hex -> compared as ints.
# Everything else (SS58 strings, "0x" byte strings, null, booleans, arrays)
# must be identical.


def _key(k):
    return k.replace("_", "").lower()


def _as_int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        if v.startswith("0x") and len(v) > 2:
            try:
                return int(v, 16)
            except ValueError:
                return None
        if v.lstrip("-").isdigit():
            return int(v)
    return None


def differences(ours, theirs, path="$", out=None, limit=20):
    """List of human-readable differences (empty when equal)."""
    if out is None:
        out = []
    if len(out) >= limit:
        return out

    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            out.append(f"{path}: object vs {theirs!r:.80}")
            return out
        tk = {_key(k): k for k in theirs}
        if sorted(tk) != sorted(_key(k) for k in ours):
            out.append(f"{path}: keys {sorted(ours)} vs {sorted(theirs)}")
            return out
        for k, v in ours.items():
            differences(v, theirs[tk[_key(k)]], f"{path}.{k}", out, limit)
        return out

    if isinstance(ours, list):
        if not isinstance(theirs, list) or len(ours) != len(theirs):
            out.append(f"{path}: array of {len(ours)} vs {theirs!r:.80}")
            return out
        for i, (a, b) in enumerate(zip(ours, theirs)):
            differences(a, b, f"{path}[{i}]", out, limit)
        return out

    if isinstance(ours, bool) or ours is None:
        if ours is not theirs:
            out.append(f"{path}: {ours!r} vs {theirs!r}")
        return out

    if isinstance(ours, int) or (isinstance(ours, str) and ours.isdigit()):
        a, b = _as_int(ours), _as_int(theirs)
        if a is None or a != b:
            out.append(f"{path}: {ours!r} vs {theirs!r}")
        return out

    if isinstance(ours, str) and isinstance(theirs, str):
        # unit enum variants: polkadot-js keeps the name, maybe camelCased
        if ours != theirs and _key(ours) != _key(theirs):
            out.append(f"{path}: {ours!r:.80} vs {theirs!r:.80}")
        return out

    out.append(f"{path}: {ours!r:.80} vs {theirs!r:.80}")
    return out

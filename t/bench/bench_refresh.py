"""bench_refresh.sh's body (make bench; figures only, no pass/fail).

The node: t/test_data_fakenode.py's DataNode (the recorded mainnet subnet
answers every netuid) whose replies each wait RTT/2... RTT in a task of
their own, so requests overlap as on a real node.  For SUBNETS tracked
subnets and HEADS heads: announce a head, then poll every subnet's
neurons (HEAD requests, ETag) until all changed; p50/p99/max of that time.
Helper CPU is utime+stime from /proc over the heads, per subnet per head.

Env: BENCH_REFRESH_HEADS (default 20), BENCH_REFRESH_SUBNETS ("1 16"),
BENCH_REFRESH_RTT_MS ("0 50"), BENCH_REFRESH_STORAGE_EVERY (unset: the
default; N sets `pylon_storage_every N`, commitments and certificates
paged every N blocks; the node answers their key pages empty, so this
saves one round trip per item per subnet, a lower bound of a busy
subnet's saving), BENCH_REFRESH_COMMITMENTS (0; K: the node serves K
Commitments.CommitmentOf entries of 64 raw bytes per subnet, of
unregistered accounts, so that paging them costs what it does on a busy
subnet).  BENCH_REFRESH_PERF=<file> records a perf
profile of the helper over the heads (BENCH_REFRESH_PERF_CG=dwarf for call
graphs through code built without frame pointers).

Then the stream run: `pylon_netuids all` on a node with BENCH_REFRESH_STREAM
subnets ("128"; "" skips it), a head every 200 ms for
BENCH_REFRESH_STREAM_HEADS (1000) at BENCH_REFRESH_STREAM_RTT_MS (50): how
many rounds read at the same time (the node sees each round's neurons
reads), how many heads were refreshed, and the helper's RSS early and late
in the run.  The Python node shares the 2 cores with
nginx: its own CPU (JSON of ~13 MB of hex per head at 16 subnets) is in
the wall-clock figures.
"""
import asyncio
import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
T = os.path.dirname(HERE)
sys.path.insert(0, T)
sys.path.insert(0, os.path.join(T, "lib"))

import websockets                              # noqa: E402

from harness import Nginx, wait_for            # noqa: E402
from pylon import pylon_conf                   # noqa: E402
import test_data_fakenode as tf                # noqa: E402
import test_data_common as tc                  # noqa: E402

HEADS = int(os.environ.get("BENCH_REFRESH_HEADS", "20"))
SUBNETS = [int(x) for x in os.environ.get("BENCH_REFRESH_SUBNETS", "1 16").split()]
RTTS = [float(x) for x in os.environ.get("BENCH_REFRESH_RTT_MS", "0 50").split()]
START = 6852690
STREAM = [int(x) for x in os.environ.get("BENCH_REFRESH_STREAM", "128").split()]
STREAM_HEADS = int(os.environ.get("BENCH_REFRESH_STREAM_HEADS", "1000"))
STREAM_RTT = float(os.environ.get("BENCH_REFRESH_STREAM_RTT_MS", "50"))
COMMITMENTS = int(os.environ.get("BENCH_REFRESH_COMMITMENTS", "0"))
STORAGE_EVERY = os.environ.get("BENCH_REFRESH_STORAGE_EVERY", "")
STORAGE_CONF = ("pylon_storage_every %d; " % int(STORAGE_EVERY)) if STORAGE_EVERY else ""
STORAGE_NOTE = (", pylon_storage_every %d" % int(STORAGE_EVERY)) if STORAGE_EVERY else ""
if COMMITMENTS:
    STORAGE_NOTE += ", %d commitments per subnet" % COMMITMENTS


class LatencyNode(tf.DataNode):
    """DataNode whose every reply leaves after rtt ms, concurrently."""

    def __init__(self, head, rtt_ms):
        super().__init__(head)
        self.any_netuid = True
        self.rtt = rtt_ms / 1000.0
        self.numbers = {}
        self.first = head                  # below it, hashes are synthetic

    def hash_of(self, n):
        """A real node's hash: BLAKE2b-256 of the SCALE header, so the helper
        may take hashes from headers (chain/header.h) as on mainnet."""
        if n < self.first:
            return super().hash_of(n)      # parents of the first head
        if n not in self.hashes:
            h = header_hash(self.header(n))
            self.numbers[h] = n
            self.hashes[n] = h
        return self.hashes[n]

    def number_of(self, h):
        """A lookup (the test node scans self.hashes, which new_head grows
        from another thread)."""
        return self.numbers.get(h)

    def answer(self, method, params):
        """With COMMITMENTS, K CommitmentOf entries under every subnet's
        prefix: key = prefix ++ twox64 (zeros here) ++ account, value =
        Registration {deposit u64, block u32, fields: [Raw64]}."""
        if COMMITMENTS and method == "state_getKeysPaged" \
                and params[0].startswith(tc.COMMITMENT_OF):
            self.check(params[3])
            if params[2]:
                return []                  # one page holds them all
            return [params[0] + "00" * 8 + commit_account(i)
                    for i in range(COMMITMENTS)]
        if COMMITMENTS and method == "state_queryStorageAt" and params[0] \
                and params[0][0].startswith(tc.COMMITMENT_OF):
            self.check(params[1])
            val = "0x" + "00" * 8 + (1000).to_bytes(4, "little").hex() + "04" + "41" \
                + "ab" * 64
            return [{"block": params[1], "changes": [[k, val] for k in params[0]]}]
        return super().answer(method, params)

    def new_head(self, count=1):
        for k in range(1, count + 1):      # known before it is announced
            self.hash_of(self.head + k)
        return super().new_head(count)

    def start(self):
        """FakeNode.start without permessage-deflate (substrate's RPC server
        does not compress; compressing 400 kB replies in Python would time
        the fake node, not the helper)."""
        import threading
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                websockets.serve(self._handler, "127.0.0.1", self.port, max_size=None,
                                 compression=None))
            ready.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(5), "fake node did not start"
        return self

    async def _reply(self, ws, rid, method, params):
        if method == "state_call" and params[0] != "Metadata_metadata_at_version":
            # the recorded answers are 200-400 kB of hex: their JSON is made
            # once, so the node's own CPU stays small next to the helper's
            key = (params[0], params[1])
            text = self._texts.get(key) if hasattr(self, "_texts") else None
            if text is None:
                try:
                    text = json.dumps(self.answer(method, params))
                except (LookupError, KeyError):
                    text = None
                else:
                    self._texts = getattr(self, "_texts", {})
                    self._texts[key] = text
            else:
                try:
                    self.check(params[2])
                except KeyError:
                    text = None
            if text is not None:
                if self.rtt:
                    await asyncio.sleep(self.rtt)
                try:
                    await ws.send('{"jsonrpc":"2.0","id":%s,"result":%s}'
                                  % (json.dumps(rid), text))
                except websockets.ConnectionClosed:
                    pass
                return
        try:
            resp = {"jsonrpc": "2.0", "id": rid, "result": self.answer(method, params)}
        except LookupError:
            resp = {"jsonrpc": "2.0", "id": rid,
                    "error": {"code": -32601, "message": "Method not found"}}
        except KeyError as e:
            resp = {"jsonrpc": "2.0", "id": rid,
                    "error": {"code": 4003, "message": "Client error",
                              "data": "UnknownBlock: %s" % e}}
        if self.rtt:
            await asyncio.sleep(self.rtt)
        try:
            await ws.send(json.dumps(resp))
        except websockets.ConnectionClosed:
            pass

    async def _handler(self, ws, path=None):
        self.connections += 1
        self._all = getattr(self, "_all", set())
        self._all.add(ws)
        try:
            async for raw in ws:
                req = json.loads(raw)
                method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
                if method == "chain_subscribeNewHeads":
                    sub = "sub%d" % self.connections
                    await ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "result": sub}))
                    self._subs[ws] = sub
                    await self._notify(self.head)
                    continue
                asyncio.ensure_future(self._reply(ws, rid, method, params))
        except websockets.ConnectionClosed:
            pass
        finally:
            self._subs.pop(ws, None)
            self._all.discard(ws)


def commit_account(i):
    return hashlib.sha256(b"bench account %d" % i).hexdigest()


def compact(n):
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return (n << 2 | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return (n << 2 | 2).to_bytes(4, "little")
    raise ValueError(n)


def header_hash(h):
    b = bytes.fromhex(h["parentHash"][2:]) + compact(int(h["number"], 16))
    b += bytes.fromhex(h["stateRoot"][2:]) + bytes.fromhex(h["extrinsicsRoot"][2:])
    logs = h["digest"]["logs"]
    b += compact(len(logs)) + b"".join(bytes.fromhex(x[2:]) for x in logs)
    return "0x" + hashlib.blake2b(b, digest_size=32).hexdigest()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def etag(n, netuid, old=None):
    """The ETag of the subnet's neurons; with old, a 304 costs no body."""
    r = n.request("/api/v1/subnet/%d/block/latest/neurons" % netuid,
                  headers={"If-None-Match": old} if old else None)
    if r.status == 304:
        return old
    return r.header("ETag") if r.status == 200 else None


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def run(nsub, rtt):
    node = LatencyNode(START, rtt)
    node.start()
    netuids = list(range(1, nsub + 1))
    n = Nginx(pylon_conf(node.url, extra_http="pylon_netuids %s; pylon_archive_network %s; %s"
                         % (" ".join(map(str, netuids)), node.url, STORAGE_CONF),
                         cache_extra=" max_size=1g"))
    n.start()
    try:
        assert wait_for(lambda: all(etag(n, u) for u in netuids), 60), n.log()[-2000:]
        helper = n.helpers()[0]
        lat = []
        perf = None
        if os.environ.get("BENCH_REFRESH_PERF"):        # a profile of the helper
            import subprocess
            cg = os.environ.get("BENCH_REFRESH_PERF_CG")     # e.g. "dwarf"
            perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock"]
                                    + (["--call-graph", cg] if cg else ["-g"])
                                    + ["-o", os.environ["BENCH_REFRESH_PERF"],
                                       "-p", str(helper)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        cpu0 = cpu_ms(helper)
        for _ in range(HEADS):
            before = {u: etag(n, u) for u in netuids}
            time.sleep(0.05)                   # let the previous round settle
            node.new_head()
            t0 = time.time()
            pending = set(netuids)
            while pending:
                if time.time() - t0 > 30:
                    raise RuntimeError("head not served in 30 s:\n" + n.log()[-2000:])
                pending = {u for u in pending if etag(n, u, before[u]) == before[u]}
                if pending:
                    time.sleep(0.002)
            lat.append((time.time() - t0) * 1000)
        cpu = cpu_ms(helper) - cpu0
        if perf:
            import signal
            perf.send_signal(signal.SIGINT)
            perf.wait(30)
    finally:
        n.cleanup()
        node.stop()
    print("fake node %g ms RTT, %2d subnet(s) x 1024 neurons%s, %d heads: head -> all served "
          "p50 %.0f ms, p99 %.0f ms, max %.0f ms; helper CPU %.1f ms per subnet per head "
          "(gzip copies included)"
          % (rtt, nsub, STORAGE_NOTE, HEADS, pct(lat, 50), pct(lat, 99), max(lat),
             cpu / HEADS / nsub),
          flush=True)


class StreamNode(LatencyNode):
    """LatencyNode listing NSUB subnets in SubtensorModule.NetworksAdded (for
    `pylon_netuids all`) and noting, per block hash, when the helper's
    neurons reads for it were sent and answered."""

    def __init__(self, head, rtt_ms, nsub):
        super().__init__(head, rtt_ms)
        self.subnets = list(range(1, nsub + 1))
        self.reads = {}                        # hash -> [first sent, last answered]

    def new_head(self, count=1):
        """Announce without waiting for the node's loop (it may be busy
        sending a round's answers)."""
        for k in range(1, count + 1):
            self.hash_of(self.head + k)
        self.head += count
        asyncio.run_coroutine_threadsafe(self._notify(self.head), self._loop)
        return self.head

    def answer(self, method, params):
        if method == "state_getKeysPaged" and len(params[0]) == 66:
            self.check(params[3])
            return [params[0] + "%02x%02x" % (u & 0xff, u >> 8) for u in self.subnets]
        return super().answer(method, params)

    async def _reply(self, ws, rid, method, params):
        neurons = method == "state_call" and params[0].endswith("get_neurons_lite")
        if neurons:
            self.reads.setdefault(params[2], [time.time(), None])
        await super()._reply(ws, rid, method, params)
        if neurons:
            self.reads[params[2]][1] = time.time()


def rss_kb(pid):
    """The helper's anonymous resident memory (its heap: the cache's pages,
    mapped from the LMDB file, are RssFile and grow with the cache)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def stream(nsub, rtt, heads, period):
    """`pylon_netuids all` on a node with nsub subnets, a head every period s:
    rounds that read at the same time (at most 1 expected: one round
    reads, one head waits), heads refreshed, the helper's RSS over the run."""
    node = StreamNode(START, rtt, nsub)
    node.start()
    n = Nginx(pylon_conf(node.url, extra_http="pylon_netuids all; "
                         "pylon_archive_network %s; %s" % (node.url, STORAGE_CONF),
                         cache_extra=" max_size=4g"))
    n.start()
    try:
        assert wait_for(lambda: etag(n, 1) and etag(n, nsub), 120), n.log()[-2000:]
        helper = n.helpers()[0]
        rss = []
        cpu0 = cpu_ms(helper)
        t0 = time.time()
        first = node.head
        for i in range(heads):
            node.new_head()
            if i % 10 == 0:
                rss.append(rss_kb(helper))
            time.sleep(max(0.0, t0 + (i + 1) * period - time.time()))
        cpu = cpu_ms(helper) - cpu0
        rss.append(rss_kb(helper))
        last = node.head
        served = n.request("/api/v1/subnet/%d/block/latest/neurons" % nsub).json()
        served = served.get("block", {}).get("number", 0)
    finally:
        n.cleanup()
        node.stop()
    spans = sorted((a, b or a) for h, (a, b) in node.reads.items()
                   if node.number_of(h) and node.number_of(h) > first)
    overlap = 0
    for i, (a, b) in enumerate(spans):
        overlap = max(overlap, 1 + sum(1 for a2, b2 in spans[i + 1:] if a2 < b))
    q = max(1, len(rss) // 4)
    early, late = sum(rss[:q]) / q, sum(rss[-q:]) / q
    print(("fake node %g ms RTT, pylon_netuids all" + STORAGE_NOTE + ", %d subnets x 1024 "
          "neurons, a head every "
          "%.0f ms for %d heads: %d heads refreshed (%.1f s per round), at most %d round(s) "
          "reading at once, last served %d of %d; helper RSS (anon) %.0f MB in the first "
          "quarter, "
          "%.0f MB in the last (max %.0f MB); helper CPU %.1f ms per subnet per round")
          % (rtt, nsub, period * 1000, heads, len(spans), heads * period / max(1, len(spans)),
             overlap, served, last, early / 1024, late / 1024, max(rss) / 1024,
             cpu / max(1, len(spans)) / nsub), flush=True)


def main():
    if not all(os.path.exists(p) for p in (tf.RECORDING, tf.META343)):
        print("skipped: recorded fixtures not found in $PYLON_SHARED/fixtures")
        return
    for nsub in SUBNETS:
        for rtt in RTTS:
            run(nsub, rtt)
    for nsub in STREAM:
        stream(nsub, STREAM_RTT, STREAM_HEADS, 0.2)


if __name__ == "__main__":
    main()

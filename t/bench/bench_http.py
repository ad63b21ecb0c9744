"""bench_http.sh's body: see there."""
import gzip
import hashlib
import json
import os
import random
import re
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, "t/lib")
from harness import Nginx  # noqa: E402
from pylon import pylon_conf  # noqa: E402

SECS = os.environ.get("BENCH_SECS", "4")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000000"))
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def ss58(rng):
    return "5" + "".join(rng.choice(B58) for _ in range(47))


def neurons_body(n=256):
    """A SubnetNeurons body in Pylon's shape (pylon-api.md §4.5, §4.6)."""
    rng = random.Random(256)
    neurons = {}
    for uid in range(n):
        hk = ss58(rng)
        alpha, tao = rng.random() * 1e5, rng.random() * 1e3
        neurons[hk] = {
            "uid": uid, "coldkey": ss58(rng), "hotkey": hk, "active": True,
            "axon_info": {"ip": "%d.%d.%d.%d" % tuple(rng.randrange(1, 255) for _ in range(4)),
                          "port": rng.randrange(1024, 65535), "protocol": 4},
            "stake": alpha, "rank": rng.random(), "emission": rng.random() * 10,
            "incentive": rng.random(), "consensus": rng.random(), "trust": rng.random(),
            "validator_trust": rng.random(), "dividends": rng.random(),
            "last_update": 6852600 + uid, "validator_permit": uid < 64,
            "pruning_score": rng.randrange(65536),
            "stakes": {"alpha": alpha, "tao": tao, "total": alpha + tao}}
    return json.dumps({"block": {"number": 6852690, "hash": "0x" + "ab" * 32},
                       "neurons": neurons}, separators=(",", ":")).encode()


def record(block, body, gz=None):
    """The cache's record: magic, flags, block, ETag, written ms, then the body
    (with a gzip copy: magic PYR2, flag 0x80000000, u32 body and copy
    lengths first)."""
    etag = int.from_bytes(hashlib.sha256(body).digest()[:8], "little")
    flags, ext = (0, b"") if gz is None else (0x80000000, struct.pack("<II", len(body), len(gz)))
    magic = 0x31525950 if gz is None else 0x32525950       # "PYR1" / "PYR2"
    return struct.pack("<IIQQQ", magic, flags, block, etag,
                       int(time.time() * 1000)) + ext + body + (gz or b"")


def mdb_load(path, items):
    lines = ["VERSION=3", "format=bytevalue", "type=btree", "HEADER=END"]
    for k, v in items:
        lines += [" " + k.encode().hex(), " " + v.hex()]
    lines.append("DATA=END")
    subprocess.run(["mdb_load", path], input=("\n".join(lines) + "\n").encode(), check=True)


def wrk(port, path, secs=SECS, gz=False):
    hdr = ["-H", "Accept-Encoding: gzip"] if gz else []
    out = subprocess.run(["wrk", "-t1", "-c16", "-d%ss" % secs, "--latency", *hdr,
                          "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    m = re.search(r"99%\s+([0-9.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    assert non2xx is None, out
    return rps, p99


def put_vs_get(port, secs):
    """PUT weights (a job record: one LMDB write txn in the worker) while GETs run."""
    lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "put_weights.lua")
    put = subprocess.Popen(["wrk", "-t1", "-c8", "-d%ss" % secs, "--latency", "-s", lua,
                            "http://127.0.0.1:%d/api/v1/identity/sn/subnet/1/weights" % port],
                           stdout=subprocess.PIPE, text=True)
    get_rps, get_p99 = wrk(port, "/api/v1/block/latest", secs)
    out = put.communicate()[0]
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    m = re.search(r"99%\s+([0-9.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
    print("PUT weights   %8.0f req/s p99 %6.2f ms, meanwhile GET block/latest %8.0f req/s "
          "p99 %6.2f ms" % (rps, p99, get_rps, get_p99))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def main():
    big = neurons_body()
    big_gz = gzip.compress(big, 6, mtime=0)
    small = b'{"number":6852690,"hash":"0x%s","timestamp":1740000000}' % (b"ab" * 32)
    shared = os.environ.get("PYLON_SHARED", "../shared")
    wallets = os.path.join(shared, "fixtures", "wallet")
    ident = ("pylon_wallet_path %s; pylon_identity sn wallet=pylon hotkey=pylon netuid=1 "
             "token=bench;" % wallets) if os.path.isdir(wallets) else ""
    n = Nginx(pylon_conf("ws://127.0.0.1:9", extra_http=ident, cache_extra=" max_size=256m"),
              workers=1)
    cache = os.path.join(n.prefix, "data", "cache")
    os.makedirs(cache)
    with open(os.path.join(n.prefix, "data", "static.json"), "wb") as f:
        f.write(big)
    with open(os.path.join(n.prefix, "data", "static.json.gz"), "wb") as f:
        f.write(big_gz)
    with open(os.path.join(n.prefix, "data", "small.json"), "wb") as f:
        f.write(small)
    n.write_conf(n.conf.replace("location = /static.json { root @PREFIX@/data; }".replace(
        "@PREFIX@", n.prefix), "location ~ ^/(static|small)\\.json$ { root %s/data; gzip_static on; }"
        % n.prefix))
    mdb_load(cache, [("L/neurons/1", record(6852690, big, big_gz)),
                     ("L/block/-", record(6852690, small))])
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "nobody:nogroup", cache], check=True)
    n.start()
    try:
        gzh = {"Accept-Encoding": "gzip"}
        pairs = [("neurons", "/api/v1/subnet/1/block/latest/neurons", "/static.json", big,
                  False),
                 ("neurons gzip", "/api/v1/subnet/1/block/latest/neurons", "/static.json",
                  big_gz, True),
                 ("block/latest", "/api/v1/block/latest", "/small.json", small, False)]
        for name, api, static, body, gz in pairs:
            h = gzh if gz else None
            assert n.get(api, headers=h).body == body, name
            assert n.get(static, headers=h).body == body, name
            a_rps, a_p99, s_rps, s_p99 = [], [], [], []
            for _ in range(ROUNDS):
                r, p = wrk(n.port, static, gz=gz)
                s_rps.append(r)
                s_p99.append(p)
                r, p = wrk(n.port, api, gz=gz)
                a_rps.append(r)
                a_p99.append(p)
            print("%-13s %7d bytes  pylon %8.0f req/s p99 %6.2f ms | static %8.0f req/s "
                  "p99 %6.2f ms | ratio req/s %.2f, p99 %.2f"
                  % (name, len(body), statistics.median(a_rps), statistics.median(a_p99),
                     statistics.median(s_rps), statistics.median(s_p99),
                     statistics.median(a_rps) / statistics.median(s_rps),
                     statistics.median(a_p99) / statistics.median(s_p99)))
        if ident:
            put_vs_get(n.port, SECS)
        worker = n.workers()[0]
        before = rss_kb(worker)
        done, t0 = 0, time.time()
        while done < REQUESTS:
            r, _ = wrk(n.port, "/api/v1/block/latest", secs=5)
            done += int(r * 5)
        after = rss_kb(worker)
        print("worker RSS %d kB before, %d kB after ~%d cached GETs (%.0f s)"
              % (before, after, done, time.time() - t0))
    finally:
        n.cleanup()


main()

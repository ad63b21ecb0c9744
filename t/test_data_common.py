"""Helpers of the subnet-data tests (no tests here).

raw_subnet() reads, over plain JSON-RPC, what the helper reads for one
subnet at one block; oracle() has polkadot-js decode it
(t/oracle/data_subnet.mjs); render() writes Pylon's bodies from those facts
with Python's own json and float repr (pylon-api.md §4), so that the
module's bytes can be compared with an independent rendering.
"""
import ipaddress
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, "t", "oracle", "data_subnet.mjs")
SETUP = os.path.join(ROOT, "t", "chain", "setup.mjs")

# twox128 pallet ++ twox128 item (chain.md §9.1)
COMMITMENT_OF = "0xca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c69bf"
CERTIFICATES = "0x658faa385070e074c85bf6b568cf0555805f1c4b7f54d8f4208070bfc777e2db"


def u16le(n):
    return "%02x%02x" % (n & 0xff, n >> 8)


def raw_subnet(rpc, netuid, block_hash):
    """The chain's answers for a subnet at a block (what data_subnet.mjs reads)."""
    arg = "0x" + u16le(netuid)
    out = {
        "neurons": rpc("state_call", ["NeuronInfoRuntimeApi_get_neurons_lite", arg,
                                      block_hash]),
        "state": rpc("state_call", ["SubnetInfoRuntimeApi_get_subnet_state", arg,
                                    block_hash]),
    }
    for name, prefix in (("commitments", COMMITMENT_OF), ("certificates", CERTIFICATES)):
        pairs, start = [], None
        while True:
            keys = rpc("state_getKeysPaged", [prefix + u16le(netuid), 1000, start,
                                              block_hash])
            if keys:
                res = rpc("state_queryStorageAt", [keys, block_hash])
                pairs += res[0]["changes"]
            if len(keys) < 1000:
                break
            start = keys[-1]
        out[name] = pairs
    return out


def oracle(meta_file, raw):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(raw, f)
    try:
        r = subprocess.run(["node", ORACLE, meta_file, f.name], capture_output=True,
                           text=True, timeout=300)
    finally:
        os.unlink(f.name)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


DATA_KINDS = ("Raw", "BigRaw", "BlakeTwo256", "Sha256", "Keccak256", "ShaThree256")


def render(facts, number, block_hash):
    """Pylon's bodies: {route: bytes} and items {(route, hotkey): bytes}."""
    block = {"number": number, "hash": block_hash}
    state = facts["state"] or {}
    neurons = {}
    for n in facts["neurons"]:
        alpha, tao, total = (int(x) for x in state.get(n["hotkey"], ("0", "0", "0")))
        neurons[n["hotkey"]] = {
            "uid": int(n["uid"]), "coldkey": n["coldkey"], "hotkey": n["hotkey"],
            "active": n["active"],
            "axon_info": {"ip": str(ipaddress.ip_address(int(n["ip"]))),
                          "port": int(n["port"]), "protocol": int(n["protocol"])},
            "stake": int(n["stake"] or 0) / 1e9,
            "rank": int(n["rank"]) / 65535, "emission": int(n["emission"]) / 1e9,
            "incentive": int(n["incentive"]) / 65535,
            "consensus": int(n["consensus"]) / 65535, "trust": int(n["trust"]) / 65535,
            "validator_trust": int(n["validator_trust"]) / 65535,
            "dividends": int(n["dividends"]) / 65535,
            "last_update": int(n["last_update"]),
            "validator_permit": n["validator_permit"],
            "pruning_score": int(n["pruning_score"]),
            "stakes": {"alpha": alpha / 1e9, "tao": tao / 1e9, "total": total / 1e9},
        }
    validators = sorted((v for v in neurons.values() if v["validator_permit"]),
                        key=lambda v: -v["stakes"]["total"])
    # pylon-v2.md §3.3.8: lists hold registered hotkeys (subnet state), _unstable adds "kind"
    # and its item nests {"commitment", "block"}
    registered = set(state)
    flat, full, items = {}, {}, {}
    for c in facts["commitments"]:
        if not c["kind"].startswith(DATA_KINDS):
            continue
        one = {"commitment_block_number": int(c["block"]), "hotkey": c["hotkey"],
               "commitment": c["data"]}
        variant = dict({"kind": "hex_data"}, **one)
        if c["hotkey"] in registered:
            flat[c["hotkey"]] = c["data"]
            full[c["hotkey"]] = variant
        items[("commitment", c["hotkey"])] = dumps(dict(one, block=block))
        items[("commitment_full", c["hotkey"])] = dumps({"commitment": variant,
                                                         "block": block})
    certs = {}
    for c in facts["certificates"]:
        certs[c["hotkey"]] = {"algorithm": int(c["algorithm"]), "public_key": c["public_key"]}
        items[("certificate", c["hotkey"])] = dumps(certs[c["hotkey"]])
    bodies = {
        "neurons": dumps({"block": block, "neurons": neurons}),
        "validators": dumps({"block": block, "validators": validators}),
        "commitments": dumps({"block": block, "commitments": flat}),
        "commitments_full": dumps({"block": block, "commitments": full}),
        "certificates": dumps(certs),
    }
    return bodies, items


def routes(netuid, block="latest", api="v1"):
    base = "/api/%s/subnet/%d/block/%s/" % (api, netuid, block)
    return {"neurons": base + "neurons", "validators": base + "validators",
            "commitments": base + "commitments",
            "commitments_full": "/api/_unstable/subnet/%d/block/%s/commitments" % (netuid, block),
            "certificates": base + "certificates"}


def cache_records(cache_dir):
    """Every record of the LMDB cache as {key: (header32, body)} (mdb_dump)."""
    r = subprocess.run(["mdb_dump", cache_dir], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    start = lines.index("HEADER=END") + 1
    out = {}
    for k, v in zip(lines[start::2], lines[start + 1::2]):
        if k == "DATA=END":
            break
        key, val = bytes.fromhex(k.strip()).decode(), bytes.fromhex(v.strip())
        if len(val) < 32:
            continue                # an index key (jobs' P/ and F/), no record
        out[key] = (val[:32], record_body(val))
    return out


def record_body(val):
    """The plain body of a raw record; with the GZIP flag (0x80000000, magic PYR2) an 8-byte
    extension (u32 body length, u32 gzip length) precedes body + gzip copy."""
    import struct
    flags = struct.unpack_from("<I", val, 4)[0]
    if not flags & 0x80000000:
        return val[32:]
    blen, glen = struct.unpack_from("<II", val, 32)
    assert len(val) == 40 + blen + glen
    return val[40:40 + blen]


def record_gzip(val):
    """The gzip copy of a raw record, or None."""
    import struct
    if not struct.unpack_from("<I", val, 4)[0] & 0x80000000:
        return None
    blen, glen = struct.unpack_from("<II", val, 32)
    return val[40 + blen:40 + blen + glen]


def legacy_decode(type_name, raw_hex):
    """polkadot-js decoding of an old runtime's Vec<u8> result (codec oracle)."""
    with tempfile.NamedTemporaryFile("w", suffix=".hex", delete=False) as f:
        f.write(raw_hex)
    try:
        r = subprocess.run(["node", os.path.join(ROOT, "t", "oracle", "codec_decode.mjs"),
                            "--legacy", type_name, f.name],
                           capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)

"""POST /api/_unstable/openaccess/evm/contracts/{address}/logs (pylon-v2 §7).

Two fake EVM nodes (t/lib/fakeevm.py, main and archive) serve
eth_blockNumber and eth_getLogs with ERC-20 Transfer/Approval logs and the
logs of a contract whose event has indexed, dynamic and tuple arguments;
the logs are built with build/pylon-abi and the answers must equal what
ethers v6 decodes from the same logs (t/oracle/evm_abi_ethers.mjs).  Also:
routing around pylon_evm_archive_cutoff (archive, main, split), node
errors as 502, the 400/422 checks, the limits, the pair rule, metrics.
"""
import json
import os
import shutil
import subprocess

import pytest

from fakeevm import FakeEvmNode
from harness import wait_for
from pylon import pylon_conf


ROOT = os.environ.get("PYLON_ROOT",
                      os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ABI_TOOL = os.path.join(ROOT, "build", "pylon-abi")
ORACLE = os.path.join(ROOT, "t", "oracle", "evm_abi_ethers.mjs")
ETHERS = os.path.join(ROOT, "t", "js", "node_modules", "ethers")

TOKEN = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
OTHER = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
ALICE = "0x52908400098527886E0F7030069857D2E4169EE7"
BOB = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"

ERC20 = [
    {"type": "event", "name": "Transfer", "anonymous": False, "inputs": [
        {"name": "from", "type": "address", "indexed": True},
        {"name": "to", "type": "address", "indexed": True},
        {"name": "value", "type": "uint256", "indexed": False}]},
    {"type": "event", "name": "Approval", "anonymous": False, "inputs": [
        {"name": "owner", "type": "address", "indexed": True},
        {"name": "spender", "type": "address", "indexed": True},
        {"name": "value", "type": "uint256", "indexed": False}]},
    {"type": "function", "name": "transfer", "inputs": [], "outputs": []},
]
REGISTERED = {"type": "event", "name": "Registered", "anonymous": False, "inputs": [
    {"name": "netuid", "type": "uint16", "indexed": True},
    {"name": "tag", "type": "string", "indexed": True},
    {"name": "name", "type": "string", "indexed": False},
    {"name": "items", "type": "tuple[]", "indexed": False, "components": [
        {"name": "who", "type": "address"},
        {"name": "amount", "type": "uint128"},
        {"name": "memo", "type": "bytes"}]},
    {"name": "pair", "type": "int64[2]", "indexed": False}]}
ABI = ERC20 + [REGISTERED]

pytestmark = [
    pytest.mark.skipif(not os.access(ABI_TOOL, os.X_OK),
                       reason="build/pylon-abi not built (make tools)"),
]


def encode_log(event, args, block, index):
    r = subprocess.run([ABI_TOOL, "encode-log", json.dumps(event), json.dumps(args)],
                       capture_output=True, text=True, check=True)
    enc = json.loads(r.stdout)
    return {"address": TOKEN.lower(), "topics": enc["topics"], "data": enc["data"],
            "blockNumber": hex(block), "transactionHash": "0x%064x" % (block * 1000 + index),
            "transactionIndex": hex(index % 3), "logIndex": hex(index),
            "blockHash": "0x%064x" % block, "removed": False}


def chain_logs():
    logs = []
    for i, b in enumerate(range(100, 1000, 50)):
        logs.append(encode_log(ERC20[0], {"from": ALICE, "to": BOB,
                                          "value": str(10**18 * (i + 1) + 2**70)}, b, 2 * i))
        if b % 100 == 0:
            logs.append(encode_log(ERC20[1], {"owner": BOB, "spender": ALICE,
                                              "value": str(2**256 - 1)}, b, 2 * i + 1))
    logs.append(encode_log(REGISTERED, {
        "netuid": 7, "tag": "validator", "name": "h\u00e9llo \"x\"",
        "items": [{"who": ALICE, "amount": "340282366920938463463374607431768211455",
                   "memo": "0x"}, {"who": BOB, "amount": 1, "memo": "0xdeadbeef"}],
        "pair": [-1, "9223372036854775807"]}, 650, 99))
    logs.append(encode_log(REGISTERED, {"netuid": 1, "tag": "", "name": "", "items": [],
                                        "pair": [0, 0]}, 820, 100))
    # noise: unknown event, no topics, another contract
    logs.append(dict(logs[0], topics=["0x" + "ab" * 32], blockNumber=hex(801)))
    logs.append(dict(logs[0], topics=[], blockNumber=hex(802)))
    logs.append(dict(logs[0], address=OTHER.lower(), blockNumber=hex(803)))
    return logs


@pytest.fixture
def evm_nodes():
    made = []

    def make(head=1000):
        main, archive = FakeEvmNode(head=head), FakeEvmNode(head=head)
        main.start()
        archive.start()
        logs = chain_logs()
        main.logs = logs
        archive.logs = logs
        made.extend([main, archive])
        return main, archive

    yield make
    for n in made:
        n.stop()


def conf(chain, main, archive, extra=""):
    return pylon_conf(chain.url, extra_http=(
        "pylon_evm_network %s; pylon_evm_archive_network %s; %s"
        % (main.url.replace("ws://", "http://"), archive.url, extra)))


def post(n, frm, to, abi=ABI, address=TOKEN, headers=None, body=None):
    path = "/api/_unstable/openaccess/evm/contracts/%s/logs?from_block=%s&to_block=%s" % (
        address, frm, to)
    return n.request(path, method="POST",
                     body=body if body is not None else json.dumps({"abi": abi}).encode(),
                     headers=dict({"Content-Type": "application/json"}, **(headers or {})))


def connected(n, main):
    return wait_for(lambda: post(n, 900, 900).status == 200, 10)


def ethers_decode(tmp_path, logs):
    if shutil.which("node") is None or not os.path.isdir(ETHERS):
        pytest.skip("node or ethers missing: make deps")
    (tmp_path / "abi.json").write_text(json.dumps(ABI))
    (tmp_path / "logs.json").write_text(json.dumps(logs))
    r = subprocess.run(["node", ORACLE, "logs", str(tmp_path / "abi.json"),
                        str(tmp_path / "logs.json")], capture_output=True, text=True,
                       timeout=120, check=True)
    return json.loads(r.stdout)


def expected_logs(tmp_path, node, frm, to):
    sel = [l for l in node.logs if l["address"] == TOKEN.lower()
           and frm <= int(l["blockNumber"], 16) <= to]
    return ethers_decode(tmp_path, sel)


def test_evm_logs_main_route_equals_ethers(nginx_factory, fake_node, evm_nodes, tmp_path):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    assert connected(n, main), n.log()[-2000:]
    main.requests.clear()
    archive.requests.clear()
    r = post(n, 750, 999)
    assert r.status == 200, r.body
    body = json.loads(r.body)
    assert list(body) == ["logs", "from_block", "to_block"]
    assert body["from_block"] == 750 and body["to_block"] == 999
    assert body["logs"] == expected_logs(tmp_path, main, 750, 999)
    assert any(l["event"] == "Registered" for l in body["logs"])
    assert [l["event"] for l in body["logs"]].count("Approval") == 2
    # routing: 1000 - 300 = 700 < 750: the main node only
    assert main.get_logs_calls() == [{"address": TOKEN, "fromBlock": hex(750),
                                      "toBlock": hex(999)}]
    assert archive.get_logs_calls() == []
    # uint256 max and > 2^64 values are exact JSON integers
    assert str(2**256 - 1) in r.body.decode()


def test_evm_logs_archive_and_split(nginx_factory, fake_node, evm_nodes, tmp_path):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    assert connected(n, main)
    main.requests.clear()
    archive.requests.clear()

    r = post(n, 100, 700)
    assert r.status == 200
    assert json.loads(r.body)["logs"] == expected_logs(tmp_path, main, 100, 700)
    assert archive.get_logs_calls() == [{"address": TOKEN, "fromBlock": hex(100),
                                         "toBlock": hex(700)}]
    assert main.get_logs_calls() == []

    main.requests.clear()
    archive.requests.clear()
    r = post(n, 600, 850)
    assert r.status == 200
    got = json.loads(r.body)["logs"]
    assert archive.get_logs_calls() == [{"address": TOKEN, "fromBlock": hex(600),
                                         "toBlock": hex(700)}]
    assert main.get_logs_calls() == [{"address": TOKEN, "fromBlock": hex(701),
                                      "toBlock": hex(850)}]
    # archive part first, each part in the node's order
    assert got == (expected_logs(tmp_path, main, 600, 700)
                   + expected_logs(tmp_path, main, 701, 850))
    reg = [l for l in got if l["event"] == "Registered"][0]
    assert reg["args"]["netuid"] == 7
    assert reg["args"]["tag"].startswith("0x") and len(reg["args"]["tag"]) == 66
    assert reg["args"]["items"][0] == {
        "who": ALICE, "amount": 2**128 - 1, "memo": "0x"}
    assert reg["args"]["pair"] == [-1, 2**63 - 1]
    assert list(reg["args"]) == ["netuid", "tag", "name", "items", "pair"]

    # the head moves: the cutoff moves with it
    main.head = 2000
    archive.requests.clear()
    main.requests.clear()
    r = post(n, 600, 850)
    assert r.status == 200 and archive.get_logs_calls() and not main.get_logs_calls()


def test_evm_logs_node_error_is_502(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    assert connected(n, main)
    main.error = {"code": -32005, "message": "query returned more than 10000 results"}
    r = post(n, 800, 900)
    assert r.status == 502
    assert r.json()["status_code"] == 502
    assert "query returned more than 10000 results" in r.json()["detail"]
    # split: one failing node fails the request
    r = post(n, 600, 900)
    assert r.status == 502


def test_evm_logs_validation(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    r = post(n, 1, 2, address="0x1234")
    assert r.status == 400
    assert r.json() == {"status_code": 400, "detail": "Invalid contract address: 0x1234"}
    r = post(n, 1, 2, address=TOKEN[:-1] + "D")        # wrong EIP-55 checksum
    assert r.status == 400
    r = post(n, 1, 2, abi=[{"type": "event", "inputs": []}])
    assert r.status == 422
    assert r.json() == {"status_code": 422, "detail": "Malformed ABI event entry: 'name'"}
    r = post(n, 1, 2, abi=[{"type": "event", "name": "X",
                            "inputs": [{"name": "a", "type": "uint7"}]}])
    assert r.status == 422 and "uint7" in r.json()["detail"]
    r = post(n, 1, 2, body=b"{}")
    assert r.status == 400 and r.json()["extra"][0]["key"] == "abi"
    r = post(n, 1, 2, body=b"not json")
    assert r.status == 400
    r = post(n, "x", 2)
    assert r.status == 400 and r.json()["extra"][0]["key"] == "from_block"
    path = "/api/_unstable/openaccess/evm/contracts/%s/logs?from_block=1" % TOKEN
    r = n.request(path, method="POST", body=b'{"abi":[]}')
    assert r.status == 400 and r.json()["extra"][0]["key"] == "to_block"


def test_evm_logs_abi_without_events_is_empty(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    assert connected(n, main)
    r = post(n, 800, 900, abi=[ERC20[2]])
    assert r.status == 200
    assert r.json() == {"logs": [], "from_block": 800, "to_block": 900}


def test_evm_logs_limits(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive,
                           "pylon_evm_limits range=100 abi=2k logs=3;"))
    assert wait_for(lambda: post(n, 900, 900).status == 200, 10)
    r = post(n, 800, 900)
    assert r.status == 400 and "Block range too large" in r.json()["detail"]
    r = post(n, 800, 899)
    assert r.status == 400 and "Too many logs" in r.json()["detail"], r.body
    r = post(n, 900, 950)
    assert r.status == 200
    big = ABI + [dict(REGISTERED, name="Pad%d" % i) for i in range(20)]
    r = post(n, 900, 901, abi=big)
    assert r.status == 400 and "too large" in r.json()["detail"]


def test_evm_logs_open_access_token(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive, "pylon_open_access_token sesame;"))
    r = post(n, 900, 901)
    assert r.status == 401
    r = wait_for(lambda: (lambda x: x if x.status == 200 else None)(
        post(n, 900, 901, headers={"Authorization": "Bearer sesame"})), 10)
    assert r


def test_evm_not_configured_is_503(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url))
    r = post(n, 1, 2)
    assert r.status == 503 and "not configured" in r.json()["detail"]


def test_evm_pair_rule_at_nginx_t(nginx_factory, fake_node):
    n = nginx_factory(pylon_conf(fake_node.url,
                                 extra_http="pylon_evm_network http://127.0.0.1:1;"),
                      start=False)
    t = n.test_config()
    assert t.returncode != 0
    assert "pylon_evm_archive_network" in t.stderr and "Set both" in t.stderr


def test_evm_metrics(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive, "pylon_metrics_token m;"))
    assert connected(n, main)
    assert post(n, 600, 850).status == 200
    port = main.url.rsplit(":", 1)[1]

    def metrics():
        t = n.request("/metrics", headers={"Authorization": "Bearer m"}).body.decode()
        return t if 'pylon_evm_archive_routing_total{reason="split"} 1' in t else None

    text = wait_for(metrics, 5)
    assert text
    assert ('pylon_evm_operation_duration_seconds_count{operation="get_logs",'
            'status="success",rpc_url="ws://127.0.0.1:%s"}' % port) in text
    assert 'operation="get_current_block"' in text


def test_evm_nodes_from_pylon_env_file(nginx_factory, fake_node, evm_nodes):
    main, archive = evm_nodes()
    n = nginx_factory(pylon_conf(fake_node.url,
                                 extra_http="pylon_env_file @PREFIX@/data/pylon.env;"),
                      start=False)
    with open(os.path.join(n.prefix, "data/pylon.env"), "w") as f:
        f.write("PYLON_EVM_RPC_URL=%s\nPYLON_EVM_ARCHIVE_RPC_URL=%s\n"
                "PYLON_EVM_ARCHIVE_BLOCKS_CUTOFF=100\n"
                % (main.url.replace("ws://", "http://"), archive.url))
    n.start()
    assert connected(n, main)
    archive.requests.clear()
    main.requests.clear()
    assert post(n, 850, 950).status == 200      # cutoff 1000 - 100 = 900: split
    assert archive.get_logs_calls() and main.get_logs_calls()

    with open(os.path.join(n.prefix, "data/pylon.env"), "w") as f:
        f.write("PYLON_EVM_RPC_URL=%s\n" % main.url)
    t = n.test_config()
    assert t.returncode != 0 and "PYLON_EVM_ARCHIVE_RPC_URL was left at its default" in t.stderr


def test_evm_logs_hostile_nodes_and_bodies(nginx_factory, fake_node, evm_nodes):
    """Garbage logs from the node are skipped, a non-list answer is a 502,
    random ABIs and bodies get 4xx: nothing crashes (teardown checks)."""
    import random
    rng = random.Random(1414)
    main, archive = evm_nodes()
    n = nginx_factory(conf(fake_node, main, archive))
    assert connected(n, main)
    good = main.logs[0]
    hostile = []
    for i in range(300):
        l = dict(good, blockNumber=hex(900), logIndex=hex(i))
        k = rng.randrange(8)
        if k == 0:
            l["data"] = "0x" + "ff" * rng.randrange(200)
        elif k == 1:
            l["data"] = "0x" + (2**255).to_bytes(32, "big").hex() * 3
        elif k == 2:
            l["topics"] = [good["topics"][0]]
        elif k == 3:
            l["topics"] = good["topics"] + ["0x" + "00" * 32] * 3
        elif k == 4:
            l["data"] = "not hex"
        elif k == 5:
            l["blockNumber"] = None
        elif k == 6:
            l["topics"] = [good["topics"][0], "0x" + "ff" * 32, good["topics"][2]]
        else:
            l["address"] = 42
        hostile.append(l)
    main.logs = hostile + [dict(good, blockNumber=hex(900))]
    r = post(n, 900, 900)
    assert r.status == 200, r.body
    got = json.loads(r.body)["logs"]
    assert 1 <= len(got) < 300           # the good one and the decodable ones
    assert all(l["event"] == "Transfer" for l in got)

    # a node answering something that is not a list
    main.logs = {"not": "a list"}
    main_answer = main.answer

    def weird(method, params):
        if method == "eth_getLogs":
            return {"not": "a list"}
        return main_answer(method, params)
    main.answer = weird
    r = post(n, 900, 900)
    assert r.status == 502

    # random bodies and ABIs
    types = ["uint256", "uint7", "tuple", "tuple[]", "(uint8", "string[2][",
             "bytes33", "int", "address[]", 7, None, "uint256[4096][4096]"]
    for i in range(150):
        inputs = [{"name": "a%d" % j, "type": rng.choice(types),
                   "indexed": rng.random() < 0.3,
                   "components": rng.choice([[], [{"type": "bool"}], None, "x"])}
                  for j in range(rng.randrange(6))]
        entry = rng.choice([{"type": "event", "name": "E", "inputs": inputs},
                            {"type": "event", "inputs": inputs},
                            {"type": "event", "name": 5},
                            "not an object", [], {"type": "event", "name": "E",
                                                  "inputs": "x"}])
        r = post(n, 900, 900, abi=[entry])
        assert r.status in (200, 400, 422, 502), (entry, r.status, r.body)
    for body in (b"[]", b'{"abi": {}}', b'{"abi": "x"}', b"\x00\xff",
                 b'{"abi": [' + b"[" * 5000 + b"]" * 5000 + b"]}"):
        r = post(n, 900, 900, body=body)
        assert 400 <= r.status < 500, (body[:20], r.status)

"""One runtime at a time, counted (issue 12): what a weights job signs with.

The fake node of test_data_fakenode (recorded spec-343 metadata, subnet 1 of finney block
6852690) is extended here into a node that takes extrinsics: it answers the submitter
(genesis, runtime version with its transactionVersion, account nonce,
author_submitExtrinsic), puts a submitted extrinsic into the next block when asked, and
serves empty System.Events.  Requests are answered concurrently, so that one answer (the
nonce) can be held back while the others go on.

What is checked is the submitted bytes themselves: the extrinsic is parsed here (v4,
signed, the extensions of these runtimes), its signing payload is rebuilt for each
candidate runtime (spec and transaction version) and the sr25519 signature is verified
with build/pylon-key: exactly the runtime of the block the extrinsic is built on must
verify.  The call is decoded with that runtime's metadata (build/pylon-decode).
"""
import asyncio
import hashlib
import json
import os
import subprocess
import time

import pytest
import websockets

from fakenode import block_hash
from harness import ROOT, wait_for
from pylon import pylon_conf
import test_data_common as dc
from test_data_fakenode import DataNode, META318, SHARED, served
from test_data_fakenode import pytestmark  # noqa: F401  (fixture skip mark)

WALLETS = os.path.join(SHARED, "fixtures", "wallet")
DECODE = os.path.join(ROOT, "build", "pylon-decode")
KEY = os.path.join(ROOT, "build", "pylon-key")
TOKEN = "m-token"
EVENTS_KEY = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
TX_VERSION = {343: 34, 318: 31}           # made up, but different per runtime
HYPER = "0x01" + "00" * 27                 # Some(SubnetHyperparams), every field 0
HYPER_V2 = "0x01" + "00" * 40              # Some(SubnetHyperparamsV2) of 343 and 318

if not os.path.isdir(WALLETS):
    pytestmark = pytest.mark.skip(reason="../shared/fixtures/wallet not found")


class ChainNode(DataNode):
    """DataNode that also takes extrinsics, answering every request on its own."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.submitted = []                # hex of every author_submitExtrinsic
        self.in_block = {}                 # number -> [extrinsic hex]
        self.include = False               # the next head takes what was submitted
        self.hyper = "0x00"                # None until a test makes it ready
        self.hold = None                   # method whose answer waits for release()
        self._release = None
        self.spec_of = {}                  # number -> spec, on top of spec_switch

    def spec_at(self, n):
        return self.spec_of.get(n) or super().spec_at(n)

    def tx_at(self, n):
        return TX_VERSION.get(self.spec_at(n), 1)

    def new_head(self, count=1):
        if self.include and self.submitted:
            self.in_block[self.head + 1] = list(self.submitted)
            self.submitted_included = list(self.submitted)
            self.include = False
        return super().new_head(count)

    def release(self):
        self.hold = None
        if self._release:
            self._loop.call_soon_threadsafe(self._release.set)

    def answer(self, method, params):
        if method == "state_getRuntimeVersion":
            n = self.check(params[0]) if params else self.head
            return {"specName": "node-subtensor", "specVersion": self.spec_at(n),
                    "transactionVersion": self.tx_at(n)}
        if method == "state_call" and params[0] == "Metadata_metadata_at_version":
            n = self.check(params[2])
            self.state_calls.append((params[0], params[2]))
            return self.metas.get(self.spec_at(n), self.metas[343])
        if method == "state_call" and params[0].endswith("get_subnet_hyperparams"):
            self.check(params[2])
            return self.hyper
        if method == "state_call" and params[0].endswith("get_subnet_hyperparams_v2"):
            self.check(params[2])                      # what the helper calls on 343/318
            return HYPER_V2 if self.hyper != "0x00" else self.hyper
        if method == "state_getStorage" and params[0] == EVENTS_KEY:
            self.check(params[1])
            return "0x00"                  # no events
        if method == "system_accountNextIndex":
            return 0
        if method == "author_submitExtrinsic":
            self.submitted.append(params[0])
            return "0x" + hashlib.blake2b(bytes.fromhex(params[0][2:]),
                                          digest_size=32).hexdigest()
        if method == "chain_getBlock":
            n = self.check(params[0])
            return {"block": {"header": self.header(n),
                              "extrinsics": self.in_block.get(n, [])},
                    "justifications": None}
        return super().answer(method, params)

    async def _one(self, ws, req):
        method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
        if method == self.hold:
            self._release = asyncio.Event()
            await self._release.wait()
        try:
            resp = {"jsonrpc": "2.0", "id": rid, "result": self.answer(method, params)}
        except KeyError as e:
            resp = {"jsonrpc": "2.0", "id": rid,
                    "error": {"code": 4003, "message": "Client error",
                              "data": "UnknownBlock: %s" % e}}
        except LookupError:
            resp = {"jsonrpc": "2.0", "id": rid,
                    "error": {"code": -32601, "message": "Method not found"}}
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
                self.calls.append(req.get("method"))
                if req.get("method") == "chain_subscribeNewHeads":
                    sub = "sub%d" % self.connections
                    await ws.send(json.dumps({"jsonrpc": "2.0", "id": req.get("id"),
                                              "result": sub}))
                    self._subs[ws] = sub
                    await self._notify(self.head)
                    continue
                asyncio.ensure_future(self._one(ws, req))
        except websockets.ConnectionClosed:
            pass
        finally:
            self._subs.pop(ws, None)
            self._all.discard(ws)


# -- the submitted bytes ---------------------------------------------------------------------


def compact(b, i):
    """SCALE compact at b[i]: (value, next index)."""
    mode = b[i] & 3
    if mode == 0:
        return b[i] >> 2, i + 1
    if mode == 1:
        return int.from_bytes(b[i:i + 2], "little") >> 2, i + 2
    if mode == 2:
        return int.from_bytes(b[i:i + 4], "little") >> 2, i + 4
    n = (b[i] >> 2) + 4
    return int.from_bytes(b[i + 1:i + 1 + n], "little"), i + 1 + n


def parse(xt_hex):
    """A signed v4 extrinsic of these runtimes: signer, signature, extra, call, era."""
    b = bytes.fromhex(xt_hex[2:])
    _, i = compact(b, 0)
    assert b[i] == 0x84, "not a signed v4 extrinsic"
    i += 1
    assert b[i] == 0x00                    # MultiAddress::Id
    signer = b[i + 1:i + 33]
    i += 33
    assert b[i] == 0x01                    # MultiSignature::Sr25519
    sig = b[i + 1:i + 65]
    i += 65
    start = i
    if b[i] == 0:                          # immortal
        era = None
        i += 1
    else:
        v = int.from_bytes(b[i:i + 2], "little")
        period = 2 << (v % 16)
        phase = (v >> 4) * max(period >> 12, 1)
        era = (period, phase)
        i += 2
    _, i = compact(b, i)                   # nonce
    _, i = compact(b, i)                   # tip
    assert b[i] == 0                       # CheckMetadataHash: mode disabled
    i += 1
    return {"signer": signer, "sig": sig, "extra": b[start:i], "call": b[i:], "era": era}


def verifies(x, spec, tx, birth):
    """Does the signature verify for runtime (spec, tx) and the era born at block birth?"""
    payload = (x["call"] + x["extra"] + spec.to_bytes(4, "little") + tx.to_bytes(4, "little")
               + bytes.fromhex(block_hash(0)[2:]) + bytes.fromhex(block_hash(birth)[2:])
               + b"\x00")                  # metadata hash: None
    if len(payload) > 256:
        payload = hashlib.blake2b(payload, digest_size=32).digest()
    r = subprocess.run([KEY, "verify", x["signer"].hex(), x["sig"].hex(), payload.hex()],
                       capture_output=True, text=True)
    return r.returncode == 0


def signed_with(node, xt_hex):
    """[(spec, tx)] of the runtimes the extrinsic's signature verifies for."""
    x = parse(xt_hex)
    period, phase = x["era"]
    births = [n for n in range(max(1, node.head - period), node.head + 1)
              if n % period == phase]
    out = []
    for spec, tx in sorted(TX_VERSION.items()):
        if any(verifies(x, spec, tx, b) for b in births):
            out.append((spec, tx))
    return out


def decoded_call(meta, xt_hex):
    r = subprocess.run([DECODE, "--extrinsic", meta, xt_hex], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# -- the tests ---------------------------------------------------------------------------------


@pytest.fixture
def chain_node():
    nodes = []

    def make(head):
        n = ChainNode(head)
        n.start()
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.release()
        n.stop()


def conf(node):
    return pylon_conf(node.url, extra_http=(
        "pylon_archive_network %s; pylon_wallet_path %s; pylon_weights_retry 200 1s; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=1 token=%s;"
        % (node.url, WALLETS, TOKEN)))


def put_weights(n, hotkey):
    return n.request("/api/v1/identity/sn/subnet/1/weights", method="PUT",
                     body=json.dumps({"weights": {hotkey: 1.0}}).encode(),
                     headers={"Authorization": "Bearer " + TOKEN})


def start(nginx_factory, node):
    n = nginx_factory(conf(node))
    r = wait_for(lambda: served(n, dc.routes(1)["neurons"]), 20)
    assert r, n.log()[-3000:]
    return n, sorted(r.json()["neurons"])[0]


def test_weights_pending_across_a_runtime_upgrade_are_signed_with_the_new_runtime(
        nginx_factory, chain_node):
    node = chain_node(500)
    n, hotkey = start(nginx_factory, node)
    mark = len(n.log())
    assert put_weights(n, hotkey).status == 200
    # no hyperparameters yet: the job waits
    assert wait_for(lambda: "subnet data not available yet" in n.log()[mark:], 10), \
        n.log()[-3000:]
    assert node.submitted == []

    node.spec_switch = (node.head + 1, 318)            # the runtime upgrade
    node.hyper = HYPER
    for _ in range(6):                                 # hyperparameters: every 5 blocks
        node.new_head()
        time.sleep(0.2)
    assert wait_for(lambda: node.submitted, 30), n.log()[-3000:]
    xt = node.submitted[0]
    assert signed_with(node, xt) == [(318, TX_VERSION[318])], n.log()[-3000:]
    call = decoded_call(META318, xt)["call"]
    assert call["call_module"] == "SubtensorModule", call
    assert call["call_function"] in ("set_weights", "set_mechanism_weights"), call
    assert "runtime upgrade at block 501: spec 343 -> 318" in n.log()


def test_runtime_upgrade_between_build_and_sign(nginx_factory, chain_node):
    """Built at a spec-343 head; signed after the head moved to 318: signed with 318."""
    node = chain_node(500)
    node.hyper = HYPER
    n, hotkey = start(nginx_factory, node)
    node.hold = "system_accountNextIndex"              # the job stops before signing
    assert put_weights(n, hotkey).status == 200
    assert wait_for(lambda: "system_accountNextIndex" in node.calls, 10), n.log()[-3000:]

    switch = node.head + 1
    node.spec_switch = (switch, 318)
    for _ in range(2):
        node.new_head()
    # the refresh reads the new runtime meanwhile
    assert wait_for(lambda: (lambda r: r and r.json()["block"]["number"] == switch + 1)(
        served(n, dc.routes(1)["neurons"])), 10), n.log()[-3000:]
    assert ("Metadata_metadata_at_version", block_hash(switch)) in node.state_calls
    node.release()
    assert wait_for(lambda: node.submitted, 20), n.log()[-3000:]
    assert signed_with(node, node.submitted[0]) == [(318, TX_VERSION[318])], n.log()[-3000:]


def test_historical_fetch_between_build_and_sign_changes_nothing(nginx_factory, chain_node):
    """An old-runtime block read while a job waits to be signed: the job keeps the head's."""
    node = chain_node(500)
    node.spec_switch = (450, 318)                      # blocks before 450 are spec 343
    node.hyper = HYPER
    n, hotkey = start(nginx_factory, node)
    node.hold = "system_accountNextIndex"
    assert put_weights(n, hotkey).status == 200
    assert wait_for(lambda: "system_accountNextIndex" in node.calls, 10), n.log()[-3000:]

    old = 420
    r = n.request(dc.routes(1, old)["neurons"], timeout=30)
    assert r.status == 200, r.body
    assert ("Metadata_metadata_at_version", block_hash(old)) in node.state_calls
    node.release()
    assert wait_for(lambda: node.submitted, 20), n.log()[-3000:]
    assert signed_with(node, node.submitted[0]) == [(318, TX_VERSION[318])], n.log()[-3000:]


def test_submission_keeps_its_runtime_while_the_cache_makes_room(nginx_factory, chain_node):
    """Nine other runtimes pass through the 8-slot cache while an extrinsic waits for its
    block: its metadata (which decodes the outcome) must stay valid (ASan: no
    use-after-free), and the job lands once."""
    node = chain_node(500)
    node.hyper = HYPER
    for b in range(400, 409):                          # each block its own runtime
        node.spec_of[b] = 2000 + b
    n, hotkey = start(nginx_factory, node)
    mark = len(n.log())
    assert put_weights(n, hotkey).status == 200
    assert wait_for(lambda: node.submitted, 20), n.log()[-3000:]

    for b in range(400, 409):
        r = n.request(dc.routes(1, b)["neurons"], timeout=30)
        assert r.status == 200, (b, r.body)
    loaded = [h for m, h in node.state_calls if m == "Metadata_metadata_at_version"]
    assert len(loaded) >= 10, loaded

    node.include = True
    node.new_head()
    assert wait_for(lambda: "landed in block 501" in n.log()[mark:], 20), n.log()[-3000:]
    assert len(node.submitted) == 1

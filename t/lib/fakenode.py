"""A scripted substrate node for fault tests: JSON-RPC over WebSocket on 127.0.0.1.

It answers what the helper asks (chain_getHeader, chain_subscribeNewHeads, chain_getBlockHash,
state_getStorage) from a synthetic chain whose head the test moves with `new_head()`.  It can be
stopped and restarted on the same port, switched to answering garbage, or silenced.
"""
import asyncio
import hashlib
import json
import struct
import threading
import time

import websockets

from harness import free_port

TIMESTAMP_NOW = "0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"


def block_hash(n):
    return "0x" + hashlib.sha256(b"block %d" % n).hexdigest()


def block_time_ms(n):
    return 1_700_000_000_000 + n * 12_000


class RpcError(Exception):
    """Raised by answer(): the node answers with this JSON-RPC error object."""

    def __init__(self, error):
        super().__init__(error.get("message"))
        self.error = error


class FakeNode:
    def __init__(self, port=None, head=100, ssl_context=None, server_pings=True):
        self.port = port or free_port()
        self.server_pings = server_pings  # False: the node never pings the helper
        self.pings = []              # time.monotonic() of every ping from the helper
        self.head = head
        self.ssl = ssl_context
        self.mode = "ok"             # "ok", "garbage", "silent", "close" (answers one
                                     # message per connection, then closes it)
        self.calls = []              # methods received
        self.connections = 0
        self.connected_at = []       # time.monotonic() of every connection
        self.pad = 0                 # extra bytes in header notifications (big frames)
        self._subs = {}              # websocket -> subscription id
        self.delay = None            # (method, params) -> seconds to hold the answer
                                     # (the answer is made at once, sent later; others
                                     # on the connection go on meanwhile)
        self._loop = None
        self._server = None
        self._thread = None

    @property
    def url(self):
        return ("wss" if self.ssl else "ws") + "://127.0.0.1:%d" % self.port

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        ready = threading.Event()
        node = self

        class Recording(websockets.WebSocketServerProtocol):
            async def pong(self, data=b""):      # answering a ping from the helper
                node.pings.append(time.monotonic())
                await super().pong(data)

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                websockets.serve(self._handler, "127.0.0.1", self.port, ssl=self.ssl,
                                 max_size=None, create_protocol=Recording,
                                 ping_interval=20 if self.server_pings else None))
            ready.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(5), "fake node did not start"
        return self

    def stop(self):
        if not self._loop:
            return

        async def shutdown():
            self._server.close()
            for ws in list(self._subs) + list(getattr(self, "_all", [])):
                await ws.close()
            await self._server.wait_closed()

        fut = asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        try:
            fut.result(5)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop = None
        self._subs = {}

    # -- the chain -----------------------------------------------------------------------------

    def hash_of(self, n):
        return block_hash(n)

    def header(self, n):
        h = {"parentHash": self.hash_of(n - 1), "number": hex(n),
             "stateRoot": "0x" + "11" * 32, "extrinsicsRoot": "0x" + "22" * 32,
             "digest": {"logs": []}}
        if self.pad:
            h["digest"]["logs"] = ["0x" + "00" * self.pad]
        return h

    def new_head(self, count=1):
        """Advance the head and notify subscribers; returns the new head number.
        count=0 announces the same height again (a fork at the head)."""
        self.head += count
        asyncio.run_coroutine_threadsafe(self._notify(self.head), self._loop).result(5)
        return self.head

    async def _notify(self, n):
        for ws, sub in list(self._subs.items()):
            msg = {"jsonrpc": "2.0", "method": "chain_newHead",
                   "params": {"subscription": sub, "result": self.header(n)}}
            try:
                await ws.send(self._encode(msg))
            except websockets.ConnectionClosed:
                self._subs.pop(ws, None)

    def _encode(self, msg):
        if self.mode == "garbage":
            return "\x00garbage{" + json.dumps(msg)[::-1]
        return json.dumps(msg)

    def answer(self, method, params):
        if method == "chain_getHeader":
            return self.header(self.head)
        if method == "chain_getBlockHash":
            n = params[0] if params else self.head
            if isinstance(n, str):
                n = int(n, 16)
            return block_hash(n) if n <= self.head else None
        if method == "state_getStorage":
            key, at = params[0], params[1] if len(params) > 1 else block_hash(self.head)
            if key != TIMESTAMP_NOW:
                return None
            for n in range(self.head, max(-1, self.head - 5000), -1):
                if block_hash(n) == at:
                    return "0x" + struct.pack("<Q", block_time_ms(n)).hex()
            raise KeyError("unknown block")
        raise LookupError(method)

    async def _later(self, ws, delay, resp):
        await asyncio.sleep(delay)
        try:
            await ws.send(self._encode(resp))
        except websockets.ConnectionClosed:
            pass

    async def _handler(self, ws, path=None):
        self.connections += 1
        self.connected_at.append(time.monotonic())
        self._all = getattr(self, "_all", set())
        self._all.add(ws)
        try:
            async for raw in ws:
                req = json.loads(raw)
                method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
                self.calls.append(method)
                if self.mode == "silent":
                    continue
                if method == "chain_subscribeNewHeads":
                    sub = "sub%d" % self.connections
                    await ws.send(self._encode({"jsonrpc": "2.0", "id": rid, "result": sub}))
                    self._subs[ws] = sub
                    await self._notify(self.head)
                    if self.mode == "close":
                        await ws.close()
                        break
                    continue
                try:
                    resp = {"jsonrpc": "2.0", "id": rid, "result": self.answer(method, params)}
                except RpcError as e:
                    resp = {"jsonrpc": "2.0", "id": rid, "error": e.error}
                except KeyError as e:      # before LookupError: its subclass
                    resp = {"jsonrpc": "2.0", "id": rid,
                            "error": {"code": 4003, "message": "Client error",
                                      "data": "UnknownBlock: %s" % e}}
                except LookupError:
                    resp = {"jsonrpc": "2.0", "id": rid,
                            "error": {"code": -32601, "message": "Method not found"}}
                delay = self.delay(method, params) if self.delay else 0
                if delay:
                    asyncio.ensure_future(self._later(ws, delay, resp))
                    continue
                await ws.send(self._encode(resp))
                if self.mode == "close":
                    await ws.close()
                    break
        except websockets.ConnectionClosed:
            pass
        finally:
            self._subs.pop(ws, None)
            self._all.discard(ws)

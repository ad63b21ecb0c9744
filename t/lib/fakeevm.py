"""A scripted EVM (Frontier) JSON-RPC node for the EVM logs route.

JSON-RPC over WebSocket on 127.0.0.1 (the same server as t/lib/fakenode.py;
substrate nodes serve HTTP and WebSocket on one port, and the helper
speaks WebSocket).  It answers eth_blockNumber with `head` and eth_getLogs
with the logs of `logs` whose address and block number match the filter,
records every call, and can be switched to answer eth_getLogs with a
JSON-RPC error (as nodes do for too-large ranges).
"""
import json

from fakenode import FakeNode


class FakeEvmNode(FakeNode):
    def __init__(self, head=1000, **kw):
        super().__init__(head=head, **kw)
        self.logs = []               # eth_getLogs log objects
        self.requests = []           # (method, params)
        self.error = None            # {"code", "message"} for eth_getLogs

    def answer(self, method, params):
        self.requests.append((method, params))
        if method == "eth_blockNumber":
            return hex(self.head)
        if method == "eth_getLogs":
            if self.error:
                raise RpcError(self.error)
            f = params[0]
            lo, hi = int(f["fromBlock"], 16), int(f["toBlock"], 16)
            addr = f["address"].lower()
            return [l for l in self.logs if self._match(l, addr, lo, hi)]
        raise LookupError(method)

    @staticmethod
    def _match(log, addr, lo, hi):
        """Filter like a node; hostile test logs (bad fields) always pass."""
        try:
            return (log["address"].lower() == addr
                    and lo <= int(log["blockNumber"], 16) <= hi)
        except (AttributeError, TypeError, ValueError):
            return True

    def get_logs_calls(self):
        return [p[0] for m, p in self.requests if m == "eth_getLogs"]

    async def _handler(self, ws, path=None):
        # the base handler maps LookupError/KeyError; add RpcError
        self.connections += 1
        self._all = getattr(self, "_all", set())
        self._all.add(ws)
        try:
            async for raw in ws:
                req = json.loads(raw)
                method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
                self.calls.append(method)
                try:
                    resp = {"jsonrpc": "2.0", "id": rid, "result": self.answer(method, params)}
                except RpcError as e:
                    resp = {"jsonrpc": "2.0", "id": rid, "error": e.args[0]}
                except LookupError:
                    resp = {"jsonrpc": "2.0", "id": rid,
                            "error": {"code": -32601, "message": "Method not found"}}
                await ws.send(json.dumps(resp))
        except Exception:
            pass
        finally:
            self._all.discard(ws)


class RpcError(Exception):
    pass

"""Ordered v2 head rounds (issue 12), with the fake node serving the recorded spec-343 metadata
and v2 data (t/test_v2_data.py's V2Node: Drand.LastStoredRound, alpha prices, revealed
commitments).

- a fork at the head: a second head at the same height with another hash (the node's fork
  choice) is read, and the orphan's round, even when its answers come back last, never writes:
  the price route is served at the fork choice's hash, never the orphan's;
- a slow node with heads coming faster than a round: one v2 head round in flight at a time (its
  drand calls never overlap), and the last head's data is served in the end;
- a price answer that does not decode: that part keeps its previous body while the round's other
  parts (drand, revealed commitments), rendered into the same batch, are written (issue 12).
"""
import hashlib
import json
import struct
import threading
import time

from harness import wait_for
import test_v2_data as v2
from test_v2_data import DRAND_KEY, UG, UOA, conf, ok

pytestmark = v2.pytestmark


def fork_hash(tag, n):
    return "0x" + hashlib.sha256(b"v2 fork %s %d" % (tag.encode(), n)).hexdigest()


class PriceNode(v2.V2Node):
    """V2Node whose subnet prices may depend on the block hash."""

    def __init__(self, head, **kw):
        super().__init__(head, **kw)
        self.price_at = {}                  # hash -> price of every subnet
        self.raw_at = {}                    # hash -> price answer's bytes (hex)
        self.raw_seen = set()               # hashes whose raw_at was answered

    def answer(self, method, params):
        if method == "state_call" and params[0] == "SwapRuntimeApi_current_alpha_price" \
                and params[2] in self.raw_at:
            self.check(params[2])
            self.raw_seen.add(params[2])
            return self.raw_at[params[2]]
        if method == "state_call" and params[0] == "SwapRuntimeApi_current_alpha_price" \
                and params[2] in self.price_at:
            self.check(params[2])
            return "0x" + struct.pack("<Q", self.price_at[params[2]]).hex()
        return super().answer(method, params)


def node_at(head):
    node = PriceNode(head)
    node.start()
    return node


def price(n):
    r = ok(n, UOA + "/block/latest/price")
    return r.json() if r else None


def drand(n):
    r = ok(n, UG + "/block/latest/drand/last_stored_round")
    return r.json()["last_stored_round"] if r else None


def is_drand(method, params):
    return method == "state_getStorage" and params and params[0] == DRAND_KEY


def is_price(method, params):
    return method == "state_call" and params \
        and params[0] == "SwapRuntimeApi_current_alpha_price"


def test_v2_fork_at_head_serves_the_fork_choice(nginx_factory):
    node = node_at(500)
    try:
        n = nginx_factory(conf(node))
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == 500, 20), \
            n.log()[-3000:]

        orphan, choice = fork_hash("orphan", 501), fork_hash("choice", 501)
        node.price_at[orphan], node.price_at[choice] = 111, 222

        # the orphan's v2 reads are answered 2 s late
        seen = threading.Event()

        def delay(method, params):
            if orphan in json.dumps(params):
                if is_price(method, params):
                    seen.set()
                return 2.0
            return 0

        node.delay = delay
        node.hashes[501] = orphan
        node.new_head()
        assert seen.wait(5), "the helper did not read the orphan's price"

        # the fork choice at the same height, answered at once
        node.hashes[501] = choice
        node.new_head(0)

        bodies = []

        def at_choice():
            p = price(n)
            bodies.append(p)
            return p and p["block"]["hash"] == choice

        assert wait_for(at_choice, 10), (bodies[-1], n.log()[-3000:])
        assert price(n)["price"] == {"value": 222}

        # the orphan's answers have all come back now: still the fork choice's
        end = time.time() + 3
        while time.time() < end:
            bodies.append(price(n))
            time.sleep(0.05)
        assert price(n)["block"] == {"number": 501, "hash": choice}
        orphaned = [b for b in bodies if b and (b["block"]["hash"] == orphan
                                                or b["price"] == {"value": 111})]
        assert orphaned == [], orphaned[:3]
        assert "v2 data of block 501 (%s) dropped" % orphan in n.log()

        # the chain goes on from the fork choice
        node.delay = None
        head = node.new_head()
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == head, 10)
        assert price(n)["block"]["hash"] == node.hash_of(head)
    finally:
        node.stop()


def test_v2_slow_node_one_round_in_flight(nginx_factory):
    node = node_at(800)
    try:
        n = nginx_factory(conf(node))
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == 800, 20), \
            n.log()[-3000:]
        assert wait_for(lambda: drand(n) == node.round + 800, 10)

        # every drand and price read takes 0.6 s; heads come every 0.15 s
        held = []                            # (start, end) of each drand read

        def delay(method, params):
            if is_drand(method, params):
                t = time.monotonic()
                held.append((t, t + 0.6))
                return 0.6
            if is_price(method, params):
                return 0.6
            return 0

        node.delay = delay
        heads = []
        for _ in range(10):
            heads.append(node.new_head())
            time.sleep(0.15)
        last = heads[-1]

        # the last head's data in the end
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == last, 15), \
            (price(n), n.log()[-3000:])
        assert price(n)["block"]["hash"] == node.hash_of(last)
        assert wait_for(lambda: drand(n) == node.round + last, 5), drand(n)

        # never two head rounds' drand reads at once; heads that waited were replaced
        events = sorted([(s, 1) for s, _ in held] + [(e, -1) for _, e in held],
                        key=lambda x: (x[0], x[1]))
        most = cur = 0
        for _, d in events:
            cur += d
            most = max(most, cur)
        assert most == 1, (most, held)
        assert 2 <= len(held) < len(heads), held
    finally:
        node.stop()


def test_v2_undecodable_price_keeps_its_previous_body(nginx_factory):
    node = node_at(600)
    node.reveal(v2.ALICE, [("alice", 590)])
    try:
        n = nginx_factory(conf(node))
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == 600, 20), \
            n.log()[-3000:]
        assert wait_for(lambda: drand(n) == node.round + 600, 10)
        before = price(n)

        # block 601: the price answer is two bytes, not a u64; a new reveal
        node.raw_at[node.hash_of(601)] = "0x0102"
        node.reveal(v2.ALICE, [("alice", 590), ("again", 601)])
        assert node.new_head() == 601

        # drand and the revealed commitments of 601 are written ...
        assert wait_for(lambda: drand(n) == node.round + 601, 10), n.log()[-3000:]
        revealed = ok(n, UOA + "/block/latest/commitments/revealed/" + v2.ALICE).json()
        assert revealed["block"]["number"] == 601
        assert [c["commitment"] for c in revealed["commitments"]] == ["alice", "again"]
        assert node.hash_of(601) in node.raw_seen      # that round read the price

        # ... the price keeps its body of 600
        assert price(n) == before

        # and the next head's price is written again
        assert node.new_head() == 602
        assert wait_for(lambda: (price(n) or {}).get("block", {}).get("number") == 602, 10), \
            n.log()[-3000:]
        assert price(n)["block"]["hash"] == node.hash_of(602)
    finally:
        node.stop()

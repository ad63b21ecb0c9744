"""Robust refresh rounds (issue 12), with the fake node serving the recorded spec-343 answers.

- each subnet succeeds or fails on its own: a failing runtime call for one subnet leaves the
  others refreshed at the new head, keeps its previous body and marks it stale in /metrics
  (pylon_subnet_stale{netuid});
- one head round at a time plus the latest pending head: heads that come while a round runs
  are not all read, only the newest.
"""
import json
import threading

from harness import wait_for
from pylon import pylon_conf
from test_data_fakenode import conf, data_node, served  # noqa: F401
import test_data_common as dc

METRICS = {"Authorization": "Bearer mt"}


def block_of(n, netuid):
    r = served(n, dc.routes(netuid)["neurons"])
    return r.json()["block"]["number"] if r else None


def stale(n):
    body = n.request("/metrics", headers=METRICS).body.decode()
    out = {}
    for line in body.splitlines():
        if line.startswith("pylon_subnet_stale{"):
            netuid = int(line.split('"')[1])
            out[netuid] = float(line.rsplit(" ", 1)[1])
    return out


def subnet_2_fails_alone(nginx_factory, data_node, neurons_of_2, logged):
    """Subnets 1-3 at 600; at the next head subnet 2's neurons answer is
    neurons_of_2(plain answer) (or what it raises): 1 and 3 are written at the new head, 2
    keeps its previous body, is marked stale and logged as `logged`; healed, it is fresh."""
    node = data_node(600)
    node.any_netuid = True
    n = nginx_factory(pylon_conf(node.url, extra_http="pylon_netuids 1 2 3; "
                                 "pylon_metrics_token mt;"))
    assert wait_for(lambda: all(block_of(n, u) == 600 for u in (1, 2, 3)), 20), \
        n.log()[-3000:]
    assert wait_for(lambda: stale(n) == {1: 0.0, 2: 0.0, 3: 0.0}, 5), stale(n)

    plain = node.answer

    def broken(method, params):
        if method == "state_call" and params[0] == "NeuronInfoRuntimeApi_get_neurons_lite" \
                and params[1] == "0x0200":
            return neurons_of_2(plain(method, params))
        return plain(method, params)

    node.answer = broken
    head = node.new_head()
    assert wait_for(lambda: block_of(n, 1) == head and block_of(n, 3) == head, 10), \
        n.log()[-3000:]
    assert block_of(n, 2) == 600                      # its previous body stays
    assert wait_for(lambda: stale(n) == {1: 0.0, 2: 1.0, 3: 0.0}, 5), stale(n)
    assert "subnet 2 at block %d %s" % (head, logged) in n.log(), n.log()[-3000:]

    node.answer = plain                               # healed: fresh again
    head = node.new_head()
    assert wait_for(lambda: block_of(n, 2) == head, 10), n.log()[-3000:]
    assert wait_for(lambda: stale(n) == {1: 0.0, 2: 0.0, 3: 0.0}, 5), stale(n)


def test_one_failing_subnet_does_not_fail_the_others(nginx_factory, data_node):
    def trap(answer):                         # a runtime error
        raise KeyError("wasm trap: unreachable")

    subnet_2_fails_alone(nginx_factory, data_node, trap, "not read")


def test_one_round_in_flight_plus_latest_pending(nginx_factory, data_node):
    node = data_node(700)
    n = nginx_factory(conf(node, "pylon_metrics_token mt;"))
    assert wait_for(lambda: block_of(n, 1) == 700, 20), n.log()[-3000:]

    slow = node.hash_of(701)
    seen = threading.Event()

    def delay(method, params):                # the round at 701 takes 2 s
        if method == "state_call" and slow in json.dumps(params):
            seen.set()
            return 2.0
        return 0

    node.delay = delay
    node.new_head()
    assert seen.wait(5), n.log()[-3000:]
    for _ in range(3):                        # 702, 703, 704 come while it runs
        last = node.new_head()
    assert wait_for(lambda: block_of(n, 1) == last, 10), n.log()[-3000:]
    read = {h for m, h in node.state_calls if m == "NeuronInfoRuntimeApi_get_neurons_lite"}
    assert node.hash_of(702) not in read and node.hash_of(703) not in read, \
        "heads replaced while pending were read"
    assert node.hash_of(704) in read


def test_auto_tracked_subnet_in_use_stays_tracked(nginx_factory, data_node):
    """Tracked-by-request subnets expire after their last use, not after they were added.
    The 10 minutes are shortened for the test: PYLON_AUTO_TTL_MS (helper) and
    PYLON_USE_EVERY_S (how often a worker reports a cached hit as a use)."""
    import time
    node = data_node(800)
    node.any_netuid = True
    n = nginx_factory(pylon_conf(node.url, extra_http="pylon_metrics_token mt;"),
                      main_conf="env PYLON_AUTO_TTL_MS=4000; env PYLON_USE_EVERY_S=1;")
    assert wait_for(lambda: n.request("/api/v1/block/latest").status == 200, 20)
    assert n.request(dc.routes(5)["neurons"], timeout=30).status == 200   # tracked now

    # used every half second for 8 s (twice the time to live), heads coming
    end = time.time() + 8
    while time.time() < end:
        r = n.request(dc.routes(5)["neurons"])
        assert r.status == 200, r.body
        node.new_head()
        time.sleep(0.5)
    assert "subnet 5 no longer tracked" not in n.log(), n.log()[-3000:]
    head = node.head
    assert wait_for(lambda: block_of(n, 5) == head, 5), n.log()[-3000:]

    # no longer used: gone after the time to live (at the next head)
    time.sleep(5)
    node.new_head()
    assert wait_for(lambda: "subnet 5 no longer tracked" in n.log(), 5), n.log()[-3000:]


def test_hyperparams_from_the_newest_call_in_the_metadata(nginx_factory, data_node):
    """get_subnet_hyperparams_v2 where the runtime's metadata has it (spec 343; the recorded
    spec-318 metadata has it too, so the v1 fallback is proven on the local spec-218 chain by
    t/test_data_chain.py::test_data_hyperparams_and_state_records, which compares the body
    with v1's answer)."""
    def hyper_calls(node):
        return {m for m, _ in node.state_calls if "hyperparams" in m}

    node = data_node(900)
    n = nginx_factory(conf(node))
    assert wait_for(lambda: hyper_calls(node), 20), n.log()[-3000:]
    assert hyper_calls(node) == {"SubnetInfoRuntimeApi_get_subnet_hyperparams_v2"}


def test_one_subnet_that_does_not_render_does_not_fail_the_others(nginx_factory, data_node):
    """Its answer comes, but its bytes do not decode (cut short): the whole round used to
    fail, no subnet written at that head."""
    subnet_2_fails_alone(nginx_factory, data_node, lambda answer: answer[:200],
                         "not rendered")

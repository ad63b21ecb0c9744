"""Pylon v2 writes on the real runtime (chopsticks, spec 218; t/test_writes.py's world).

PUT UID/mechanism/0/weights lands the normalised vector (set_weights / set_mechanism_weights as
the runtime has them), a newer PUT of the same mechanism supersedes the pending one, and
GET UID/mechanism/{id}/block/{n}/weights/status follows the job: true while it runs and after it
succeeded in the epoch, false for another mechanism, another epoch, or a block above the head (404).
POST UID/commitments/revealed answers Pylon's shapes whatever the old runtime supports.
"""
import json
import time

import pytest

from harness import Nginx, wait_for
from pylon import pylon_conf
from test_writes import world, ngx, auth, pump, state, TOKEN  # noqa: F401 (fixtures)


def base(info):
    return "/api/_unstable/identity/sn/subnet/%d" % info["netuid"]


def put(n, info, mech, weights):
    return n.request(base(info) + "/mechanism/%d/weights" % mech, method="PUT",
                     body=json.dumps({"weights": weights}).encode(), headers=auth())


def submitted(n, info, mech, block):
    r = n.request(base(info) + "/mechanism/%d/block/%d/weights/status" % (mech, block),
                  headers=auth())
    assert r.status == 200, r.body
    return r.json()["weights_submitted"]


def head(n):
    return n.get("/api/v1/block/latest").json()["number"]


def test_v2_mechanism_0_weights_land_and_status_follows(world, ngx):
    c, info = world
    m1, m2, m3 = info["hotkeys"][1], info["hotkeys"][2], info["hotkeys"][3]
    h = head(ngx)
    assert submitted(ngx, info, 0, h) is False

    r = put(ngx, info, 0, {m1: 1.0, m2: 0.5})
    assert r.status == 200 and r.json() == {"detail": "weights update scheduled", "count": 2}
    assert submitted(ngx, info, 0, h) is True           # RUNNING in this epoch
    assert submitted(ngx, info, 1, h) is False          # another mechanism
    got = pump(c, lambda: state(c, info)["weights"] == [[1, 65535], [2, 32768]] or None)
    assert got, (state(c, info), ngx.log()[-3000:])
    time.sleep(1)
    assert submitted(ngx, info, 0, h) is True           # SUCCEEDED in this epoch
    assert ngx.request(base(info) + "/mechanism/0/block/%d/weights/status" % (h + 10 ** 6),
                       headers=auth()).status == 404

    # a newer PUT of the same mechanism wins
    assert put(ngx, info, 0, {m1: 1.0}).status == 200
    assert put(ngx, info, 0, {m3: 1.0}).status == 200
    assert pump(c, lambda: state(c, info)["weights"] == [[3, 65535]] or None), ngx.log()[-3000:]


def test_v2_revealed_commitment_post_answers_pylon_shapes(world, ngx):
    c, info = world
    r = ngx.request(base(info) + "/commitments/revealed", method="POST",
                    body=json.dumps({"commitment": "hello v2", "blocks_until_reveal": 10,
                                     "block_time": 1}).encode(),
                    headers=auth({"X-Pylon-Timeout": "40"}), timeout=60)
    now = int(time.time())
    if r.status == 201:
        rr = r.json()["reveal_round"]
        assert list(r.json()) == ["reveal_round"]
        assert abs(rr - ((now - 1692803367) + 120) // 3) <= 20
    else:
        # spec 218's Commitments may lack TimelockEncrypted: Pylon's envelope, no crash
        assert r.status in (500, 502, 504), r.body
        assert set(r.json()) >= {"status_code", "detail"}


def test_v2_reads_on_a_runtime_without_them_are_501(world, ngx):
    """Spec 218 has no Drand pallet, no SwapRuntimeApi and no RevealedCommitments: §3.3's 501."""
    c, info = world
    oa = "/api/_unstable/openaccess"
    for path, op in ((oa + "/block/latest/drand/last_stored_round",
                      "get_drand_last_stored_round"),
                     (oa + "/block/latest/prices", "get_alpha_prices"),
                     (oa + "/subnet/%d/block/latest/price" % info["netuid"], "get_alpha_price"),
                     (oa + "/subnet/%d/block/latest/commitments/revealed" % info["netuid"],
                      "get_all_revealed_commitments")):
        r = ngx.request(path, timeout=30)
        assert r.status == 501, (path, r.status, r.body)
        assert r.json()["detail"].startswith(
            "The runtime API required for '%s' is not available at block " % op), r.body


def epoch_window(block, netuid, tempo, offset, buffer):
    """Pylon v0's window of the epoch containing block (cycle 1), as
    pylon_weights_epoch / pylon_weights_window define it."""
    interval = tempo + 1
    nxt = block + tempo - (block + netuid + 1) % interval
    start, end = (block, block + interval) if nxt == block else (nxt - interval, nxt)
    return start + offset, end - buffer


def test_weights_window_holds_the_job_until_the_window_opens(world):
    """pylon_weights_window: a PUT outside the window is held (no extrinsic)
    until a head inside [epoch start + offset, epoch end - buffer], then
    lands once; the log names the window it waits for."""
    from test_writes_once import count
    c, info = world
    netuid, tempo, offset, buffer = info["netuid"], 10, 7, 1
    n = Nginx(pylon_conf(c.url, extra_http=(
        "pylon_wallet_path %s; pylon_weights_retry 20 1s; pylon_block_duration 1s; "
        "pylon_weights_window offset=%d buffer=%d cycle=1; "
        "pylon_identity sn wallet=pylon hotkey=pylon netuid=%d token=%s;"
        % (info["wallets"], offset, buffer, netuid, TOKEN))))
    n.start()
    try:
        c.new_block()
        url = "/api/v1/subnet/%d/block/latest/neurons" % netuid
        assert wait_for(lambda: n.get(url).status == 200, 20), n.log()[-3000:]
        # a head well before its epoch's window
        while True:
            h = c.new_block()
            wopen, _ = epoch_window(h, netuid, tempo, offset, buffer)
            if wopen - h >= 4:
                break
        assert wait_for(lambda: head(n) == h, 10)
        since = h + 1
        m1, m2 = info["hotkeys"][1], info["hotkeys"][2]
        r = n.request("/api/v1/identity/sn/subnet/%d/weights" % netuid, method="PUT",
                      body=json.dumps({"weights": {m1: 0.5, m2: 1.0}}).encode(),
                      headers=auth())
        assert r.status == 200, r.body
        assert wait_for(lambda: "for the commit window [%d, " % wopen in n.log(), 10), \
            n.log()[-3000:]
        # blocks before the window carry no WeightsSet of ours
        while c.head() < wopen - 1:
            c.new_block()
            time.sleep(0.5)
        assert count(c, since, "subtensorModule.WeightsSet", netuid)["count"] == 0
        got = pump(c, lambda: state(c, info)["weights"] == [[1, 32768], [2, 65535]] or None)
        assert got, (state(c, info), n.log()[-3000:])
        events = count(c, since, "subtensorModule.WeightsSet", netuid)
        assert events["count"] == 1, events
        _, wclose = epoch_window(wopen, netuid, tempo, offset, buffer)
        assert wopen <= events["blocks"][0] <= wclose + 1, (events, wopen, wclose)
    finally:
        n.cleanup()

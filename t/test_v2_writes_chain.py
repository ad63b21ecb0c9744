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

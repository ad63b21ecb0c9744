"""The C codec on the local spec-218 chain (runtime APIs return Vec<u8>).

Starts chopsticks on a free port, builds the shared fixture state (subnet
2: validator uid 0 with weights on three miners), fetches the V15 metadata,
raw runtime-API results and the blocks' extrinsics, and checks that
build/pylon-decode (metadata says Vec<u8>, so the built-in legacy layouts
are used) agrees field by field with polkadot-js decoding the same inner
bytes with its own type definitions (t/oracle/codec_decode.mjs --legacy),
and that every extrinsic of the chain decodes as polkadot-js decodes it.
"""

import json
import os
import subprocess

import pytest

import chainutil_codec as cu
from chainutil_codec import differences

DECODE = os.path.join(cu.ROOT, "build", "pylon-decode")
ORACLE = os.path.join(cu.ROOT, "t", "oracle", "codec_decode.mjs")

pytestmark = [
    pytest.mark.skipif(cu.chain_unavailable() is not None,
                       reason=str(cu.chain_unavailable())),
    pytest.mark.skipif(not os.access(DECODE, os.X_OK),
                       reason="build/pylon-decode not built (make tools)"),
]

CALLS = {
    "NeuronInfoRuntimeApi_get_neurons_lite:0x0200": "Vec<NeuronInfoLite>",
    "NeuronInfoRuntimeApi_get_neurons_lite:0x0100": "Vec<NeuronInfoLite>",
    "NeuronInfoRuntimeApi_get_neuron:0x02000000": "NeuronInfo",
    "NeuronInfoRuntimeApi_get_neuron:0x02000900": "NeuronInfo",
    "SubnetInfoRuntimeApi_get_subnet_hyperparams:0x0200": "SubnetHyperparams",
    "SubnetInfoRuntimeApi_get_subnet_hyperparams:0x0100": "SubnetHyperparams",
    "SubnetInfoRuntimeApi_get_subnet_hyperparams:0x0900": "SubnetHyperparams",
    "SubnetInfoRuntimeApi_get_subnet_state:0x0200": "Option<SubnetState>",
    "SubnetInfoRuntimeApi_get_subnet_state:0x0900": "Option<SubnetState>",
}


@pytest.fixture(scope="module")
def chain218(tmp_path_factory):
    d = tmp_path_factory.mktemp("chain218")
    chain = cu.start_chain(str(d))
    try:
        setup = json.loads(cu.run_setup(chain, str(d)))
        out = d / "out"
        out.mkdir()
        files = cu.fetch(chain, str(out), list(CALLS), blocks=12)
    finally:
        chain.stop()
    return {"dir": str(out), "files": files, "setup": setup}


def ours(meta, call, path):
    r = subprocess.run([DECODE, meta, call, "@" + path], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def theirs(type_, path):
    r = subprocess.run(["node", ORACLE, "--legacy", type_, path],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_codec_218_metadata_is_v15_with_vec_u8_outputs(chain218):
    meta = os.path.join(chain218["dir"], "metadata.hex")
    with open(os.path.join(chain218["dir"], "runtime.json")) as f:
        assert json.load(f)["specVersion"] == 218
    r = subprocess.run([DECODE, "--info", meta], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["version"] == 15
    assert "SubtensorModule" in info["pallets"]


@pytest.mark.parametrize("call", list(CALLS))
def test_codec_218_runtime_api_matches_polkadot_js(chain218, call):
    meta = os.path.join(chain218["dir"], "metadata.hex")
    path = chain218["files"][call]
    mine = ours(meta, call.split(":")[0], path)
    ref = theirs(CALLS[call], path)
    assert differences(mine, ref) == []


def test_codec_218_neurons_match_the_fixture_state(chain218):
    meta = os.path.join(chain218["dir"], "metadata.hex")
    setup = chain218["setup"]
    call = "NeuronInfoRuntimeApi_get_neurons_lite:0x0200"
    neurons = ours(meta, call.split(":")[0], chain218["files"][call])
    assert [n["uid"] for n in neurons] == [n["uid"] for n in setup["neurons"]]
    assert [n["hotkey"] for n in neurons] == [n["hotkey"] for n in setup["neurons"]]
    assert [n["coldkey"] for n in neurons] == [n["coldkey"] for n in setup["neurons"]]
    assert all(n["netuid"] == setup["netuid"] for n in neurons)

    call = "NeuronInfoRuntimeApi_get_neuron:0x02000000"
    n0 = ours(meta, call.split(":")[0], chain218["files"][call])
    assert n0["weights"] == setup["weights"]

    call = "NeuronInfoRuntimeApi_get_neuron:0x02000900"
    assert ours(meta, call.split(":")[0], chain218["files"][call]) is None

    call = "SubnetInfoRuntimeApi_get_subnet_state:0x0200"
    state = ours(meta, call.split(":")[0], chain218["files"][call])
    assert state["netuid"] == setup["netuid"]
    assert state["hotkeys"] == [n["hotkey"] for n in setup["neurons"]]
    assert state["alpha_stake"][0] == int(setup["validatorAlpha"])
    call = "SubnetInfoRuntimeApi_get_subnet_state:0x0900"
    assert ours(meta, call.split(":")[0], chain218["files"][call]) is None

    call = "SubnetInfoRuntimeApi_get_subnet_hyperparams:0x0200"
    hp = ours(meta, call.split(":")[0], chain218["files"][call])
    assert hp["tempo"] == 10                # set by setup.js
    assert hp["weights_rate_limit"] == 0
    assert hp["max_regs_per_block"] == 255


def _norm(name):
    return name.replace("_", "").lower()


def test_codec_218_block_extrinsics_match_polkadot_js(chain218, tmp_path):
    meta = os.path.join(chain218["dir"], "metadata.hex")
    with open(os.path.join(chain218["dir"], "blocks.json")) as f:
        blocks = json.load(f)
    seen = set()
    count = outcomes = 0
    for block in blocks:
        for i, hexxt in enumerate(block["extrinsics"]):
            path = tmp_path / f"xt-{block['number']}-{i}.hex"
            path.write_text(hexxt)
            r = subprocess.run([DECODE, "--extrinsic", meta, "@" + str(path)],
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            mine = json.loads(r.stdout)
            r = subprocess.run(["node", ORACLE, "--extrinsic", meta, str(path)],
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 0, r.stderr
            ref = json.loads(r.stdout)

            where = f"block {block['number']} extrinsic {i}"
            assert mine["extrinsic_hash"] == ref["extrinsic_hash"], where
            assert mine["address"] == ref["address"], where
            call = mine["call"]
            assert _norm(call["call_module"]) == _norm(ref["call_module"]), where
            assert _norm(call["call_function"]) == _norm(ref["call_function"]), where
            assert [_norm(a["name"]) for a in call["call_args"]] == \
                [_norm(a["name"]) for a in ref["call_args"]], where
            for a, b in zip(call["call_args"], ref["call_args"]):
                # nested calls: polkadot-js shows {callIndex, args}, we show
                # {"Pallet": {"call": args}}; compared only when flat
                if "callIndex" not in json.dumps(b["value"]):
                    assert differences(a["value"], b["value"]) == [], where
            seen.add(call["call_module"] + "." + call["call_function"])
            count += 1
            # every extrinsic of the fixture succeeded (setup.js checks it)
            if block["events"]:
                ev = tmp_path / f"ev-{block['number']}.hex"
                ev.write_text(block["events"])
                r = subprocess.run([DECODE, "--outcome", meta, "@" + str(ev), str(i)],
                                   capture_output=True, text=True, timeout=60)
                assert r.returncode == 0, r.stderr
                outcome = json.loads(r.stdout)
                assert outcome["success"] is True, (where, outcome)
                outcomes += 1
    assert count >= 15
    assert outcomes == count
    assert {"Timestamp.set", "SubtensorModule.set_weights",
            "SubtensorModule.burned_register",
            "Commitments.set_commitment"} <= seen

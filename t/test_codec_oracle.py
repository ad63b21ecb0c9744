"""The C codec against polkadot-js on recorded mainnet data.

Same bytes, same metadata, two decoders: build/pylon-decode and
@polkadot/types (t/oracle/codec_decode.mjs).  Every field must agree
(after the naming/number conventions normalised in chainutil_codec.py).
Data: ../shared/fixtures (finney block 6852690, runtime spec 343, and the
V15 metadata of spec 318).
"""

import json
import os
import shutil
import subprocess

import pytest

from chainutil_codec import differences


ROOT = os.environ.get("PYLON_ROOT",
                      os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("PYLON_SHARED", os.path.join(ROOT, "..", "shared"))
FIX = os.path.join(SHARED, "fixtures")
DECODE = os.path.join(ROOT, "build", "pylon-decode")
ORACLE = os.path.join(ROOT, "t", "oracle", "codec_decode.mjs")
NODE_MODULES = os.path.join(ROOT, "t", "js", "node_modules", "@polkadot", "types")

V15_343 = os.path.join(FIX, "metadata-v15-spec343.txt")
V14_343 = os.path.join(FIX, "metadata-v14-spec343.txt")
V15_318 = os.path.join(FIX, "metadata-v15-spec318.json")
BLOCK = "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"

pytestmark = [
    pytest.mark.skipif(not os.path.isdir(FIX),
                       reason="../shared/fixtures not found (set PYLON_SHARED)"),
    pytest.mark.skipif(shutil.which("node") is None or not os.path.isdir(NODE_MODULES),
                       reason="node or t/js/node_modules (@polkadot/types) missing: make deps"),
    pytest.mark.skipif(not os.access(DECODE, os.X_OK),
                       reason="build/pylon-decode not built (make tools)"),
]


def ours(*args):
    r = subprocess.run([DECODE, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def theirs(*args):
    r = subprocess.run(["node", ORACLE, *args], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """state_call results of scenario "metagraph", written as hex files."""
    with open(os.path.join(FIX, "sdk-websocket-responses.json")) as f:
        calls = json.load(f)["metagraph"]["state_call"]
    d = tmp_path_factory.mktemp("recorded")
    out = {}
    for params, resp in calls.items():
        method, arg, block = json.loads(params)
        assert block == BLOCK
        path = d / (method + ".hex")
        path.write_text(resp["result"])
        out[method] = str(path)
    return out


@pytest.mark.parametrize("call", [
    "NeuronInfoRuntimeApi_get_neurons_lite",
    "SubnetInfoRuntimeApi_get_subnet_state",
    "SubnetInfoRuntimeApi_get_selective_mechagraph",
])
def test_codec_mainnet_runtime_api_matches_polkadot_js(recorded, call):
    mine = ours(V15_343, call, "@" + recorded[call])
    ref = theirs(V15_343, call, recorded[call])
    assert differences(mine, ref) == []


def test_codec_neurons_lite_has_1024_neurons_with_expected_shape(recorded):
    call = "NeuronInfoRuntimeApi_get_neurons_lite"
    neurons = ours(V15_343, call, "@" + recorded[call])
    assert len(neurons) == 1024
    assert [n["uid"] for n in neurons] == list(range(1024))
    assert all(n["netuid"] == 1 for n in neurons)
    # chain.md §4.2: stake has exactly one entry (coldkey, alpha stake)
    assert all(len(n["stake"]) == 1 and n["stake"][0][0] == n["coldkey"]
               for n in neurons)
    assert neurons[0]["hotkey"] == "5DkMmXtWf16RNdusZGCrJ7ca7ADPgRnZLVWCWbgA7s7sy1AQ"
    assert neurons[0]["axon_info"]["port"] == 6028


def test_codec_subnet_state_lines_up_with_neurons(recorded):
    state = ours(V15_343, "SubnetInfoRuntimeApi_get_subnet_state",
                 "@" + recorded["SubnetInfoRuntimeApi_get_subnet_state"])
    neurons = ours(V15_343, "NeuronInfoRuntimeApi_get_neurons_lite",
                   "@" + recorded["NeuronInfoRuntimeApi_get_neurons_lite"])
    assert state["netuid"] == 1
    for key in ("hotkeys", "coldkeys", "alpha_stake", "tao_stake", "total_stake"):
        assert len(state[key]) == 1024, key
    assert state["hotkeys"] == [n["hotkey"] for n in neurons]
    assert state["validator_permit"] == [n["validator_permit"] for n in neurons]


@pytest.mark.parametrize("meta", [V15_343, V14_343, V15_318],
                         ids=["v15-343", "v14-343", "v15-318"])
def test_codec_metadata_summary_matches_polkadot_js(meta):
    mine = ours("--info", meta)
    ref = theirs("--info", meta)
    assert mine == ref


@pytest.mark.parametrize("meta", [V15_343, V14_343, V15_318],
                         ids=["v15-343", "v14-343", "v15-318"])
def test_codec_every_pallet_constant_matches_polkadot_js(meta):
    mine = ours("--constants", meta)
    ref = theirs("--constants", meta)
    assert len(mine) > 100
    assert differences(mine, ref) == []


@pytest.mark.parametrize("scenario,call,type_", [
    ("neurons_lite", "NeuronInfoRuntimeApi_get_neurons_lite", "Vec<NeuronInfoLite>"),
    ("get_subnet_hyperparameters", "SubnetInfoRuntimeApi_get_subnet_hyperparams",
     "SubnetHyperparams"),
], ids=["neurons_lite", "hyperparams"])
def test_codec_spec208_vec_u8_results_match_polkadot_js(tmp_path, scenario, call, type_):
    """Old-runtime (spec 208) recordings: Vec<u8>-wrapped, legacy layouts."""
    with open(os.path.join(FIX, "sdk-websocket-responses.json")) as f:
        calls = json.load(f)[scenario]["state_call"]
    (params, resp), = [(p, r) for p, r in calls.items() if call in p]
    assert json.loads(params)[1] == "0x1700"          # netuid 23
    path = tmp_path / "result.hex"
    path.write_text(resp["result"])
    mine = ours(V15_343, "legacy:" + call, "@" + str(path))
    ref = theirs("--legacy", type_, str(path))
    assert mine is not None and ref is not None
    assert differences(mine, ref) == []
    if isinstance(mine, list):
        assert len(mine) == 19 and all(n["netuid"] == 23 for n in mine)
    else:
        assert mine["tempo"] == 1000

"""Issue 13 follow-up: a historical v2 read decodes with the runtime of its block.

The fetch of a historical v2 route (block/{n}/price, block/{n}/prices) asks the node it reads
from for the runtime of that block (state_getRuntimeVersion with the block hash), has that
spec's metadata fetched at a block of that runtime when the helper's cache lacks it
(Metadata_metadata_at_version), decodes with it and releases it; it does not use the head's
(spec 343) metadata.  Fake node (t/test_v2_data.py's V2Node): the head is spec 343 (recorded
metadata); blocks before SWITCH are another runtime.
"""
import pytest

from harness import wait_for
import test_data_fakenode as fd
import test_v2_data as v2

from test_v2_data import pytestmark  # noqa: F401  (fixtures skip mark)

SWITCH = 800
UOA = v2.UOA


def v14_as_answer():
    """Metadata_metadata_at_version's Option<OpaqueMetadata> around the recorded V14
    metadata: a runtime whose metadata declares no runtime APIs."""
    raw = bytes.fromhex(fd.hexfile(fd.META343.replace("v15", "v14"))[2:])
    return "0x01" + (v2.compact(len(raw)) + raw).hex()


class OldRuntimeNode(v2.V2Node):
    def __init__(self, head, old):
        super().__init__(head)
        self.old = old
        self.versions = []                 # state_getRuntimeVersion's hashes

    def spec_at(self, n):
        return self.old if n < SWITCH else 343

    def answer(self, method, params):
        if method == "state_getRuntimeVersion":
            self.versions.append(params[0] if params else None)
        return super().answer(method, params)

    def metadata_specs(self):
        return [self.spec_at(self.number_of(h)) for m, h in self.state_calls
                if m == "Metadata_metadata_at_version"]


@pytest.fixture
def old_node():
    nodes = []

    def make(head, old):
        n = OldRuntimeNode(head, old)
        n.start()
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.stop()


def start(nginx_factory, node):
    # the archive is the same fake node: blocks past the cutoff (300) are read there
    n = nginx_factory(v2.conf(node, "pylon_archive_network %s;" % node.url))
    assert wait_for(lambda: v2.ok(n, UOA + "/block/latest/price"), 20), n.log()[-3000:]
    return n


def test_v2_historical_price_asks_the_runtime_of_its_block(nginx_factory, old_node):
    node = old_node(1000, 318)
    n = start(nginx_factory, node)
    assert 318 not in node.metadata_specs()            # the head rounds need 343 only

    r = n.request(UOA + "/block/700/price", timeout=30)
    assert r.status == 200, r.body
    assert r.json()["block"] == {"number": 700, "hash": fd.block_hash(700)}
    assert r.json()["price"] == {"value": 12_345_678}  # decoded with 318's registry
    assert fd.block_hash(700) in node.versions         # the runtime of block 700 was asked
    assert node.metadata_specs().count(318) == 1       # and 318's metadata fetched once

    # another block of the same runtime, past the cutoff: the runtime is asked of the
    # archive node, the metadata comes from the cache
    r = n.request("/api/_unstable/openaccess/subnet/2/block/650/price", timeout=30)
    assert r.status == 200 and r.json()["price"] == {"value": 2_500_000}, r.body
    assert fd.block_hash(650) in node.versions
    assert node.metadata_specs().count(318) == 1

    # a block of the head's runtime
    r = n.request(UOA + "/block/900/price", timeout=30)
    assert r.status == 200 and r.json()["price"] == {"value": 12_345_678}, r.body


def test_v2_historical_price_of_a_runtime_without_the_api_is_501(nginx_factory, old_node):
    """Blocks before SWITCH are a runtime (spec 300) whose metadata declares no runtime
    APIs: their price is §3.3's 501 for that block, not a decode with the head's 343."""
    node = old_node(1000, 300)
    node.metas[300] = v14_as_answer()
    n = start(nginx_factory, node)

    r = n.request(UOA + "/block/700/price", timeout=30)
    assert r.status == 501, r.body
    assert r.json()["detail"].startswith(
        "The runtime API required for 'get_alpha_price' is not available at block 700"), r.body
    assert fd.block_hash(700) in node.versions and 300 in node.metadata_specs()

    r = n.request(UOA + "/block/900/price", timeout=30)   # spec 343 declares it
    assert r.status == 200 and r.json()["price"] == {"value": 12_345_678}, r.body


class NoVersionNode(OldRuntimeNode):
    def answer(self, method, params):
        if method == "state_getRuntimeVersion" and params and params[0] == fd.block_hash(720):
            self.versions.append(params[0])
            raise LookupError("no runtime version")
        return super().answer(method, params)


def test_v2_historical_price_without_the_blocks_runtime_is_502(nginx_factory):
    """The node cannot say which runtime block 720 is (asked of the main node, then of the
    archive): 502 naming the call and the node, not a decode with the head's metadata."""
    node = NoVersionNode(1000, 318)
    node.start()
    try:
        n = start(nginx_factory, node)
        r = n.request(UOA + "/block/720/price", timeout=30)
        assert r.status == 502, r.body
        assert r.json()["detail"].startswith(
            "get_runtime_version failed on %s: " % node.url), r.body
        assert node.versions.count(fd.block_hash(720)) == 2     # main, then archive
        r = n.request(UOA + "/block/730/price", timeout=30)     # the next one is fine
        assert r.status == 200 and r.json()["price"] == {"value": 12_345_678}, r.body
    finally:
        node.stop()

"""GET /schema/openapi.json and the /schema pages: a valid OpenAPI document with every route of spec §3."""
import json
import os
import re
import subprocess

import pytest

from harness import ROOT
from pylon import pylon_conf

INT_PARAMS = {"netuid", "block_number", "extrinsic_index", "mechanism_id"}

# spec §3, written out here independently of the module's tables
GLOBAL = [("post", "/login/identity/{identity_name}"),
          ("get", "/block/{block_number}/extrinsic/{extrinsic_index}")]
BOTH = ["/block/{block_number}/neurons", "/block/latest/neurons", "/block/recent/neurons",
        "/block/{block_number}/validators", "/block/latest/validators",
        "/block/latest/certificates", "/block/latest/certificates/{hotkey}",
        "/block/latest/commitments", "/block/latest/commitments/{hotkey}"]
IDENTITY_ONLY = [("get", "/block/latest/certificates/self"),
                 ("get", "/block/latest/commitments/self"),
                 ("put", "/weights"), ("post", "/commitments"), ("post", "/certificates/self")]


def expected_operations():
    ops = {("get", "/api/v1/block/latest"), ("get", "/metrics"),
           ("post", "/api/_unstable/openaccess/evm/contracts/{contract_address}/logs"),
           ("get", "/api/_unstable/openaccess/subnet/{netuid}/block/latest/evm_associations"),
           ("get", "/api/_unstable/identity/{identity_name}/subnet/{netuid}/block/latest/"
                   "evm_associations")}
    for prefix in ("/api/v1", "/api/_unstable"):
        oa = prefix + "/subnet/{netuid}"
        ident = prefix + "/identity/{identity_name}/subnet/{netuid}"
        ops |= {(m, prefix + s) for m, s in GLOBAL}
        ops |= {("get", p + s) for s in BOTH for p in (oa, ident)}
        ops |= {(m, ident + s) for m, s in IDENTITY_ONLY}
        ops.add(("get", prefix + "/identities"))                      # v2 (pylon-v2.md §2.6)
    # Pylon v2's _unstable layout (pylon-v2.md §3.2) next to the old one
    ug = "/api/_unstable/openaccess"
    ops |= {("get", ug + "/block/latest"),
            ("get", ug + "/block/{block_number}/extrinsic/{extrinsic_index}")}
    ops |= {("get", ug + "/subnet/{netuid}" + s) for s in BOTH}
    ops |= V2_OPERATIONS
    return ops


# spec/pylon-v2.md §3.2 (issue 13): the v2 data and write routes, _unstable only
_UG = "/api/_unstable/openaccess"
_V2_BOTH = ["/block/latest/price", "/block/{block_number}/price",
            "/block/latest/commitments/revealed", "/block/latest/commitments/revealed/{hotkey}"]
V2_OPERATIONS = (
    {("get", _UG + s) for s in ("/block/latest/drand/last_stored_round", "/block/latest/prices",
                                "/block/{block_number}/prices")}
    | {("get", p + s) for s in _V2_BOTH
       for p in ("/api/_unstable/subnet/{netuid}", _UG + "/subnet/{netuid}",
                 "/api/_unstable/identity/{identity_name}/subnet/{netuid}")}
    | {(m, "/api/_unstable/identity/{identity_name}/subnet/{netuid}" + s) for m, s in (
        ("get", "/block/latest/commitments/revealed/self"), ("post", "/commitments/revealed"),
        ("put", "/mechanism/{mechanism_id}/weights"),
        ("get", "/mechanism/{mechanism_id}/block/{block_number}/weights/status"))})


NGX_SRC = os.environ.get("NGX_SRC", "/usr/share/nginx/src")
METHODS = {0x2: "GET", 0x4: "HEAD", 0x8: "POST", 0x10: "PUT", 0x20: "DELETE"}


def router_routes():
    """(method, pattern) of every entry in the router's table: its source run through the C
    preprocessor with the module build's include paths (the table is built from macros)."""
    mk = os.path.join(ROOT, "build/nginx/Makefile")
    if not os.path.exists(mk):
        pytest.skip("build/nginx/Makefile is missing: run make module first")
    incs = subprocess.run(["make", "-s", "--no-print-directory", "-f", mk, "-C", NGX_SRC,
                           "--eval",
                           "pylon-incs: ; @echo $(ALL_INCS)", "pylon-incs"],
                          capture_output=True, text=True, check=True).stdout.split()
    out = subprocess.run(["cc", "-E", "-P", *incs,
                          os.path.join(ROOT, "src/http/ngx_pylon_router.c")],
                         cwd=NGX_SRC, capture_output=True, text=True, check=True).stdout
    table = out[out.index("ngx_pylon_routes[] = {"):]
    table = table[:table.index("};")]
    routes = []
    for code, lits in re.findall(r'\{\s*(0x[0-9a-fA-F]+)\s*,\s*((?:"[^"]*"\s*)+),', table):
        routes.append((METHODS[int(code, 16)], "".join(re.findall(r'"([^"]*)"', lits))))
    assert routes, "no routes found in the preprocessed table"
    return routes


def template(pattern):
    """The Pylon path template of a router pattern: a parameter is named by the segment before."""
    names = {"subnet": "netuid", "block": "block_number", "extrinsic": "extrinsic_index",
             "identity": "identity_name", "certificates": "hotkey", "commitments": "hotkey",
             "mechanism": "mechanism_id", "revealed": "hotkey",
             "contracts": "contract_address"}
    segs, out = [s for s in pattern.split("/") if s], []
    for i, s in enumerate(segs):
        if s in ("{int}", "{str}"):
            s = "{%s}" % names[segs[i - 1]]
        out.append(s)
    return "/" + "/".join(out)


def start(nginx_factory):
    return nginx_factory(pylon_conf("ws://127.0.0.1:1"))


def document(n):
    r = n.get("/schema/openapi.json")
    assert r.status == 200
    assert r.header("Content-Type") == "application/vnd.oai.openapi+json"
    return r, json.loads(r.body)


def test_openapi_is_valid_json_with_info(nginx_factory):
    n = start(nginx_factory)
    _, doc = document(n)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Bittensor Pylon API", "version": "0.1.0",
                           "description": "REST API for the bittensor-pylon service"}


def test_openapi_lists_every_route_of_the_spec(nginx_factory):
    n = start(nginx_factory)
    _, doc = document(n)
    got = {(m, p) for p, item in doc["paths"].items() for m in item}
    want = expected_operations()
    assert got == want, {"missing": sorted(want - got), "extra": sorted(got - want)}


def test_openapi_lists_every_route_the_router_serves(nginx_factory):
    n = start(nginx_factory)
    _, doc = document(n)
    routes = router_routes()
    assert ("GET", "metrics") in routes and ("GET", "api/v1/block/latest") in routes
    served = set()
    for method, pattern in routes:
        if pattern.startswith("schema"):
            continue                      # the documentation itself, as Litestar leaves it out
        path = template(pattern)
        assert path in doc["paths"], path
        assert method.lower() in doc["paths"][path], (method, path)
        served.add((method.lower(), path))
    # the router's api routes are a subset of spec §3 (the write routes come with the jobs)
    assert served <= expected_operations(), sorted(served - expected_operations())


def test_openapi_operations_are_well_formed(nginx_factory):
    n = start(nginx_factory)
    _, doc = document(n)
    schemas = doc["components"]["schemas"]
    ids = set()

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.split("/")[-1] in schemas, ref

    for path, item in doc["paths"].items():
        braces = re.findall(r"\{(\w+)\}", path)
        for method, op in item.items():
            assert op["operationId"] not in ids, op["operationId"]
            ids.add(op["operationId"])
            assert op["summary"] and op["tags"]
            params = [p for p in op.get("parameters", []) if p["in"] == "path"]
            assert [p["name"] for p in params] == braces, (path, params)
            for p in params:
                assert p["in"] == "path" and p["required"] is True
                want = "integer" if p["name"] in INT_PARAMS else "string"
                assert p["schema"] == {"type": want}, (path, p)
            ok = [s for s in op["responses"] if s.startswith("2")]
            assert len(ok) == 1, (path, method)
            for status, resp in op["responses"].items():
                assert re.fullmatch(r"[1-5][0-9][0-9]", status) and resp["description"]
            if method in ("put", "post"):
                assert op["requestBody"]["required"] is True
    # spot checks against spec §3 and §4
    p = doc["paths"]
    assert "201" in p["/api/v1/identity/{identity_name}/subnet/{netuid}/commitments"]["post"]["responses"]
    assert "200" in p["/api/v1/identity/{identity_name}/subnet/{netuid}/weights"]["put"]["responses"]
    assert "403" in p["/metrics"]["get"]["responses"]
    neuron = schemas["Neuron"]
    assert len(neuron["required"]) == 17 and set(neuron["required"]) == set(neuron["properties"])
    v1 = p["/api/v1/subnet/{netuid}/block/latest/commitments"]["get"]["responses"]["200"]
    un = p["/api/_unstable/subnet/{netuid}/block/latest/commitments"]["get"]["responses"]["200"]
    assert v1["content"]["application/json"]["schema"]["$ref"].endswith("/SubnetCommitments")
    assert un["content"]["application/json"]["schema"]["$ref"].endswith("/SubnetCommitmentsFull")
    assert "/api/_unstable/block/latest" not in p


def test_openapi_yaml_is_the_same_document(nginx_factory):
    n = start(nginx_factory)
    r, _ = document(n)
    for path in ("/schema/openapi.yaml", "/schema/openapi.yml"):
        y = n.get(path)
        assert y.status == 200 and y.header("Content-Type") == "application/vnd.oai.openapi"
        assert y.body == r.body


def test_schema_pages_are_self_contained_html_with_the_document(nginx_factory):
    n = start(nginx_factory)
    _, doc = document(n)
    for path in ("/schema", "/schema/", "/schema/swagger", "/schema/redoc", "/schema/elements",
                 "/schema/rapidoc"):
        r = n.get(path)
        assert r.status == 200, path
        assert r.header("Content-Type") == "text/html; charset=utf-8"
        html = r.body.decode()
        assert html.startswith("<!DOCTYPE html>")
        assert not re.search(r"<script[^>]+src=", html), "no script from the network"
        assert not re.search(r"<link[^>]+stylesheet", html)
        m = re.search(r'<script id="spec" type="application/json">(.*?)</script>', html, re.S)
        assert m and json.loads(m.group(1)) == doc
        assert "</script" not in m.group(1)


def test_schema_unknown_pages_are_404(nginx_factory):
    n = start(nginx_factory)
    for path in ("/schema/nope", "/schema/openapi.json/x", "/schema/elements/x"):
        r = n.get(path)
        assert r.status == 404 and r.json() == {"status_code": 404, "detail": "Not Found"}, path
    r = n.request("/schema/openapi.json", method="POST", body=b"{}")
    assert r.status == 405

#!/usr/bin/env python3
"""make demo's pretty printer: Pylon's JSON answers shortened for a terminal.

    demo_show.py neurons|validators|commitments|block|weights|metrics < body
"""
import json
import sys


def short(key):
    return key if len(key) <= 14 else key[:6] + "…" + key[-5:]


def main(kind):
    text = sys.stdin.read()
    if kind == "metrics":
        fams = set()
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            fam = line.split("{")[0].split(" ")[0]
            if fam in fams:
                continue
            fams.add(fam)
            print("  " + (line if len(line) < 100 else line[:97] + "..."))
            if len(fams) >= 12:
                break
        print("  ... (%d lines in all)" % len(text.splitlines()))
        return
    try:
        body = json.loads(text)
    except ValueError:
        print("  " + text[:300])
        return
    if not isinstance(body, dict) or kind == "raw":
        print("  " + json.dumps(body)[:300])
        return
    block = body.get("block")
    if isinstance(block, dict):
        print("  block %s %s" % (block.get("number"), short(block.get("hash", ""))))
    if kind in ("neurons", "validators"):
        rows = body.get(kind) or []
        if isinstance(rows, dict):
            rows = list(rows.values())
        rows = sorted(rows, key=lambda n: n.get("uid", 0))
        print("  %-4s %-14s %-14s %12s %8s %7s %s" % ("uid", "hotkey", "coldkey", "stake",
                                                      "trust", "permit", "axon"))
        for n in rows[:16]:
            axon = n.get("axon_info") or {}
            print("  %-4s %-14s %-14s %12.3f %8.4f %7s %s:%s" % (
                n.get("uid"), short(n.get("hotkey", "")), short(n.get("coldkey", "")),
                float((n.get("stakes") or {}).get("total", n.get("stake")) or 0), float(n.get("trust") or 0),
                n.get("validator_permit"), axon.get("ip"), axon.get("port")))
        if len(rows) > 16:
            print("  ... %d more" % (len(rows) - 16))
        print("  (%d %s)" % (len(rows), kind))
    elif kind == "commitments":
        for hk, c in sorted((body.get("commitments") or {}).items()):
            print("  %s  %s" % (short(hk), c if len(str(c)) < 70 else str(c)[:67] + "..."))
    elif kind == "weights":
        for uid, w in body.get("weights") or []:
            print("  uid %-3d  %5d / 65535" % (uid, w))
    else:
        print("  " + json.dumps(body)[:300])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "raw")

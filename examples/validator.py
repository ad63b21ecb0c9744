#!/usr/bin/env python3
"""An example subnet validator talking to ngx_pylon (standard library only).

The loop every subnet validator runs, a storage subnet's for instance:

  - each new block, read the subnet's neurons (one cached GET, answered by
    an nginx worker from memory);
  - each epoch (every --epoch-blocks blocks), score the miners and PUT the
    weights with the validator's identity; ngx_pylon's helper signs them
    with the identity's hotkey and submits them (set_weights, or a CRv4
    timelocked commit where the subnet has commit-reveal on).

    examples/validator.py --url http://127.0.0.1:8000 --identity sn1 \\
        --token-file /etc/nginx/pylon-sn1.token --netuid 1

Replace score() with the subnet's own measurements (answers to challenges,
latency, stored bytes proven...).  Pylon's official client (pylon_client)
does the same calls when installed; this file shows the plain HTTP.
"""
import argparse
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request


class Pylon:
    """Plain HTTP to ngx_pylon; raises RuntimeError with the error envelope."""

    def __init__(self, url, token=None, open_token=None, timeout=30):
        self.url = url.rstrip("/")
        self.token = token
        self.open_token = open_token
        self.timeout = timeout

    def call(self, method, path, body=None, token=None):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s: %d %s" % (method, path, e.code,
                                                e.read().decode(errors="replace")))

    def latest_block(self):
        return self.call("GET", "/api/v1/block/latest", token=self.open_token)["number"]

    def neurons(self, netuid):
        body = self.call("GET", "/api/v1/subnet/%d/block/latest/neurons" % netuid,
                         token=self.open_token)
        neurons = body["neurons"]
        return list(neurons.values()) if isinstance(neurons, dict) else neurons

    def put_weights(self, identity, netuid, weights):
        return self.call("PUT", "/api/v1/identity/%s/subnet/%d/weights" % (identity, netuid),
                         {"weights": weights}, token=self.token)


def score(neuron, epoch):
    """A miner's score in [0, 1] for this epoch.

    This stand-in hashes (hotkey, epoch): a deterministic "challenge result"
    that changes every epoch.  A real validator measures its miners here.
    """
    h = hashlib.sha256(("%s/%d" % (neuron["hotkey"], epoch)).encode()).digest()
    return round(0.1 + 0.9 * h[0] / 255, 3)


def run(args, out=sys.stdout):
    pylon = Pylon(args.url, args.token, args.open_token)
    me = args.hotkey
    seen_block, epochs_done, last_epoch = None, 0, None
    neurons = []
    while args.epochs == 0 or epochs_done < args.epochs:
        try:
            block = pylon.latest_block()
        except (OSError, RuntimeError) as e:
            print("validator: %s" % e, file=out, flush=True)
            time.sleep(args.poll)
            continue
        if block == seen_block:
            time.sleep(args.poll)
            continue
        seen_block = block
        neurons = pylon.neurons(args.netuid)
        print("validator: block %d, %d neurons on subnet %d"
              % (block, len(neurons), args.netuid), file=out, flush=True)
        epoch = block // args.epoch_blocks
        if last_epoch is None:
            last_epoch = epoch
            continue
        if epoch == last_epoch:
            continue
        last_epoch = epoch
        miners = [n for n in neurons if n["hotkey"] != me]
        weights = {n["hotkey"]: score(n, epoch) for n in miners}
        r = pylon.put_weights(args.identity, args.netuid, weights)
        epochs_done += 1
        print("validator: epoch %d: PUT weights %s -> %s"
              % (epoch, ", ".join("uid%d=%.3f" % (n["uid"], weights[n["hotkey"]])
                                  for n in sorted(miners, key=lambda n: n["uid"])),
                 r.get("detail")), file=out, flush=True)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--identity", required=True, help="pylon_identity NAME")
    p.add_argument("--netuid", type=int, required=True)
    p.add_argument("--token", help="the identity's token")
    p.add_argument("--token-file", help="file holding the identity's token")
    p.add_argument("--open-token", help="pylon_open_access_token, when set")
    p.add_argument("--hotkey", help="own hotkey (SS58), not scored")
    p.add_argument("--epoch-blocks", type=int, default=10, help="blocks per epoch")
    p.add_argument("--epochs", type=int, default=0, help="stop after N epochs (0: never)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between block polls")
    args = p.parse_args(argv)
    if args.token_file:
        with open(args.token_file) as f:
            args.token = f.read().strip()
    try:
        return run(args)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

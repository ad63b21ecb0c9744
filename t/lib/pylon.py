"""Common nginx configurations for the tests."""

from harness import wait_for


def pylon_conf(network, extra_http="", location_extra="", cache_extra=" max_size=64m"):
    return f"""
    pylon_cache @PREFIX@/data/cache{cache_extra};
    pylon_network {network};
    {extra_http}
    server {{
        listen 127.0.0.1:@PORT@;
        location / {{ pylon_subnet on; {location_extra} }}
        location = /static.json {{ root @PREFIX@/data; }}
    }}
"""


def latest(n):
    r = n.get("/api/v1/block/latest")
    return r.json() if r.status == 200 else None


def wait_block(n, number, timeout=5.0):
    """Waits until /block/latest reports `number` (or more); returns the body."""
    return wait_for(lambda: (lambda b: b if b and b["number"] >= number else None)(latest(n)),
                    timeout)

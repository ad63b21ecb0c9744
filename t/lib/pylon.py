"""Common nginx configurations for the tests."""

from harness import wait_for


def pylon_conf(network, extra_http="", location_extra="", cache_extra=" max_size=64m"):
    # Pylon v2 sets the main and archive nodes together (pylon-v2.md §8.3):
    # the archive stays the default, named explicitly, unless a test sets it
    archive = "" if "pylon_archive_network" in extra_http else "pylon_archive_network archive;"
    return f"""
    pylon_cache @PREFIX@/data/cache{cache_extra};
    pylon_network {network}; {archive}
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

/*
 * rpc_scan.c: a hex-result JSON-RPC reply found in place (see
 * rpc_scan.h).
 *
 * A strict little scanner: object, three known members at most once each,
 * no escapes anywhere; the hex loop is the only work proportional to the
 * reply and it touches each byte once.
 */

#include <string.h>

#include "chain/hex.h"
#include "chain/rpc_scan.h"


static const char *
pylon_scan_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }

    return p;
}


/* a string without escapes: [*s, *s + *n) inside the quotes */

static const char *
pylon_scan_plain_string(const char *p, const char *end, const char **s,
    size_t *n)
{
    const char  *q;

    if (p == end || *p != '"') {
        return NULL;
    }

    p++;
    q = memchr(p, '"', end - p);
    if (q == NULL || memchr(p, '\\', q - p) != NULL) {
        return NULL;
    }

    *s = p;
    *n = q - p;

    return q + 1;
}


static int
pylon_scan_is_hex(const char *p, size_t n)
{
    if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        n -= 2;
    }

    return pylon_hex_is_digits(p, n);
}


int
pylon_rpc_scan_hex_result(const char *buf, size_t len, uint64_t *id,
    const char **hex, size_t *hexlen)
{
    int          seen_id, seen_result, seen_rpc;
    size_t       klen, vlen, digits;
    uint64_t     v;
    const char  *p, *end, *key, *val;

    p = buf;
    end = buf + len;
    seen_id = seen_result = seen_rpc = 0;

    p = pylon_scan_ws(p, end);
    if (p == end || *p++ != '{') {
        return -1;
    }

    for ( ;; ) {
        p = pylon_scan_ws(p, end);
        p = pylon_scan_plain_string(p, end, &key, &klen);
        if (p == NULL) {
            return -1;
        }

        p = pylon_scan_ws(p, end);
        if (p == end || *p++ != ':') {
            return -1;
        }
        p = pylon_scan_ws(p, end);

        if (klen == 7 && memcmp(key, "jsonrpc", 7) == 0 && !seen_rpc) {
            p = pylon_scan_plain_string(p, end, &val, &vlen);
            if (p == NULL) {
                return -1;
            }
            seen_rpc = 1;

        } else if (klen == 2 && memcmp(key, "id", 2) == 0 && !seen_id) {
            v = 0;
            for (digits = 0; p < end && *p >= '0' && *p <= '9'; p++) {
                if (++digits > 18 || (digits > 1 && v == 0)) {
                    return -1;      /* too long, or a leading zero */
                }
                v = v * 10 + (uint64_t) (*p - '0');
            }
            if (digits == 0) {
                return -1;
            }
            *id = v;
            seen_id = 1;

        } else if (klen == 6 && memcmp(key, "result", 6) == 0
                   && !seen_result)
        {
            p = pylon_scan_plain_string(p, end, &val, &vlen);
            if (p == NULL || !pylon_scan_is_hex(val, vlen)) {
                return -1;
            }
            *hex = val;
            *hexlen = vlen;
            seen_result = 1;

        } else {
            return -1;
        }

        p = pylon_scan_ws(p, end);
        if (p == end) {
            return -1;
        }

        if (*p == ',') {
            p++;
            continue;
        }

        if (*p++ != '}') {
            return -1;
        }

        break;
    }

    if (pylon_scan_ws(p, end) != end || !seen_id || !seen_result) {
        return -1;
    }

    return 0;
}

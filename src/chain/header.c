/*
 * header.c: SCALE encoding and BLAKE2b-256 hash of a JSON block header
 * (see header.h).
 */

#include <stdlib.h>
#include <string.h>

#include "chain/hasher.h"
#include "chain/header.h"
#include "chain/hex.h"


/* a "0x…" string of exactly n bytes appended to out */
static int
pylon_header_bytes(pylon_buf_t *out, const json_t *s, size_t n)
{
    size_t    got;
    uint8_t  *d;

    if (!json_is_string(s) || json_string_length(s) != 2 + 2 * n) {
        return -1;
    }

    d = pylon_buf_reserve(out, n);
    if (d == NULL
        || pylon_hex_decode(d, n, &got, json_string_value(s),
                            json_string_length(s)) != 0
        || got != n)
    {
        return -1;
    }

    out->len += n;

    return 0;
}


/* the block number: "0x…" hex (at most 16 digits) */
static int
pylon_header_number(uint64_t *v, const json_t *s)
{
    char        *end;
    const char  *p;

    if (!json_is_string(s)) {
        return -1;
    }

    p = json_string_value(s);

    if (p[0] != '0' || p[1] != 'x' || p[2] == '\0'
        || json_string_length(s) > 18)
    {
        return -1;
    }

    *v = strtoull(p + 2, &end, 16);

    return *end == '\0' ? 0 : -1;
}


int
pylon_header_encode(pylon_buf_t *out, const json_t *header)
{
    size_t       start, i, n, got;
    uint8_t     *d;
    uint64_t     number;
    json_t      *logs, *log;
    const char  *hex;

    start = out->len;

    logs = json_object_get(json_object_get(header, "digest"), "logs");

    if (!json_is_array(logs)
        || pylon_header_number(&number, json_object_get(header, "number"))
           != 0
        || pylon_header_bytes(out, json_object_get(header, "parentHash"), 32)
           != 0
        || pylon_scale_put_compact(out, number) != 0
        || pylon_header_bytes(out, json_object_get(header, "stateRoot"), 32)
           != 0
        || pylon_header_bytes(out, json_object_get(header, "extrinsicsRoot"),
                              32) != 0
        || pylon_scale_put_compact(out, json_array_size(logs)) != 0)
    {
        goto failed;
    }

    json_array_foreach(logs, i, log) {
        if (!json_is_string(log) || json_string_length(log) < 2
            || json_string_length(log) % 2 != 0)
        {
            goto failed;
        }

        hex = json_string_value(log);
        n = (json_string_length(log) - 2) / 2;

        d = pylon_buf_reserve(out, n + 1);
        if (d == NULL
            || pylon_hex_decode(d, n, &got, hex, json_string_length(log))
               != 0
            || got != n)
        {
            goto failed;
        }

        out->len += n;
    }

    return 0;

failed:

    out->len = start;

    return -1;
}


int
pylon_header_hash(char out[67], const json_t *header)
{
    int          rc;
    uint8_t      h[PYLON_BLAKE2_256_BYTES];
    pylon_buf_t  b;

    pylon_buf_init(&b);

    rc = pylon_header_encode(&b, header);
    if (rc == 0) {
        pylon_blake2_256(h, b.data, b.len);
        rc = pylon_hex_encode(out, 67, h, sizeof(h)) < 0 ? -1 : 0;
    }

    pylon_buf_free(&b);

    return rc;
}

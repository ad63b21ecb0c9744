/*
 * ngx_pylon_subnets.c: `pylon_netuids all` (see ngx_pylon_subnets.h).
 *
 * One read at a time: a head that comes while a read is out waits for the
 * next turn.  The helper has one refresher, so the little state lives
 * here.  NetworksAdded is a map with the Identity hasher: each key is
 * twox128("SubtensorModule") ++ twox128("NetworksAdded") ++ netuid (u16
 * LE), 68 hex digits after the 0x.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_subnets.h"
#include "chain/hasher.h"


#define NGX_PYLON_SUBNETS_PAGE  1000


static struct {
    ngx_uint_t   reading;
    uint64_t     next;                  /* first block of the next read */
    char         prefix[2 + 64 + 1];    /* 0x + hex of the two twox128 */
} ngx_pylon_subnets;


static void ngx_pylon_subnets_reply(void *data, json_t *result,
    const char *error);


static void
ngx_pylon_subnets_prefix(void)
{
    u_char      *p;
    uint8_t      key[32];
    ngx_uint_t   i;

    static const char  hex[] = "0123456789abcdef";

    pylon_twox128(key, "SubtensorModule", sizeof("SubtensorModule") - 1);
    pylon_twox128(key + 16, "NetworksAdded", sizeof("NetworksAdded") - 1);

    p = (u_char *) ngx_pylon_subnets.prefix;
    *p++ = '0';
    *p++ = 'x';

    for (i = 0; i < 32; i++) {
        *p++ = hex[key[i] >> 4];
        *p++ = hex[key[i] & 0xf];
    }

    *p = '\0';
}


void
ngx_pylon_subnets_head(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash)
{
    if (ngx_pylon_subnets.reading || number < ngx_pylon_subnets.next) {
        return;
    }

    if (ngx_pylon_subnets.prefix[0] == '\0') {
        ngx_pylon_subnets_prefix();
    }

    if (ngx_pylon_session_call(s, "state_getKeysPaged",
                               json_pack("[sins]", ngx_pylon_subnets.prefix,
                                         NGX_PYLON_SUBNETS_PAGE, hash),
                               ngx_pylon_subnets_reply, r)
        != NGX_OK)
    {
        return;
    }

    ngx_pylon_subnets.reading = 1;
    ngx_pylon_subnets.next = number + NGX_PYLON_SUBNETS_EVERY;
}


static void
ngx_pylon_subnets_reply(void *data, json_t *result, const char *error)
{
    ngx_pylon_refresh_t *r = data;

    ngx_int_t  n, netuids[NGX_PYLON_TRACK_MAX];

    ngx_pylon_subnets.reading = 0;

    n = result ? ngx_pylon_subnets_parse(result, netuids,
                                         NGX_PYLON_TRACK_MAX)
               : -1;

    if (n < 0) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "pylon helper: subnet list not read: %s",
                      error ? error : "malformed answer");
        ngx_pylon_subnets.next = 0;           /* again at the next head */
        return;
    }

    ngx_pylon_refresh_sync_all(r, netuids, (ngx_uint_t) n);
}


ngx_int_t
ngx_pylon_subnets_parse(json_t *keys, ngx_int_t *netuids, ngx_uint_t max)
{
    size_t        i, len;
    ngx_int_t     lo, hi;
    ngx_uint_t    n;
    const char   *k;

    if (!json_is_array(keys)) {
        return -1;
    }

    n = 0;

    for (i = 0; i < json_array_size(keys) && n < max; i++) {
        k = json_string_value(json_array_get(keys, i));
        len = k ? ngx_strlen(k) : 0;

        if (len != 2 + 64 + 4) {
            return -1;
        }

        lo = ngx_hextoi((u_char *) k + 66, 2);
        hi = ngx_hextoi((u_char *) k + 68, 2);

        if (lo == NGX_ERROR || hi == NGX_ERROR) {
            return -1;
        }

        netuids[n++] = lo | hi << 8;
    }

    return (ngx_int_t) n;
}

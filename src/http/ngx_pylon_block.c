/*
 * ngx_pylon_block.c: chain-wide block routes.
 *
 *   GET /api/v1/block/latest  -> BlockInfo {"number", "hash", "timestamp"}
 *
 * The helper writes the body for every new best head; the worker sends it.
 */

#include "http/ngx_pylon_http.h"


ngx_int_t
ngx_pylon_block_latest(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char  key[PYLON_KEY_MAX];

    if (pylon_key_latest(key, sizeof(key), PYLON_ROUTE_BLOCK,
                         PYLON_NETUID_NONE) == 0)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_cached(r, key);
}


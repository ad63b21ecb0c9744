/*
 * ngx_pylon_refresh_tracked.c: the set of tracked subnets (see
 * ngx_pylon_refresh_int.h): tracking, expiry, dropping a subnet's cached
 * keys, and the refresh state record in the cache.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static const char  *ngx_pylon_routes[] = {
    PYLON_ROUTE_NEURONS, PYLON_ROUTE_VALIDATORS, PYLON_ROUTE_COMMITMENTS,
    PYLON_ROUTE_COMMITS_FULL, PYLON_ROUTE_CERTIFICATES, PYLON_ROUTE_HYPERPARAMS,
    PYLON_ROUTE_PRICE, PYLON_ROUTE_REVEALED,
    NULL
};


/*
 * The time an auto-tracked subnet stays after its last use:
 * NGX_PYLON_AUTO_TTL, or for tests PYLON_AUTO_TTL_MS from the helper's
 * environment (nginx's `env` directive).
 */

uint64_t
ngx_pylon_refresh_auto_ttl(void)
{
    char        *e;
    ngx_int_t    n;

    static uint64_t  ttl;

    if (ttl == 0) {
        e = getenv("PYLON_AUTO_TTL_MS");
        n = e ? ngx_atoi((u_char *) e, ngx_strlen(e)) : NGX_ERROR;
        ttl = n > 0 ? (uint64_t) n : NGX_PYLON_AUTO_TTL;
    }

    return ttl;
}


ngx_uint_t
ngx_pylon_refresh_use(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    ngx_uint_t  i;

    for (i = 0; i < r->ntracked; i++) {
        if (r->tracked[i].netuid != netuid) {
            continue;
        }

        if (r->tracked[i].expires_ms) {
            r->tracked[i].expires_ms = ngx_pylon_helper_now_ms()
                                       + ngx_pylon_refresh_auto_ttl();
        }

        return 1;
    }

    return 0;
}


ngx_int_t
ngx_pylon_refresh_track(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    uint64_t     now;
    ngx_int_t    drop;
    ngx_uint_t   i, nauto, oldest;

    nauto = 0;

    if (ngx_pylon_refresh_use(r, netuid)) {
        return NGX_OK;
    }

    for (i = 0; i < r->ntracked; i++) {
        if (r->tracked[i].expires_ms) {
            nauto++;
        }
    }

    ngx_pylon_refresh_expire(r);

    if (nauto >= NGX_PYLON_AUTO_MAX) {

        /* full: the oldest auto-tracked subnet makes room */

        oldest = NGX_PYLON_TRACK_MAX;

        for (i = 0; i < r->ntracked; i++) {
            if (r->tracked[i].expires_ms
                && (oldest == NGX_PYLON_TRACK_MAX
                    || r->tracked[i].expires_ms
                       < r->tracked[oldest].expires_ms))
            {
                oldest = i;
            }
        }

        if (oldest != NGX_PYLON_TRACK_MAX) {
            drop = r->tracked[oldest].netuid;
            r->tracked[oldest] = r->tracked[--r->ntracked];
            ngx_pylon_refresh_drop(r, drop);
        }
    }

    if (r->ntracked == NGX_PYLON_TRACK_MAX) {
        return NGX_DECLINED;
    }

    now = ngx_pylon_helper_now_ms();

    ngx_memzero(&r->tracked[r->ntracked], sizeof(ngx_pylon_tracked_t));
    r->tracked[r->ntracked].netuid = netuid;
    r->tracked[r->ntracked].expires_ms = now + ngx_pylon_refresh_auto_ttl();
    r->ntracked++;

    ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                  "pylon helper: tracking subnet %i on demand", netuid);

    return NGX_OK;
}


ngx_uint_t
ngx_pylon_refresh_tracked(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    ngx_uint_t  i;

    for (i = 0; i < r->ntracked; i++) {
        if (r->tracked[i].netuid == netuid) {
            return 1;
        }
    }

    return 0;
}


/* drop auto-tracked subnets past their time, with their latest records */

void
ngx_pylon_refresh_expire(ngx_pylon_refresh_t *r)
{
    uint64_t    now;
    ngx_int_t   netuid;
    ngx_uint_t  i;

    now = ngx_pylon_helper_now_ms();

    for (i = 0; i < r->ntracked; /* void */) {
        if (r->tracked[i].expires_ms == 0 || r->tracked[i].expires_ms > now)
        {
            i++;
            continue;
        }

        netuid = r->tracked[i].netuid;
        r->tracked[i] = r->tracked[--r->ntracked];

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: subnet %i no longer tracked", netuid);

        ngx_pylon_refresh_drop(r, netuid);
    }
}


void
ngx_pylon_refresh_drop(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    size_t                j;
    ngx_uint_t            i;
    pylon_store_t        *st;
    pylon_keylist_t   l;
    char                  key[PYLON_KEY_MAX];

    st = r->helper->store;
    ngx_memzero(&l, sizeof(l));

    for (i = 0; ngx_pylon_routes[i]; i++) {
        pylon_key_latest(key, sizeof(key), ngx_pylon_routes[i], (int) netuid);
        (void) pylon_keylist_add(&l, key, ngx_strlen(key), NULL, 0);
    }

    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_COMMITMENT,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_CERTIFICATE,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_COMMIT_FULL,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_REVEALED_ONE,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);

    if (pylon_store_write_begin(st) == 0) {
        for (j = 0; j < l.n; j++) {
            (void) pylon_store_del(st, l.keys[j]);
        }
        if (pylon_store_write_commit(st) != 0) {
            ngx_log_error(NGX_LOG_ERR, r->helper->log, 0,
                          "pylon helper: cache write failed: %s",
                          pylon_store_error(st));
        }
    }

    pylon_keylist_free(&l);
}


/* S/refresh: tracked subnets and their last refresh, for /metrics */

ngx_int_t
ngx_pylon_refresh_put_state(ngx_pylon_refresh_t *r)
{
    int         rc;
    u_char     *body, *p, *end;
    size_t      size;
    ngx_uint_t  i;

    /* ngx_alloc'ed, freed here: room for every tracked subnet */

    size = 256 + r->ntracked * 192;

    body = ngx_alloc(size, r->helper->log);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = body;
    end = body + size;

    p = ngx_slprintf(p, end, "{\"rounds\":%ui,\"failures\":%ui,"
                     "\"calls\":%ui,\"skipped\":%ui,\"subnets\":[",
                     r->rounds, r->failures, r->calls, r->skipped);

    for (i = 0; i < r->ntracked; i++) {
        p = ngx_slprintf(p, end, "%s{\"netuid\":%i,\"auto\":%s,"
                         "\"block\":%uL,\"written_ms\":%uL,"
                         "\"duration_ms\":%M,\"stale\":%s}",
                         i ? "," : "", r->tracked[i].netuid,
                         r->tracked[i].expires_ms ? "true" : "false",
                         r->tracked[i].block, r->tracked[i].written_ms,
                         r->tracked[i].duration,
                         r->tracked[i].stale ? "true" : "false");
    }

    p = ngx_slprintf(p, end, "]}");

    rc = pylon_store_put(r->helper->store, "S/refresh", r->written, 0, body,
                         p - body);
    ngx_free(body);

    if (rc != 0)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}

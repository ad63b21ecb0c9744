/*
 * ngx_pylon_history.c: least recently fetched historical groups go first
 * (see ngx_pylon_history.h); the index itself is store/history.c.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_history.h"
#include "store/history.h"


static void ngx_pylon_history_evict(ngx_pylon_helper_t *h);
static void ngx_pylon_history_drop_from(ngx_pylon_helper_t *h,
    uint64_t from, const char *why);


static pylon_history_t  *ngx_pylon_history;


ngx_int_t
ngx_pylon_history_init(ngx_pylon_helper_t *h)
{
    ngx_pylon_history = pylon_history_create(h->store);
    if (ngx_pylon_history == NULL) {
        return NGX_ERROR;
    }

    if (pylon_history_load(ngx_pylon_history) != 0) {
        ngx_log_error(NGX_LOG_WARN, h->log, 0,
                      "pylon helper: cannot scan the cache's history: %s",
                      pylon_store_error(h->store));
    }

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pylon helper: %uz historical groups, %uz bytes cached",
                  pylon_history_groups(ngx_pylon_history),
                  pylon_history_bytes(ngx_pylon_history));

    ngx_pylon_history_evict(h);

    return NGX_OK;
}


void
ngx_pylon_history_done(void)
{
    pylon_history_free(ngx_pylon_history);
    ngx_pylon_history = NULL;
}


size_t
ngx_pylon_history_bytes(void)
{
    return ngx_pylon_history ? pylon_history_bytes(ngx_pylon_history) : 0;
}


ngx_uint_t
ngx_pylon_history_evicted(void)
{
    return ngx_pylon_history ? pylon_history_evicted(ngx_pylon_history) : 0;
}


void
ngx_pylon_history_touch(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block)
{
    if (ngx_pylon_history == NULL) {
        return;
    }

    if (pylon_history_touch(ngx_pylon_history, (int) netuid, block) != 0) {
        ngx_log_error(NGX_LOG_WARN, h->log, 0,
                      "pylon helper: block %uL of subnet %i not measured: %s",
                      block, netuid, pylon_store_error(h->store));
    }

    ngx_pylon_history_evict(h);
}


void
ngx_pylon_history_reorg(ngx_pylon_helper_t *h, uint64_t from)
{
    ngx_pylon_history_drop_from(h, from, "reorg");
}


void
ngx_pylon_history_unfollowed(ngx_pylon_helper_t *h, uint64_t from)
{
    ngx_pylon_history_drop_from(h, from, "read before this helper followed "
                                "the chain");
}


static void
ngx_pylon_history_drop_from(ngx_pylon_helper_t *h, uint64_t from,
    const char *why)
{
    long  n;

    if (ngx_pylon_history == NULL) {
        return;
    }

    n = pylon_history_drop_from(ngx_pylon_history, from);

    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: historical blocks from %uL not dropped: "
                      "%s", from, pylon_store_error(h->store));

    } else if (n > 0) {
        ngx_log_error(NGX_LOG_NOTICE, h->log, 0,
                      "pylon helper: %s: %l historical groups from block "
                      "%uL dropped", why, n, from);
    }
}


void
ngx_pylon_history_drop(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block)
{
    if (ngx_pylon_history
        && pylon_history_drop(ngx_pylon_history, (int) netuid, block) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: block %uL of subnet %i not dropped: %s",
                      block, netuid, pylon_store_error(h->store));
    }
}


/* over half the map: delete the least recent groups down to 3/8 */

static void
ngx_pylon_history_evict(ngx_pylon_helper_t *h)
{
    long  n;

    n = pylon_history_evict(ngx_pylon_history, h->pmcf->cache_max_size / 2,
                            h->pmcf->cache_max_size / 8 * 3);

    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: eviction failed: %s",
                      pylon_store_error(h->store));

    } else if (n > 0) {
        ngx_log_error(NGX_LOG_INFO, h->log, 0,
                      "pylon helper: evicted %l historical groups, %uz bytes "
                      "left", n, pylon_history_bytes(ngx_pylon_history));
    }
}

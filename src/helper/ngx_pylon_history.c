/*
 * ngx_pylon_history.c: least recently fetched historical groups go first
 * (see ngx_pylon_history.h).
 *
 * A group is every key B/<route>/<netuid>/<block10>[/<item>] of one
 * (netuid, block), with netuid "-" for extrinsics.  Groups live in an
 * array kept in use order (index 0 = least recent); sizes are measured by
 * scanning the group's keys in the cache, so the writers need not report
 * them.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_history.h"


#define NGX_PYLON_HISTORY_MAX   4096


typedef struct {
    ngx_int_t       netuid;          /* -1: extrinsics */
    uint64_t        block;
    size_t          bytes;
} ngx_pylon_group_t;


typedef struct {
    ngx_int_t       netuid;
    uint64_t        block;
    size_t          bytes;
    ngx_uint_t      found;
} ngx_pylon_group_scan_t;


typedef struct {
    char          **keys;
    size_t          n;
    size_t          cap;
    size_t          bytes;
} ngx_pylon_group_keys_t;


static int ngx_pylon_history_scan_all(void *data, const char *key,
    size_t klen, const void *val, size_t vlen);
static int ngx_pylon_history_scan_group(void *data, const char *key,
    size_t klen, const void *val, size_t vlen);
static ngx_int_t ngx_pylon_history_keys(ngx_pylon_helper_t *h,
    ngx_int_t netuid, uint64_t block, ngx_pylon_group_keys_t *gk);
static void ngx_pylon_history_add(ngx_int_t netuid, uint64_t block,
    size_t bytes);
static void ngx_pylon_history_evict(ngx_pylon_helper_t *h);
static ngx_int_t ngx_pylon_history_parse(const char *key, size_t klen,
    ngx_int_t *netuid, uint64_t *block);


static const char  *ngx_pylon_history_routes[] = {
    PYLON_ROUTE_NEURONS, PYLON_ROUTE_VALIDATORS, PYLON_ROUTE_COMMITMENTS,
    PYLON_ROUTE_COMMITS_FULL, PYLON_ROUTE_CERTIFICATES,
    PYLON_ROUTE_COMMITMENT, PYLON_ROUTE_CERTIFICATE, PYLON_ROUTE_HYPERPARAMS,
    PYLON_ROUTE_COMMIT_FULL, NULL
};


static ngx_pylon_group_t  *ngx_pylon_groups;
static ngx_uint_t          ngx_pylon_ngroups;
static size_t              ngx_pylon_history_total;
static ngx_uint_t          ngx_pylon_history_nevicted;


ngx_int_t
ngx_pylon_history_init(ngx_pylon_helper_t *h)
{
    ngx_pylon_groups = ngx_calloc(NGX_PYLON_HISTORY_MAX
                                  * sizeof(ngx_pylon_group_t), h->log);
    if (ngx_pylon_groups == NULL) {
        return NGX_ERROR;
    }

    if (pylon_store_scan(h->store, "B/", ngx_pylon_history_scan_all, NULL)
        < 0)
    {
        ngx_log_error(NGX_LOG_WARN, h->log, 0,
                      "pylon helper: cannot scan the cache's history: %s",
                      pylon_store_error(h->store));
    }

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pylon helper: %ui historical groups, %uz bytes cached",
                  ngx_pylon_ngroups, ngx_pylon_history_total);

    ngx_pylon_history_evict(h);

    return NGX_OK;
}


void
ngx_pylon_history_done(void)
{
    ngx_free(ngx_pylon_groups);
    ngx_pylon_groups = NULL;
    ngx_pylon_ngroups = 0;
    ngx_pylon_history_total = 0;
}


size_t
ngx_pylon_history_bytes(void)
{
    return ngx_pylon_history_total;
}


ngx_uint_t
ngx_pylon_history_evicted(void)
{
    return ngx_pylon_history_nevicted;
}


void
ngx_pylon_history_touch(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block)
{
    size_t                  j;
    ngx_uint_t              i;
    ngx_pylon_group_t       g;
    ngx_pylon_group_keys_t  gk;

    if (ngx_pylon_groups == NULL) {
        return;
    }

    /* already known: move it to the most recent end */

    for (i = 0; i < ngx_pylon_ngroups; i++) {
        if (ngx_pylon_groups[i].netuid == netuid
            && ngx_pylon_groups[i].block == block)
        {
            g = ngx_pylon_groups[i];
            ngx_memmove(&ngx_pylon_groups[i], &ngx_pylon_groups[i + 1],
                        (ngx_pylon_ngroups - i - 1)
                        * sizeof(ngx_pylon_group_t));
            ngx_pylon_groups[ngx_pylon_ngroups - 1] = g;
            ngx_pylon_history_total -= g.bytes;
            ngx_pylon_ngroups--;
            break;
        }
    }

    ngx_memzero(&gk, sizeof(gk));

    if (ngx_pylon_history_keys(h, netuid, block, &gk) == NGX_OK) {
        ngx_pylon_history_add(netuid, block, gk.bytes);
    }

    for (j = 0; j < gk.n; j++) {
        ngx_free(gk.keys[j]);
    }
    ngx_free(gk.keys);

    ngx_pylon_history_evict(h);
}


static void
ngx_pylon_history_add(ngx_int_t netuid, uint64_t block, size_t bytes)
{
    ngx_uint_t  i;

    if (ngx_pylon_ngroups == NGX_PYLON_HISTORY_MAX) {
        /* forget (not delete) the oldest: the budget check still holds */
        ngx_pylon_history_total -= ngx_pylon_groups[0].bytes;
        ngx_memmove(&ngx_pylon_groups[0], &ngx_pylon_groups[1],
                    (NGX_PYLON_HISTORY_MAX - 1) * sizeof(ngx_pylon_group_t));
        ngx_pylon_ngroups--;
    }

    i = ngx_pylon_ngroups++;
    ngx_pylon_groups[i].netuid = netuid;
    ngx_pylon_groups[i].block = block;
    ngx_pylon_groups[i].bytes = bytes;
    ngx_pylon_history_total += bytes;
}


/* over half the map: delete the least recent groups down to 3/8 */

static void
ngx_pylon_history_evict(ngx_pylon_helper_t *h)
{
    size_t                  j, high, low;
    pylon_store_t          *st;
    ngx_pylon_group_t       g;
    ngx_pylon_group_keys_t  gk;

    high = h->pmcf->cache_max_size / 2;
    low = h->pmcf->cache_max_size / 8 * 3;

    if (ngx_pylon_history_total <= high) {
        return;
    }

    st = h->store;

    while (ngx_pylon_ngroups > 0 && ngx_pylon_history_total > low) {
        g = ngx_pylon_groups[0];

        ngx_memmove(&ngx_pylon_groups[0], &ngx_pylon_groups[1],
                    (ngx_pylon_ngroups - 1) * sizeof(ngx_pylon_group_t));
        ngx_pylon_ngroups--;
        ngx_pylon_history_total -= g.bytes;
        ngx_pylon_history_nevicted++;

        ngx_memzero(&gk, sizeof(gk));

        if (ngx_pylon_history_keys(h, g.netuid, g.block, &gk) == NGX_OK
            && pylon_store_write_begin(st) == 0)
        {
            for (j = 0; j < gk.n; j++) {
                (void) pylon_store_del(st, gk.keys[j]);
            }

            if (pylon_store_write_commit(st) != 0) {
                ngx_log_error(NGX_LOG_ERR, h->log, 0,
                              "pylon helper: eviction failed: %s",
                              pylon_store_error(st));
            }
        }

        ngx_log_error(NGX_LOG_INFO, h->log, 0,
                      "pylon helper: evicted block %uL of subnet %i "
                      "(%uz keys, %uz bytes)", g.block, g.netuid, gk.n,
                      g.bytes);

        for (j = 0; j < gk.n; j++) {
            ngx_free(gk.keys[j]);
        }
        ngx_free(gk.keys);
    }
}


/* every key of a group, with the bytes they hold */

static ngx_int_t
ngx_pylon_history_keys(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block, ngx_pylon_group_keys_t *gk)
{
    ngx_uint_t  i;
    char        prefix[PYLON_KEY_MAX];

    if (netuid < 0) {
        if (pylon_key_at_block_item(prefix, sizeof(prefix),
                                    PYLON_ROUTE_EXTRINSIC, PYLON_NETUID_NONE,
                                    block, "") == 0
            || pylon_store_scan(h->store, prefix,
                                ngx_pylon_history_scan_group, gk) < 0)
        {
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    for (i = 0; ngx_pylon_history_routes[i]; i++) {
        if (pylon_key_at_block(prefix, sizeof(prefix),
                               ngx_pylon_history_routes[i], (int) netuid,
                               block) == 0
            || pylon_store_scan(h->store, prefix,
                                ngx_pylon_history_scan_group, gk) < 0)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static int
ngx_pylon_history_scan_group(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    ngx_pylon_group_keys_t  *gk = data;

    char  **keys, *k;

    if (gk->n == gk->cap) {
        gk->cap = gk->cap ? 2 * gk->cap : 16;
        keys = realloc(gk->keys, gk->cap * sizeof(char *));
        if (keys == NULL) {
            return 1;
        }
        gk->keys = keys;
    }

    k = malloc(klen + 1);
    if (k == NULL) {
        return 1;
    }

    ngx_memcpy(k, key, klen);
    k[klen] = '\0';
    gk->keys[gk->n++] = k;
    gk->bytes += klen + vlen;

    return 0;
}


/* at start: every B/ key, grouped (keys of a group are adjacent per route) */

static int
ngx_pylon_history_scan_all(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    ngx_int_t   netuid;
    ngx_uint_t  i;
    uint64_t    block;

    if (ngx_pylon_history_parse(key, klen, &netuid, &block) != NGX_OK) {
        return 0;
    }

    for (i = ngx_pylon_ngroups; i > 0; i--) {
        if (ngx_pylon_groups[i - 1].netuid == netuid
            && ngx_pylon_groups[i - 1].block == block)
        {
            ngx_pylon_groups[i - 1].bytes += klen + vlen;
            ngx_pylon_history_total += klen + vlen;
            return 0;
        }
    }

    ngx_pylon_history_add(netuid, block, klen + vlen);

    return 0;
}


/* "B/<route>/<netuid|->/<block10>[/item]" */

static ngx_int_t
ngx_pylon_history_parse(const char *key, size_t klen, ngx_int_t *netuid,
    uint64_t *block)
{
    const char  *p, *end, *s;

    end = key + klen;

    /* skip "B/<route>/" */

    s = (char *) ngx_strlchr((u_char *) key + 2, (u_char *) end, '/');
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = s + 1;
    s = (char *) ngx_strlchr((u_char *) p, (u_char *) end, '/');
    if (s == NULL) {
        return NGX_ERROR;
    }

    if (s - p == 1 && *p == '-') {
        *netuid = -1;

    } else {
        *netuid = ngx_atoi((u_char *) p, s - p);
        if (*netuid == NGX_ERROR) {
            return NGX_ERROR;
        }
    }

    p = s + 1;

    if (end - p < 10) {
        return NGX_ERROR;
    }

    *block = 0;

    for (s = p; s < p + 10; s++) {
        if (*s < '0' || *s > '9') {
            return NGX_ERROR;
        }
        *block = *block * 10 + (uint64_t) (*s - '0');
    }

    return NGX_OK;
}

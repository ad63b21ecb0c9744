/*
 * ngx_pylon_refresh_v2.c: drand round, alpha prices and revealed
 * commitments into the cache (see ngx_pylon_refresh_v2.h).
 *
 *   round:  state_getStorage(Drand.LastStoredRound, hash)
 *           state_call SwapRuntimeApi_current_alpha_price_all
 *           per subnet: state_call SwapRuntimeApi_current_alpha_price,
 *               state_getKeysPaged(RevealedCommitments prefix) ->
 *               state_queryStorageAt -> next page
 *   when nothing is pending: render and write in one transaction.
 *
 * Buffers: a round and everything it read are ngx_alloc()ed here and
 * freed by ngx_pylon_v2_free() after the done callback.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_refresh_v2.h"
#include "helper/ngx_pylon_stats.h"
#include "bittensor/revealed.h"
#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/ss58.h"
#include "chain/storage.h"


#define NGX_PYLON_V2_PAGE      1000
#define NGX_PYLON_V2_SUBS      NGX_PYLON_TRACK_MAX
#define NGX_PYLON_SS58_PREFIX  42
#define NGX_PYLON_V2_VALUES    0x100        /* a page's values (internal) */


typedef struct ngx_pylon_v2_s  ngx_pylon_v2_t;

typedef struct {
    ngx_pylon_v2_t         *rd;
    ngx_int_t               netuid;
    u_char                 *price;
    size_t                  price_len;
    ngx_uint_t              price_ok;
    char                    prefix[72];
    pylon_subnet_kv_t      *kv;
    size_t                  n;
    size_t                  cap;
    ngx_uint_t              revealed_ok;
    ngx_uint_t              revealed_failed;
} ngx_pylon_v2_sub_t;


struct ngx_pylon_v2_s {
    ngx_pylon_refresh_t    *refresh;
    ngx_pylon_helper_t     *h;
    ngx_pylon_session_t    *session;
    const char             *uri;
    uint64_t                number;
    char                    hash[67];
    ngx_uint_t              latest;
    ngx_uint_t              what;
    ngx_pylon_v2_sub_t      subs[NGX_PYLON_V2_SUBS];
    ngx_uint_t              nsubs;
    ngx_uint_t              pending;
    u_char                 *drand;
    size_t                  drand_len;
    ngx_uint_t              drand_ok;
    u_char                 *prices;
    size_t                  prices_len;
    ngx_uint_t              prices_ok;
    ngx_uint_t              status;          /* first failure, 0: none */
    ngx_uint_t              unknown;
    char                    detail[512];
    ngx_pylon_v2_done_pt    done;
    void                   *data;
};


typedef struct {
    ngx_pylon_v2_t         *rd;
    ngx_pylon_v2_sub_t     *sub;
    const char             *op;
    ngx_uint_t              part;
    double                  started;
} ngx_pylon_v2_call_t;


static void ngx_pylon_v2_start(ngx_pylon_v2_t *rd, const pylon_meta_t *m);
static ngx_int_t ngx_pylon_v2_call(ngx_pylon_v2_t *rd,
    ngx_pylon_v2_sub_t *sub, const char *op, ngx_uint_t part,
    const char *method, json_t *params);
static void ngx_pylon_v2_reply(void *data, json_t *result,
    const char *error);
static void ngx_pylon_v2_fail(ngx_pylon_v2_t *rd, ngx_uint_t status,
    const char *op, const char *error);
static void ngx_pylon_v2_missing(ngx_pylon_v2_t *rd, const char *op);
static void ngx_pylon_v2_step(ngx_pylon_v2_t *rd);
static void ngx_pylon_v2_page(ngx_pylon_v2_sub_t *sub, const char *start);
static void ngx_pylon_v2_keys(ngx_pylon_v2_call_t *c, json_t *result);
static void ngx_pylon_v2_values(ngx_pylon_v2_call_t *c, json_t *result);
static ngx_int_t ngx_pylon_v2_write(ngx_pylon_v2_t *rd);
static ngx_int_t ngx_pylon_v2_put(ngx_pylon_v2_t *rd, const char *route,
    ngx_int_t netuid, const char *item, json_t *body);
static ngx_int_t ngx_pylon_v2_render_prices(ngx_pylon_v2_t *rd,
    const pylon_meta_t *m, json_t *block);
static ngx_int_t ngx_pylon_v2_render_revealed(ngx_pylon_v2_t *rd,
    ngx_pylon_v2_sub_t *sub, const pylon_meta_t *m, json_t *block);
static void ngx_pylon_v2_free(ngx_pylon_v2_t *rd);


static uint64_t     ngx_pylon_v2_written;
static uint64_t     ngx_pylon_v2_started;


ngx_uint_t
ngx_pylon_refresh_v2_part(const char *route)
{
    if (ngx_strcmp(route, PYLON_ROUTE_DRAND) == 0) {
        return NGX_PYLON_V2_DRAND;
    }

    if (ngx_strcmp(route, PYLON_ROUTE_PRICES) == 0) {
        return NGX_PYLON_V2_PRICES;
    }

    if (ngx_strcmp(route, PYLON_ROUTE_PRICE) == 0) {
        return NGX_PYLON_V2_PRICE;
    }

    if (ngx_strcmp(route, PYLON_ROUTE_REVEALED) == 0
        || ngx_strcmp(route, PYLON_ROUTE_REVEALED_ONE) == 0)
    {
        return NGX_PYLON_V2_REVEALED;
    }

    return 0;
}


void
ngx_pylon_refresh_v2_head(ngx_pylon_refresh_t *r, ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, uint64_t number, const u_char *hash,
    ngx_int_t *netuids, ngx_uint_t n)
{
    if (number <= ngx_pylon_v2_started
        || ngx_pylon_refresh_meta(r) == NULL)
    {
        return;              /* the same head again, or no runtime yet */
    }

    ngx_pylon_v2_started = number;

    (void) ngx_pylon_refresh_v2(r, h, s, (char *) h->pmcf->network.name.data,
                                number, (const char *) hash, 1,
                                NGX_PYLON_V2_DRAND|NGX_PYLON_V2_PRICES
                                |NGX_PYLON_V2_PRICE|NGX_PYLON_V2_REVEALED,
                                netuids, n, NULL, NULL);
}


ngx_int_t
ngx_pylon_refresh_v2(ngx_pylon_refresh_t *r, ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, const char *uri, uint64_t number,
    const char *hash, ngx_uint_t latest, ngx_uint_t what, ngx_int_t *netuids,
    ngx_uint_t n, ngx_pylon_v2_done_pt done, void *data)
{
    ngx_uint_t           i;
    ngx_pylon_v2_t      *rd;
    const pylon_meta_t  *m;

    m = ngx_pylon_refresh_meta(r);
    if (m == NULL) {
        return NGX_ERROR;
    }

    rd = ngx_calloc(sizeof(ngx_pylon_v2_t), h->log);
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->refresh = r;
    rd->h = h;
    rd->session = s;
    rd->uri = uri ? uri : "";
    rd->number = number;
    ngx_cpystrn((u_char *) rd->hash, (u_char *) hash, sizeof(rd->hash));
    rd->latest = latest;
    rd->what = what;
    rd->done = done;
    rd->data = data;
    rd->nsubs = ngx_min(n, NGX_PYLON_V2_SUBS);

    for (i = 0; i < rd->nsubs; i++) {
        rd->subs[i].rd = rd;
        rd->subs[i].netuid = netuids[i];
    }

    /* the start holds one count so that nothing ends the round early */

    rd->pending = 1;
    ngx_pylon_v2_start(rd, m);
    ngx_pylon_v2_step(rd);

    return NGX_OK;
}


static void
ngx_pylon_v2_start(ngx_pylon_v2_t *rd, const pylon_meta_t *m)
{
    char                 hex[2 * 64 + 3], nu[8];
    ngx_uint_t           i;
    pylon_buf_t          key;
    ngx_pylon_v2_sub_t  *sub;
    char                 err[128];

    if (rd->what & NGX_PYLON_V2_DRAND) {
        pylon_buf_init(&key);

        if (pylon_storage_key(&key, m, "Drand", "LastStoredRound", NULL, 0,
                              err, sizeof(err))
            != 0
            || pylon_hex_encode(hex, sizeof(hex), key.data, key.len) <= 0)
        {
            ngx_pylon_v2_missing(rd, "get_drand_last_stored_round");

        } else {
            (void) ngx_pylon_v2_call(rd, NULL, "get_drand_last_stored_round",
                                     NGX_PYLON_V2_DRAND, "state_getStorage",
                                     json_pack("[ss]", hex, rd->hash));
        }

        pylon_buf_free(&key);
    }

    if (rd->what & NGX_PYLON_V2_PRICES) {
        if (pylon_runtime_api_find(m, "SwapRuntimeApi_current_alpha_price_all",
                                   NULL)
            == NULL)
        {
            ngx_pylon_v2_missing(rd, "get_alpha_prices");

        } else {
            (void) ngx_pylon_v2_call(rd, NULL, "get_alpha_prices",
                                     NGX_PYLON_V2_PRICES, "state_call",
                                     json_pack("[sss]",
                                     "SwapRuntimeApi_current_alpha_price_all",
                                     "0x", rd->hash));
        }
    }

    for (i = 0; i < rd->nsubs; i++) {
        sub = &rd->subs[i];

        ngx_snprintf((u_char *) nu, sizeof(nu), "0x%02xi%02xi%Z",
                     sub->netuid & 0xff, (sub->netuid >> 8) & 0xff);

        if (rd->what & NGX_PYLON_V2_PRICE) {
            if (pylon_runtime_api_find(m, "SwapRuntimeApi_current_alpha_price",
                                       NULL)
                == NULL)
            {
                ngx_pylon_v2_missing(rd, "get_alpha_price");

            } else {
                (void) ngx_pylon_v2_call(rd, sub, "get_alpha_price",
                                         NGX_PYLON_V2_PRICE, "state_call",
                                         json_pack("[sss]",
                                         "SwapRuntimeApi_current_alpha_price",
                                         nu, rd->hash));
            }
        }

        if (rd->what & NGX_PYLON_V2_REVEALED) {
            if (pylon_subnet_prefix(sub->prefix, sizeof(sub->prefix), m,
                                    "Commitments", "RevealedCommitments",
                                    (uint16_t) sub->netuid)
                != 0)
            {
                ngx_pylon_v2_missing(rd, "get_all_revealed_commitments");
                sub->revealed_failed = 1;
                continue;
            }

            rd->pending++;
            ngx_pylon_v2_page(sub, NULL);
        }
    }
}


static ngx_int_t
ngx_pylon_v2_call(ngx_pylon_v2_t *rd, ngx_pylon_v2_sub_t *sub,
    const char *op, ngx_uint_t part, const char *method, json_t *params)
{
    ngx_pylon_v2_call_t  *c;

    c = ngx_alloc(sizeof(ngx_pylon_v2_call_t), rd->h->log);
    if (c == NULL) {
        json_decref(params);
        ngx_pylon_v2_fail(rd, 500, op, "no memory");
        return NGX_ERROR;
    }

    c->rd = rd;
    c->sub = sub;
    c->op = op;
    c->part = part;
    c->started = ngx_pylon_stats_clock();

    if (ngx_pylon_session_call(rd->session, method, params,
                               ngx_pylon_v2_reply, c)
        != NGX_OK)
    {
        ngx_free(c);
        ngx_pylon_v2_fail(rd, 502, op, "not connected");
        if (sub) {
            sub->revealed_failed = 1;
        }
        return NGX_ERROR;
    }

    rd->pending++;

    return NGX_OK;
}


/* "0x.." -> malloc()ed bytes (ngx_free) */

static ngx_int_t
ngx_pylon_v2_bytes(json_t *v, u_char **out, size_t *len)
{
    uint8_t  *b;

    if (!json_is_string(v)
        || pylon_hex_decode_alloc(&b, len, json_string_value(v),
                                  json_string_length(v))
           != 0)
    {
        return NGX_ERROR;
    }

    *out = b;

    return NGX_OK;
}


static void
ngx_pylon_v2_reply(void *data, json_t *result, const char *error)
{
    ngx_pylon_v2_call_t  *cp = data;

    ngx_pylon_v2_t       *rd;
    ngx_pylon_v2_call_t   c;

    c = *cp;
    ngx_free(cp);
    rd = c.rd;

    /* pylon_bittensor_operation_duration_seconds{operation=<op>} (§9) */
    ngx_pylon_stats_operation(c.op, result ? NGX_PYLON_STATUS_SUCCESS
                                           : NGX_PYLON_STATUS_ERROR,
                              rd->uri, c.sub ? c.sub->netuid : -1, NULL,
                              ngx_pylon_stats_clock() - c.started);

    if (c.part & (NGX_PYLON_V2_REVEALED|NGX_PYLON_V2_VALUES)) {
        if (result == NULL || !json_is_array(result)) {
            c.sub->revealed_failed = 1;
            ngx_pylon_v2_fail(rd, 502, c.op,
                              error ? error : "malformed answer");

        } else if (c.part == NGX_PYLON_V2_REVEALED) {
            ngx_pylon_v2_keys(&c, result);

        } else {
            ngx_pylon_v2_values(&c, result);
        }

        ngx_pylon_v2_step(rd);
        return;
    }

    if (result == NULL) {
        ngx_pylon_v2_fail(rd, 502, c.op, error ? error : "no answer");
        ngx_pylon_v2_step(rd);
        return;
    }

    switch (c.part) {

    case NGX_PYLON_V2_DRAND:
        /* null: no value stored, the metadata's default */
        if (json_is_null(result)
            || ngx_pylon_v2_bytes(result, &rd->drand, &rd->drand_len)
               == NGX_OK)
        {
            rd->drand_ok = 1;
        }
        break;

    case NGX_PYLON_V2_PRICES:
        if (ngx_pylon_v2_bytes(result, &rd->prices, &rd->prices_len)
            == NGX_OK)
        {
            rd->prices_ok = 1;
        }
        break;

    default: /* NGX_PYLON_V2_PRICE */
        if (ngx_pylon_v2_bytes(result, &c.sub->price, &c.sub->price_len)
            == NGX_OK)
        {
            c.sub->price_ok = 1;
        }
        break;
    }

    ngx_pylon_v2_step(rd);
}


/*
 * The first failure names the answer: 501 for a runtime API the node
 * does not export (spec §3.3), the archive hint for an unknown block,
 * 502 "<op> failed on <uri>: <error>" otherwise.
 */

static void
ngx_pylon_v2_fail(ngx_pylon_v2_t *rd, ngx_uint_t status, const char *op,
    const char *error)
{
    ngx_log_error(NGX_LOG_INFO, rd->h->log, 0,
                  "pylon helper: %s at block %uL failed: %s", op,
                  rd->number, error);

    if (rd->status) {
        return;
    }

    if (ngx_strstr(error, "Exported method") && ngx_strstr(error,
                                                           "is not found"))
    {
        rd->status = 501;
        ngx_snprintf((u_char *) rd->detail, sizeof(rd->detail) - 1,
                     "The runtime API required for '%s' is not available "
                     "at block %uL. It was introduced by a later runtime "
                     "upgrade, so older blocks do not export it (%s).%Z",
                     op, rd->number, error);
        return;
    }

    if (ngx_strcasestrn((u_char *) error, "unknown block",
                        sizeof("unknown block") - 2)
        || ngx_strcasestrn((u_char *) error, "state discarded",
                           sizeof("state discarded") - 2)
        || ngx_strcasestrn((u_char *) error, "not found",
                           sizeof("not found") - 2))
    {
        rd->unknown = 1;
    }

    rd->status = status;
    ngx_snprintf((u_char *) rd->detail, sizeof(rd->detail) - 1,
                 "%s failed on %s: %s%Z", op, rd->uri, error);
}


/* the runtime of this block has no such pallet item or runtime API */

static void
ngx_pylon_v2_missing(ngx_pylon_v2_t *rd, const char *op)
{
    if (rd->status) {
        return;
    }

    rd->status = 501;
    ngx_snprintf((u_char *) rd->detail, sizeof(rd->detail) - 1,
                 "The runtime API required for '%s' is not available at "
                 "block %uL. It was introduced by a later runtime upgrade, "
                 "so older blocks do not export it (not in the runtime "
                 "metadata).%Z", op, rd->number);
}


static void
ngx_pylon_v2_step(ngx_pylon_v2_t *rd)
{
    ngx_uint_t  status;

    if (--rd->pending) {
        return;
    }

    status = rd->status;

    if (ngx_pylon_v2_write(rd) != NGX_OK && status == 0) {
        status = 500;
        ngx_cpystrn((u_char *) rd->detail, (u_char *) "Internal Server Error",
                    sizeof(rd->detail));
    }

    if (rd->done) {
        rd->done(rd->data, status ? status : 200, status ? rd->detail : NULL,
                 rd->unknown);
    }

    ngx_pylon_v2_free(rd);
}


/* the page after start (NULL: the first); pending already counts it */

static void
ngx_pylon_v2_page(ngx_pylon_v2_sub_t *sub, const char *start)
{
    ngx_pylon_v2_t  *rd;

    rd = sub->rd;

    (void) ngx_pylon_v2_call(rd, sub, "get_all_revealed_commitments",
                             NGX_PYLON_V2_REVEALED, "state_getKeysPaged",
                             start ? json_pack("[siss]", sub->prefix,
                                               NGX_PYLON_V2_PAGE, start,
                                               rd->hash)
                                   : json_pack("[sins]", sub->prefix,
                                               NGX_PYLON_V2_PAGE, rd->hash));

    rd->pending--;
}


static void
ngx_pylon_v2_keys(ngx_pylon_v2_call_t *c, json_t *result)
{
    if (json_array_size(result) == 0 || c->sub->revealed_failed) {
        c->sub->revealed_ok = !c->sub->revealed_failed;
        return;
    }

    (void) ngx_pylon_v2_call(c->rd, c->sub, c->op, NGX_PYLON_V2_VALUES,
                             "state_queryStorageAt",
                             json_pack("[Os]", result, c->rd->hash));
}


static void
ngx_pylon_v2_values(ngx_pylon_v2_call_t *c, json_t *result)
{
    size_t               i, n;
    json_t              *changes, *ch, *k, *v;
    const char          *last;
    pylon_subnet_kv_t   *kv;
    ngx_pylon_v2_sub_t  *sub;

    sub = c->sub;
    changes = json_object_get(json_array_get(result, 0), "changes");

    if (!json_is_array(changes)) {
        sub->revealed_failed = 1;
        ngx_pylon_v2_fail(c->rd, 502, c->op, "malformed answer");
        return;
    }

    n = json_array_size(changes);

    if (sub->n + n > sub->cap) {
        kv = realloc(sub->kv, (sub->n + n) * sizeof(pylon_subnet_kv_t));
        if (kv == NULL) {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 500, c->op, "no memory");
            return;
        }
        sub->kv = kv;
        sub->cap = sub->n + n;
    }

    last = NULL;

    json_array_foreach(changes, i, ch) {
        k = json_array_get(ch, 0);
        v = json_array_get(ch, 1);

        kv = &sub->kv[sub->n];
        ngx_memzero(kv, sizeof(pylon_subnet_kv_t));

        if (ngx_pylon_v2_bytes(k, (u_char **) &kv->key, &kv->keylen)
            != NGX_OK)
        {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 502, c->op, "bad key");
            return;
        }

        sub->n++;
        last = json_string_value(k);

        if (!json_is_null(v)
            && ngx_pylon_v2_bytes(v, (u_char **) &kv->val, &kv->vallen)
               != NGX_OK)
        {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 502, c->op, "bad value");
            return;
        }
    }

    if (n == NGX_PYLON_V2_PAGE && last != NULL) {
        c->rd->pending++;
        ngx_pylon_v2_page(sub, last);
        return;
    }

    sub->revealed_ok = !sub->revealed_failed;
}


/* everything read, in one transaction; parts that failed are skipped */

static ngx_int_t
ngx_pylon_v2_write(ngx_pylon_v2_t *rd)
{
    char                 prefix[PYLON_KEY_MAX], err[128];
    size_t               j;
    json_t              *block, *v;
    ngx_int_t            rc;
    ngx_uint_t           i;
    pylon_store_t       *st;
    const pylon_meta_t  *m;
    ngx_pylon_v2_sub_t  *sub;
    pylon_keylist_t  old;

    /* a head round older than the last one written is dropped; a fetch
     * round writes its own records anyway (the next head replaces them) */

    if (rd->latest && rd->done == NULL && rd->number < ngx_pylon_v2_written)
    {
        return NGX_OK;
    }

    m = ngx_pylon_refresh_meta(rd->refresh);
    if (m == NULL) {
        return NGX_ERROR;
    }

    st = rd->h->store;
    ngx_memzero(&old, sizeof(old));

    /* latest revealed items that may have gone: deleted, then put */

    for (i = 0; rd->latest && i < rd->nsubs; i++) {
        if (!rd->subs[i].revealed_ok) {
            continue;
        }

        pylon_key_latest_item(prefix, sizeof(prefix),
                              PYLON_ROUTE_REVEALED_ONE,
                              (int) rd->subs[i].netuid, "");

        if (pylon_store_scan(st, prefix, pylon_keylist_add, &old) < 0) {
            rc = NGX_ERROR;
            goto done;
        }
    }

    block = json_pack("{sIss}", "number", (json_int_t) rd->number,
                      "hash", rd->hash);
    if (block == NULL || pylon_store_write_begin(st) != 0) {
        json_decref(block);
        rc = NGX_ERROR;
        goto done;
    }

    rc = NGX_OK;

    for (j = 0; j < old.n && rc == NGX_OK; j++) {
        if (pylon_store_del(st, old.keys[j]) != 0) {
            rc = NGX_ERROR;
        }
    }

    if (rc == NGX_OK && rd->drand_ok) {
        v = pylon_storage_value_decode(m, "Drand", "LastStoredRound",
                                       rd->drand, rd->drand_len, err,
                                       sizeof(err));
        if (json_is_integer(v)) {
            rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_DRAND, PYLON_NETUID_NONE,
                                  NULL, json_pack("{sO}", "last_stored_round",
                                                  v));
        } else if (rd->status == 0) {
            ngx_pylon_v2_fail(rd, 502, "get_drand_last_stored_round", err);
        }
        json_decref(v);
    }

    if (rc == NGX_OK && rd->prices_ok) {
        rc = ngx_pylon_v2_render_prices(rd, m, block);
    }

    for (i = 0; rc == NGX_OK && i < rd->nsubs; i++) {
        sub = &rd->subs[i];

        if (sub->price_ok) {
            v = pylon_runtime_api_decode(m, "SwapRuntimeApi",
                                         "current_alpha_price", sub->price,
                                         sub->price_len, err, sizeof(err));
            if (json_is_integer(v)) {
                rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_PRICE, sub->netuid,
                                      NULL, json_pack("{sOsIs{sO}}",
                                      "block", block,
                                      "netuid", (json_int_t) sub->netuid,
                                      "price", "value", v));
            } else if (rd->status == 0) {
                ngx_pylon_v2_fail(rd, 502, "get_alpha_price", err);
            }
            json_decref(v);
        }

        if (rc == NGX_OK && sub->revealed_ok) {
            rc = ngx_pylon_v2_render_revealed(rd, sub, m, block);
        }
    }

    json_decref(block);

    if (rc != NGX_OK) {
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_store_write_commit(st) != 0) {
        rc = NGX_ERROR;
        goto done;
    }

    if (rd->latest && rd->done == NULL) {
        ngx_pylon_v2_written = rd->number;
    }

done:

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, rd->h->log, 0,
                      "pylon helper: v2 data of block %uL not written: %s",
                      rd->number, pylon_store_error(st));
    }

    pylon_keylist_free(&old);

    return rc;
}


/* puts body (a new reference, consumed) at the round's key of route */

static ngx_int_t
ngx_pylon_v2_put(ngx_pylon_v2_t *rd, const char *route, ngx_int_t netuid,
    const char *item, json_t *body)
{
    int     rc;
    char   *text, key[PYLON_KEY_MAX];
    size_t  n;

    if (body == NULL) {
        return NGX_ERROR;
    }

    text = json_dumps(body, JSON_COMPACT|JSON_PRESERVE_ORDER);
    json_decref(body);

    if (text == NULL) {
        return NGX_ERROR;
    }

    if (rd->latest) {
        n = item ? pylon_key_latest_item(key, sizeof(key), route,
                                         (int) netuid, item)
                 : pylon_key_latest(key, sizeof(key), route, (int) netuid);
    } else {
        n = item ? pylon_key_at_block_item(key, sizeof(key), route,
                                           (int) netuid, rd->number, item)
                 : pylon_key_at_block(key, sizeof(key), route, (int) netuid,
                                      rd->number);
    }

    rc = (n == 0) ? -1 : pylon_store_put(rd->h->store, key, rd->number, 0,
                                         text, ngx_strlen(text));
    free(text);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


/*
 * Vec<{netuid, price}> (a struct, or a tuple on runtimes that declare
 * one) -> {"block": B, "prices": {"<netuid>": {"value": rao}}}; each
 * subnet's own price too, so that a price of any subnet is one read.
 */

static ngx_int_t
ngx_pylon_v2_render_prices(ngx_pylon_v2_t *rd, const pylon_meta_t *m,
    json_t *block)
{
    char        nu[16], err[128];
    size_t      i;
    json_t     *list, *e, *netuid, *price, *prices;
    ngx_int_t   rc;

    list = pylon_runtime_api_decode(m, "SwapRuntimeApi",
                                    "current_alpha_price_all", rd->prices,
                                    rd->prices_len, err, sizeof(err));
    if (!json_is_array(list)) {
        json_decref(list);
        if (rd->status == 0) {
            ngx_pylon_v2_fail(rd, 502, "get_alpha_prices", err);
        }
        return NGX_OK;
    }

    prices = json_object();
    rc = prices ? NGX_OK : NGX_ERROR;

    json_array_foreach(list, i, e) {
        if (rc != NGX_OK) {
            break;
        }

        if (json_is_array(e)) {
            netuid = json_array_get(e, 0);
            price = json_array_get(e, 1);

        } else {
            netuid = json_object_get(e, "netuid");
            price = json_object_get(e, "price");
        }

        if (!json_is_integer(netuid) || !json_is_integer(price)) {
            continue;
        }

        ngx_snprintf((u_char *) nu, sizeof(nu), "%L%Z",
                     (int64_t) json_integer_value(netuid));

        if (json_object_set_new(prices, nu, json_pack("{sO}", "value", price))
            != 0)
        {
            rc = NGX_ERROR;
            break;
        }

        rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_PRICE,
                              (ngx_int_t) json_integer_value(netuid), NULL,
                              json_pack("{sOsOs{sO}}", "block", block,
                                        "netuid", netuid,
                                        "price", "value", price));
    }

    if (rc == NGX_OK) {
        rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_PRICES, PYLON_NETUID_NONE, NULL,
                              json_pack("{sOsO}", "block", block,
                                        "prices", prices));
    }

    json_decref(prices);
    json_decref(list);

    return rc;
}


/* one stored item: [bytes, reveal block] -> RevealedCommitment */

static json_t *
ngx_pylon_v2_revealed_one(json_t *e, const char *hotkey)
{
    size_t          blen, tlen;
    json_t         *bytes, *when, *out;
    u_char         *b;
    const uint8_t  *text;

    if (json_is_array(e)) {
        bytes = json_array_get(e, 0);
        when = json_array_get(e, 1);

    } else {
        return NULL;
    }

    if (!json_is_integer(when)
        || ngx_pylon_v2_bytes(bytes, &b, &blen) != NGX_OK)
    {
        return NULL;
    }

    out = NULL;

    if (pylon_revealed_text(b, blen, &text, &tlen) == 0) {
        out = json_pack("{sOsss:s%}", "reveal_block_number", when,
                        "hotkey", hotkey, "commitment", (char *) text, tlen);
    }

    ngx_free(b);

    return out;       /* NULL too for text that is not UTF-8 */
}


static ngx_int_t
ngx_pylon_v2_render_revealed(ngx_pylon_v2_t *rd, ngx_pylon_v2_sub_t *sub,
    const pylon_meta_t *m, json_t *block)
{
    char                hotkey[PYLON_SS58_MAX_CHARS + 1], err[128];
    size_t              i, j;
    json_t             *all, *list, *v, *e, *one;
    ngx_int_t           rc;
    pylon_subnet_kv_t  *kv;

    all = json_object();
    if (all == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_OK;

    for (i = 0; rc == NGX_OK && i < sub->n; i++) {
        kv = &sub->kv[i];

        if (kv->val == NULL || kv->keylen < 32
            || pylon_ss58_encode(hotkey, sizeof(hotkey),
                                 kv->key + kv->keylen - 32,
                                 NGX_PYLON_SS58_PREFIX) < 0)
        {
            continue;
        }

        v = pylon_storage_value_decode(m, "Commitments",
                                       "RevealedCommitments", kv->val,
                                       kv->vallen, err, sizeof(err));
        list = json_array();

        json_array_foreach(v, j, e) {
            one = ngx_pylon_v2_revealed_one(e, hotkey);
            if (one) {
                json_array_append_new(list, one);
            }
        }

        json_decref(v);

        if (list == NULL) {
            rc = NGX_ERROR;
            break;
        }

        if (json_array_size(list)) {
            rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_REVEALED_ONE, sub->netuid,
                                  hotkey, json_pack("{sOsO}",
                                                    "commitments", list,
                                                    "block", block));
        }

        json_object_set_new(all, hotkey, list);
    }

    if (rc == NGX_OK) {
        rc = ngx_pylon_v2_put(rd, PYLON_ROUTE_REVEALED, sub->netuid, NULL,
                              json_pack("{sOsO}", "block", block,
                                        "commitments", all));
    }

    json_decref(all);

    return rc;
}



static void
ngx_pylon_v2_free(ngx_pylon_v2_t *rd)
{
    size_t      j;
    ngx_uint_t  i;

    for (i = 0; i < rd->nsubs; i++) {
        ngx_free(rd->subs[i].price);
        for (j = 0; j < rd->subs[i].n; j++) {
            ngx_free((void *) rd->subs[i].kv[j].key);
            ngx_free((void *) rd->subs[i].kv[j].val);
        }
        ngx_free(rd->subs[i].kv);
    }

    ngx_free(rd->drand);
    ngx_free(rd->prices);
    ngx_free(rd);
}

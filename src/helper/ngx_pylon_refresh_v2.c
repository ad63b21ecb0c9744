/*
 * ngx_pylon_refresh_v2.c: the v2 refresh round (see
 * ngx_pylon_refresh_v2.h): drand round, alpha prices and revealed
 * commitments; starting a round (head rounds one at a time, plus the
 * latest pending head), its calls and replies, failure accounting, and
 * freeing it.  Its private types are in
 * ngx_pylon_refresh_v2_int.h; paged reads are in
 * ngx_pylon_refresh_v2_pages.c, rendering and the cache write in
 * ngx_pylon_refresh_v2_store.c.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_v2_int.h"
#include "helper/ngx_pylon_head_slot.h"


static void ngx_pylon_v2_start(ngx_pylon_v2_t *rd, const pylon_meta_t *m);
static void ngx_pylon_v2_reply(void *data, json_t *result,
    const char *error);
static void ngx_pylon_v2_missing(ngx_pylon_v2_t *rd, const char *op);
static void ngx_pylon_v2_step(ngx_pylon_v2_t *rd);
static void ngx_pylon_v2_free(ngx_pylon_v2_t *rd);
static void ngx_pylon_v2_head_round(uint64_t number, const char *hash);


/*
 * Head rounds: one in flight, plus the latest head that came meanwhile
 * (a newer head, or another head at the same height, the node's fork
 * choice, takes its place): ngx_pylon_head_slot.h, whose in-flight round
 * is ours.  What a head's round reads is the one of the last head
 * offered, which is the pending one when one is.  The helper is one
 * process with one refresher, so this state is the process's own.
 */

typedef struct {
    ngx_pylon_refresh_t    *refresh;
    ngx_pylon_helper_t     *h;
    ngx_pylon_session_t    *session;
    ngx_int_t               netuids[NGX_PYLON_V2_SUBS];
    ngx_uint_t              n;
} ngx_pylon_v2_reads_t;


static ngx_pylon_head_slot_t  ngx_pylon_v2_heads;
static ngx_pylon_v2_reads_t   ngx_pylon_v2_reads;   /* of the last head */


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
    uint64_t               replaced;
    ngx_pylon_v2_reads_t  *rs;

    if (ngx_pylon_refresh_meta(r) == NULL) {
        return;                                  /* no runtime yet */
    }

    /* an older head: nothing new; the same height with another hash is
     * the fork choice */

    if (number < ngx_pylon_v2_heads.last.number) {
        return;
    }

    replaced = ngx_pylon_v2_heads.pending.number;

    switch (ngx_pylon_head_slot_offer(&ngx_pylon_v2_heads, number,
                                      (const char *) hash, 0))
    {
    case NGX_PYLON_HEAD_SAME:
        return;                 /* the same head again (a catch-up) */

    case NGX_PYLON_HEAD_REPLACED:
        ngx_log_debug2(NGX_LOG_DEBUG_CORE, h->log, 0,
                       "pylon helper: v2 head %uL replaced by %uL before "
                       "its round", replaced, number);
        break;

    default: /* NGX_PYLON_HEAD_START, NGX_PYLON_HEAD_PENDING */
        break;
    }

    rs = &ngx_pylon_v2_reads;

    rs->refresh = r;
    rs->h = h;
    rs->session = s;
    rs->n = ngx_min(n, NGX_PYLON_V2_SUBS);
    ngx_memcpy(rs->netuids, netuids, rs->n * sizeof(ngx_int_t));

    if (ngx_pylon_v2_heads.inflight == NULL) {
        ngx_pylon_v2_head_round(number, (const char *) hash);
    }

    /* else it waits for the round in flight (ngx_pylon_v2_step) */
}


/* starts the round of head (number, hash), the one head round in flight */

static void
ngx_pylon_v2_head_round(uint64_t number, const char *hash)
{
    ngx_pylon_v2_reads_t  rs;

    rs = ngx_pylon_v2_reads;

    /* every part, over the tracked subnets; the slot's in-flight round
     * is set by the start, as its calls may end the round before it
     * returns */

    (void) ngx_pylon_refresh_v2(rs.refresh, rs.h, rs.session,
                                (char *) rs.h->pmcf->network.name.data,
                                number, hash, NULL, 1,
                                NGX_PYLON_V2_DRAND|NGX_PYLON_V2_PRICES
                                |NGX_PYLON_V2_PRICE|NGX_PYLON_V2_REVEALED,
                                rs.netuids, rs.n, NULL, NULL);
}


ngx_int_t
ngx_pylon_refresh_v2(ngx_pylon_refresh_t *r, ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, const char *uri, uint64_t number,
    const char *hash, pylon_runtime_t *rt, ngx_uint_t latest, ngx_uint_t what,
    ngx_int_t *netuids, ngx_uint_t n, ngx_pylon_v2_done_pt done, void *data)
{
    ngx_uint_t           i;
    ngx_pylon_v2_t      *rd;
    const pylon_meta_t  *m;

    rt = rt ? ngx_pylon_meta_acquire_rt(rt)
            : ngx_pylon_meta_acquire_head(h->meta);
    if (rt == NULL || rt->meta == NULL) {
        ngx_pylon_meta_release(rt);
        return NGX_ERROR;
    }

    rd = ngx_calloc(sizeof(ngx_pylon_v2_t), h->log);
    if (rd == NULL) {
        ngx_pylon_meta_release(rt);
        return NGX_ERROR;
    }

    rd->rt = rt;
    m = rt->meta;

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

    if (latest && done == NULL) {
        ngx_pylon_head_slot_start(&ngx_pylon_v2_heads, rd); /* a head round */
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


ngx_int_t
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
            || ngx_pylon_hex_bytes(result, &rd->drand, &rd->drand_len)
               == NGX_OK)
        {
            rd->drand_ok = 1;
        }
        break;

    case NGX_PYLON_V2_PRICES:
        if (ngx_pylon_hex_bytes(result, &rd->prices, &rd->prices_len)
            == NGX_OK)
        {
            rd->prices_ok = 1;
        }
        break;

    default: /* NGX_PYLON_V2_PRICE */
        if (ngx_pylon_hex_bytes(result, &c.sub->price, &c.sub->price_len)
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

void
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
    ngx_uint_t                status;
    ngx_pylon_pending_head_t  next;

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

    if (!ngx_pylon_head_slot_end(&ngx_pylon_v2_heads, rd)) {
        ngx_pylon_v2_free(rd);
        return;
    }

    /* the head round ended: the head that came meanwhile, if any */

    ngx_pylon_v2_free(rd);

    if (ngx_pylon_head_slot_next(&ngx_pylon_v2_heads, &next)) {
        ngx_pylon_v2_head_round(next.number, next.hash);
    }
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
    ngx_pylon_meta_release(rd->rt);
    ngx_free(rd);
}

/*
 * ngx_pylon_v2reads.c: the Pylon v2 reads (spec/pylon-v2.md §3.3).
 *
 *   UG/block/latest/drand/last_stored_round       (public, §12.2)
 *   UG/block/{latest|n}/prices                    SubnetPrices
 *   OA|ID/block/{latest|n}/price                  SubnetPrice
 *   OA|ID/block/latest/commitments/revealed[/{hotkey}|/self]
 *   ID/mechanism/{id}/block/{n}/weights/status    {"weights_submitted"}
 *
 * Each is one cache read (the helper keeps them fresh every block:
 * ngx_pylon_refresh_v2.c) or a fetch job on a miss; weights/status scans
 * the identity's weights jobs in the job queue.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/weights.h"
#include "store/jobs.h"
#include "store/keys_v2.h"


#define NGX_PYLON_DEFAULT_TEMPO  360


typedef struct {
    ngx_str_t        identity;
    int64_t          mechanism;
    int64_t          start;
    uint64_t         end;
    ngx_uint_t       found;
} ngx_pylon_wstatus_t;


static ngx_int_t
ngx_pylon_v2_no_block(ngx_http_request_t *r, int64_t block)
{
    u_char  detail[64], *p;

    p = ngx_snprintf(detail, sizeof(detail) - 1, "Block %L not found.",
                     block);
    *p = '\0';

    return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, (char *) detail);
}


/* GET UG/block/latest/drand/last_stored_round */

ngx_int_t
ngx_pylon_v2_drand(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char  key[PYLON_KEY_MAX];

    ctx->netuid = PYLON_NETUID_NONE;
    ctx->block = -1;

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_DRAND, PYLON_NETUID_NONE);

    return ngx_pylon_send_or_fetch(r, ctx, key, "Not Found");
}


/* every hotkey's revealed commitments on the subnet */

ngx_int_t
ngx_pylon_v2_revealed(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char  key[PYLON_KEY_MAX];

    ctx->block = -1;

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_REVEALED,
                     (int) ctx->netuid);

    return ngx_pylon_send_or_fetch(r, ctx, key, "Not Found");
}


/*
 * One hotkey's (or the identity's own): when the subnet's list is in the
 * cache its items are complete, so an absent item is 404 at once.
 */

ngx_int_t
ngx_pylon_v2_revealed_one(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char             key[PYLON_KEY_MAX], item[128];
    ngx_int_t        rc;
    ngx_uint_t       found;
    pylon_store_t   *st;
    pylon_record_t   rec;

    static char      missing[] = "Revealed commitments not found.";

    ctx->block = -1;

    if (ctx->hotkey.len == 0 || ctx->hotkey.len >= sizeof(item)
        || ngx_strlchr(ctx->hotkey.data, ctx->hotkey.data + ctx->hotkey.len,
                       '/'))
    {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, missing);
    }

    ngx_cpystrn((u_char *) item, ctx->hotkey.data, ctx->hotkey.len + 1);

    if (pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_REVEALED_ONE,
                              (int) ctx->netuid, item)
        == 0)
    {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, missing);
    }

    rc = ngx_pylon_send_cached_if(r, key, &found, &ctx->served_block);
    if (found) {
        ctx->cache_status = NGX_PYLON_CACHE_HIT;
        return rc;
    }

    st = ngx_pylon_worker_store();

    if (st) {
        char  list[PYLON_KEY_MAX];

        pylon_key_latest(list, sizeof(list), PYLON_ROUTE_REVEALED,
                         (int) ctx->netuid);

        if (pylon_store_read(st, list, &rec) == PYLON_STORE_OK) {
            pylon_store_read_end(st);
            ctx->cache_status = NGX_PYLON_CACHE_HIT;
            return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, missing);
        }
    }

    return ngx_pylon_send_or_fetch(r, ctx, key, missing);
}


/* a weights job of the identity and mechanism counts in the epoch */

static int
ngx_pylon_v2_job_counts(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    ngx_pylon_wstatus_t  *ws = data;

    json_t      *job, *p, *start;
    const char  *state, *name;

    if (ngx_strlcasestrn((u_char *) val, (u_char *) val + vlen,
                         (u_char *) "\"weights\"", sizeof("\"weights\"") - 2)
        == NULL)
    {
        return 0;                       /* cheap: not a weights job */
    }

    job = json_loadb(val, vlen, 0, NULL);
    if (job == NULL) {
        return 0;
    }

    p = json_object_get(job, "params");
    state = json_string_value(json_object_get(job, "state"));
    name = json_string_value(json_object_get(p, "identity"));
    start = json_object_get(p, "start_block");

    if (ngx_strcmp(json_string_value(json_object_get(job, "kind")) ?: "",
                   "weights") == 0
        && name && ngx_strlen(name) == ws->identity.len
        && ngx_strncmp(name, ws->identity.data, ws->identity.len) == 0
        && json_integer_value(json_object_get(p, "mechanism"))
           == ws->mechanism
        && state
        && (ngx_strcmp(state, PYLON_JOB_PENDING) == 0
            || ngx_strcmp(state, PYLON_JOB_RUNNING) == 0
            || ngx_strcmp(state, PYLON_JOB_DONE) == 0)
        && (!json_is_integer(start)
            || (json_integer_value(start) >= ws->start
                && (uint64_t) json_integer_value(start) <= ws->end)))
    {
        ws->found = 1;
    }

    json_decref(job);

    return ws->found;                   /* found: stop scanning */
}


/* the tempo of the subnet from the cached hyperparameters, or 360 */

static uint32_t
ngx_pylon_v2_tempo(ngx_int_t netuid)
{
    char             key[PYLON_KEY_MAX];
    json_t          *h, *t;
    uint32_t         tempo;
    pylon_store_t   *st;
    pylon_record_t   rec;

    tempo = NGX_PYLON_DEFAULT_TEMPO;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return tempo;
    }

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_HYPERPARAMS, (int) netuid);

    if (pylon_store_read(st, key, &rec) != PYLON_STORE_OK) {
        return tempo;
    }

    h = json_loadb((char *) rec.body, rec.len, 0, NULL);
    pylon_store_read_end(st);

    t = json_object_get(h, "tempo");

    if (json_is_integer(t) && json_integer_value(t) > 0
        && json_integer_value(t) < 65536)
    {
        tempo = (uint32_t) json_integer_value(t);
    }

    json_decref(h);

    return tempo;
}


/* GET ID/mechanism/{mechanism_id}/block/{block_number}/weights/status */

ngx_int_t
ngx_pylon_v2_weights_status(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    int64_t               block;
    uint64_t              head;
    ngx_int_t             rc;
    pylon_store_t        *st;
    ngx_pylon_wstatus_t   ws;

    static u_char  yes[] = "{\"weights_submitted\":true}";
    static u_char  no[] = "{\"weights_submitted\":false}";

    ws.mechanism = ctx->params.ints[1];
    block = ctx->params.ints[2];
    head = ngx_pylon_head();

    if (block < 0 || (head && (uint64_t) block > head)) {
        return ngx_pylon_v2_no_block(r, block);
    }

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (pylon_weights_epoch(&ws.start, &ws.end, (uint64_t) block,
                            (uint16_t) ctx->netuid,
                            ngx_pylon_v2_tempo(ctx->netuid))
        != 0)
    {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    ws.identity = ctx->identity->name;
    ws.found = 0;

    rc = pylon_store_scan(pylon_store_jobs(st), "J/",
                          ngx_pylon_v2_job_counts, &ws);
    if (rc < 0) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    return ngx_pylon_send_json(r, NGX_HTTP_OK, ws.found ? yes : no,
                               ws.found ? sizeof(yes) - 1 : sizeof(no) - 1);
}

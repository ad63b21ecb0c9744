/*
 * ngx_pylon_subnet.c: the subnet reads, open-access and identity alike.
 *
 *   .../block/latest/{neurons,validators,certificates,commitments}
 *   .../block/{n}/{neurons,validators}          (n = -1 is latest)
 *   .../block/latest/{certificates,commitments}/{hotkey|self}
 *   .../block/recent/neurons
 *   /api/v1/block/{n}/extrinsic/{i}
 *
 * Each is one cache read.  What the helper does not keep fresh (a subnet
 * nobody tracks, a historical block) is fetched on demand: a "fetch" job
 * the request waits for, shared by identical concurrent requests.
 */

#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_cachecheck.h"
#include "store/jobs.h"


#define NGX_PYLON_USE_EVERY  60       /* s between "use" jobs of a subnet */



typedef struct {
    char        key[PYLON_KEY_MAX];
    const char *missing;
} ngx_pylon_fetch_t;


static ngx_int_t ngx_pylon_fetch_done(ngx_http_request_t *r, json_t *job);
static void ngx_pylon_subnet_used(ngx_http_request_t *r, ngx_int_t netuid);


/* the head the helper last wrote, 0 when none yet */

uint64_t
ngx_pylon_head(void)
{
    char             key[PYLON_KEY_MAX];
    uint64_t         head;
    pylon_store_t   *st;
    pylon_record_t   rec;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return 0;
    }

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_BLOCK, PYLON_NETUID_NONE);

    if (pylon_store_read(st, key, &rec) != PYLON_STORE_OK) {
        return 0;
    }

    head = rec.block;
    pylon_store_read_end(st);

    return head;
}


static ngx_int_t
ngx_pylon_block_not_found(ngx_http_request_t *r, int64_t block)
{
    u_char  detail[64], *p;

    p = ngx_snprintf(detail, sizeof(detail) - 1, "Block %L not found.",
                     block);
    *p = '\0';

    return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, (char *) detail);
}


static ngx_int_t
ngx_pylon_send_record(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx,
    const char *key, ngx_uint_t *found)
{
    ngx_int_t  rc;

    rc = ngx_pylon_send_cached_if(r, key, found, &ctx->served_block);

    return rc;
}


/*
 * A latest body of netuid was served from the cache: tell the helper
 * (a "use" job, nobody waits for it) at most every NGX_PYLON_USE_EVERY
 * seconds per subnet and worker, so that an auto-tracked subnet in use
 * stays tracked (ngx_pylon_refresh.h).  PYLON_USE_EVERY_S in the
 * worker's environment shortens it for tests.
 */

static void
ngx_pylon_subnet_used(ngx_http_request_t *r, ngx_int_t netuid)
{
    char         id[PYLON_JOB_ID_LEN + 1], *e;
    u_char       key[32], *p;
    json_t      *params;
    ngx_int_t    n;
    time_t       now;

    static time_t     every;
    static uint32_t   used[65536];           /* ngx_time() of the last */

    if (every == 0) {
        e = getenv("PYLON_USE_EVERY_S");
        n = e ? ngx_atoi((u_char *) e, ngx_strlen(e)) : NGX_ERROR;
        every = n > 0 ? (time_t) n : NGX_PYLON_USE_EVERY;
    }

    now = ngx_time();

    if (now - (time_t) used[netuid] < every) {
        return;
    }

    used[netuid] = (uint32_t) now;

    params = json_pack("{s:I}", "netuid", (json_int_t) netuid);
    if (params == NULL) {
        return;
    }

    p = ngx_snprintf(key, sizeof(key) - 1, "use/%i", netuid);
    *p = '\0';

    (void) ngx_pylon_job_submit(r, id, "use", (char *) key, PYLON_JOB_JOIN,
                                params, NULL);
    json_decref(params);
}


ngx_int_t
ngx_pylon_send_or_fetch(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx,
    const char *key, const char *missing)
{
    u_char              jkey[PYLON_JOB_KEY_MAX], *p;
    json_t             *params;
    ngx_int_t           rc;
    ngx_uint_t          found;
    ngx_pylon_fetch_t  *f;

    rc = ngx_pylon_send_record(r, ctx, key, &found);

    if (found) {
        ctx->cache_status = NGX_PYLON_CACHE_HIT;

        if (ctx->block == -1 && ctx->netuid >= 0 && ctx->netuid <= 65535) {
            ngx_pylon_subnet_used(r, ctx->netuid);
        }

        return rc;
    }

    /* not in the cache: ask the helper and wait */

    ctx->cache_status = NGX_PYLON_CACHE_MISS;

    f = ngx_pcalloc(r->pool, sizeof(ngx_pylon_fetch_t));
    if (f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_cpystrn((u_char *) f->key, (u_char *) key, sizeof(f->key));
    f->missing = missing;
    ctx->fetch = f;

    params = json_pack("{s:s, s:I, s:I}", "route", ctx->route->data,
                       "netuid", (json_int_t) ctx->netuid,
                       "block", (json_int_t) ctx->block);
    if (params == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_snprintf(jkey, sizeof(jkey) - 1, "fetch/%s/%i/%L",
                     ctx->route->data, ctx->netuid, ctx->block);
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "fetch", (char *) jkey, params,
                                   ctx->timeout, ngx_pylon_fetch_done);
}


static ngx_int_t
ngx_pylon_fetch_done(ngx_http_request_t *r, json_t *job)
{
    ngx_int_t           rc, status;
    ngx_uint_t          found;
    const char         *body, *error;
    ngx_pylon_ctx_t    *ctx;
    ngx_pylon_fetch_t  *f;

    ctx = ngx_pylon_ctx(r);
    f = ctx->fetch;

    status = json_integer_value(json_object_get(job, "status"));
    body = json_string_value(json_object_get(job, "body"));
    error = json_string_value(json_object_get(job, "error"));

    if (status == NGX_HTTP_OK) {
        rc = ngx_pylon_send_record(r, ctx, f->key, &found);
        if (found) {
            return rc;
        }

        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, f->missing);
    }

    if (status < 400 || status > 599) {
        status = NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (body) {
        /* body belongs to the job, which the caller releases after us */
        return ngx_pylon_send_json_copy(r, status, (u_char *) body,
                                        ngx_strlen(body));
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pylon: fetch of \"%s\" failed: %s", f->key,
                  error ? error : "no reason");

    return ngx_pylon_send_error(r, status, status == 500
                                ? "Internal Server Error" : "Bad Gateway");
}


/*
 * neurons, validators, certificates, commitments, prices (of one subnet
 * or, netuid -1, of all): latest or at a block
 */

ngx_int_t
ngx_pylon_subnet_data(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char        key[PYLON_KEY_MAX];
    uint64_t    head;
    ngx_uint_t  found;
    ngx_int_t   rc;

    if (ctx->block < -1) {
        return ngx_pylon_block_not_found(r, ctx->block);
    }

    pylon_key_latest(key, sizeof(key), ctx->route->data, (int) ctx->netuid);

    if (ctx->block == -1) {
        return ngx_pylon_send_or_fetch(r, ctx, key, "Not Found");
    }

    head = ngx_pylon_head();

    if (head && (uint64_t) ctx->block > head) {
        return ngx_pylon_block_not_found(r, ctx->block);
    }

    /* the head's block: the latest body is the same one */

    if ((uint64_t) ctx->block == head) {
        rc = ngx_pylon_send_cached_at(r, key, head, &found,
                                      &ctx->served_block);
        if (found) {
            ctx->cache_status = NGX_PYLON_CACHE_HIT;
            return rc;
        }
    }

    pylon_key_at_block(key, sizeof(key), ctx->route->data, (int) ctx->netuid,
                       (uint64_t) ctx->block);

    return ngx_pylon_send_or_fetch(r, ctx, key, "Not Found");
}


/* one hotkey's certificate or commitment, or the identity's own */

ngx_int_t
ngx_pylon_subnet_item(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char         key[PYLON_KEY_MAX], item[128];
    const char  *missing;

    if (ctx->hotkey.len == 0 || ctx->hotkey.len >= sizeof(item)) {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "Not Found");
    }

    ngx_cpystrn((u_char *) item, ctx->hotkey.data, ctx->hotkey.len + 1);

    if (ngx_strcmp(ctx->route->data, PYLON_ROUTE_CERTIFICATE) == 0) {
        missing = "Certificate not found or error fetching.";

    } else {
        missing = "Commitment not found.";
    }

    if (pylon_key_latest_item(key, sizeof(key), ctx->route->data,
                              (int) ctx->netuid, item) == 0)
    {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, missing);
    }

    return ngx_pylon_send_or_fetch(r, ctx, key, missing);
}


/*
 * Recent neurons: only what the cache holds (§5.4), never a fetch; stale
 * past the hard limit, counted in blocks of pylon_block_duration since it
 * was written.
 */

ngx_int_t
ngx_pylon_recent_neurons(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    int                     rc;
    char                    key[PYLON_KEY_MAX];
    u_char                 *body;
    uint64_t                now, age;
    pylon_store_t          *st;
    pylon_record_t          rec;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return ngx_pylon_send_cache_unavailable(r);
    }

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_NEURONS,
                     (int) ctx->netuid);

    rc = pylon_store_read(st, key, &rec);

    if (rc != PYLON_STORE_OK) {
        ctx->cache_status = NGX_PYLON_CACHE_EMPTY;
        return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "Recent neurons data is not available. Cache update may "
                   "not have finished yet or subnet may not be configured "
                   "for caching recent objects.");
    }

    /* in blocks of pylon_block_duration (Pylon v2, spec §3.3.9) */

    now = (uint64_t) ngx_time() * 1000;
    age = now > rec.written_ms ? now - rec.written_ms : 0;

    if (age / pmcf->block_duration > pmcf->recent_hard) {
        pylon_store_read_end(st);
        ctx->cache_status = NGX_PYLON_CACHE_EMPTY;
        return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "Recent neurons data is stale. Cache update may be "
                   "failing.");
    }

    if (age / pmcf->block_duration > pmcf->recent_soft) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pylon: recent neurons of subnet %i are %uL s old",
                      ctx->netuid, age / 1000);
    }

    body = ngx_pnalloc(r->pool, rec.len ? rec.len : 1);
    if (body == NULL) {
        pylon_store_read_end(st);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, rec.body, rec.len);
    ctx->served_block = rec.block;
    ctx->cache_status = NGX_PYLON_CACHE_HIT;
    pylon_store_read_end(st);

    return ngx_pylon_send_body(r, body, rec.len, rec.etag);
}


/* GET /api/v1/block/{n}/extrinsic/{i} */

ngx_int_t
ngx_pylon_extrinsic(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char    *missing, *p;
    char       key[PYLON_KEY_MAX], item[24];
    int64_t    index;
    uint64_t   head;

    index = ctx->params.ints[1];
    head = ngx_pylon_head();

    if (ctx->block == -1 && head) {
        ctx->block = (int64_t) head;
    }

    if (ctx->block < 0 || (head && (uint64_t) ctx->block > head)) {
        return ngx_pylon_block_not_found(r, ctx->block);
    }

    missing = ngx_pnalloc(r->pool, 96);
    if (missing == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_snprintf(missing, 95, "Extrinsic %L-%L not found.", ctx->block,
                     index);
    *p = '\0';

    if (index < 0) {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, (char *) missing);
    }

    ngx_snprintf((u_char *) item, sizeof(item), "%L%Z", index);

    pylon_key_at_block_item(key, sizeof(key), PYLON_ROUTE_EXTRINSIC,
                            PYLON_NETUID_NONE, (uint64_t) ctx->block, item);

    return ngx_pylon_send_or_fetch(r, ctx, key, (char *) missing);
}

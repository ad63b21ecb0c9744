/*
 * ngx_pylon_fetch.c: the "fetch" job (see ngx_pylon_fetch.h).
 *
 *   latest:      track the subnet -> one round at the current head (L/)
 *   historical:  chain_getBlockHash([n]) on the main node -> null: the
 *                same on the archive node (if any) -> null: 404
 *                -> a round at that hash (B/) on the main node, or on the
 *                archive node past the cutoff -> unknown block on the
 *                main node: the same round on the archive node.
 *
 * Recent blocks may still be replaced by a reorg.  Their B/ bodies are
 * keyed by number, so they must never stay from an orphaned fork: when
 * the follower sees a reorg, the groups from the first block that may
 * have changed are dropped (ngx_pylon_history_reorg); a fetch that ends
 * with a hash the follower no longer has at that number (the reorg came
 * while it ran) drops what it wrote and starts over from the number, at
 * most NGX_PYLON_FETCH_REORG_TRIES times.  A reorg while no helper
 * followed the chain (between a helper's death and the next one's first
 * head) is seen by nobody: at its first head the helper drops the groups
 * of the last NGX_PYLON_FOLLOW_RECENT blocks an earlier helper wrote
 * (ngx_pylon_history_unfollowed).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_fetch.h"
#include "helper/ngx_pylon_history.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_refresh_v2.h"


#define NGX_PYLON_FETCH_REORG_TRIES  3


typedef struct {
    ngx_pylon_helper_t    *helper;
    ngx_pylon_job_t       *job;
    ngx_int_t              netuid;
    int64_t                block;
    char                   hash[67];
    ngx_uint_t             archive;         /* the round runs there */
    ngx_uint_t             cutoff;          /* ... because of the cutoff */
    ngx_uint_t             extrinsic;       /* the whole block's body */
    ngx_uint_t             latest;          /* L/ keys, not history */
    ngx_uint_t             tries;           /* started over after reorgs */
    ngx_uint_t             reorgs;          /* seen when the hash came */
} ngx_pylon_fetch_t;


static void ngx_pylon_fetch_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job);
static void ngx_pylon_fetch_use(ngx_pylon_helper_t *h, ngx_pylon_job_t *job);
static void ngx_pylon_fetch_hash(void *data, json_t *result,
    const char *error);
static void ngx_pylon_fetch_start(ngx_pylon_fetch_t *f);
static void ngx_pylon_fetch_done(void *data, const char *error,
    ngx_uint_t unknown);
static void ngx_pylon_fetch_end(ngx_pylon_fetch_t *f, ngx_uint_t status,
    const char *detail, const char *error);
static void ngx_pylon_fetch_event(void *data);
static void ngx_pylon_fetch_reorg(void *data, uint64_t from);
static void ngx_pylon_fetch_first_head(void *data, uint64_t number,
    const u_char *hash);
static ngx_int_t ngx_pylon_fetch_by_number(ngx_pylon_fetch_t *f);


static ngx_pylon_refresh_t  *ngx_pylon_fetch_refresh;
static ngx_pylon_session_t  *ngx_pylon_archive;
static ngx_uint_t            ngx_pylon_fallbacks;
static ngx_uint_t            ngx_pylon_fetch_followed;


ngx_int_t
ngx_pylon_fetch_init(ngx_pylon_helper_t *h, ngx_pylon_refresh_t *refresh)
{
    ngx_pylon_fetch_refresh = refresh;

    if (h->pmcf->archive.url.len) {
        ngx_pylon_archive = ngx_pylon_session_create(h, &h->pmcf->archive,
                                                     "archive",
                                                     ngx_pylon_fetch_event,
                                                     ngx_pylon_fetch_event,
                                                     NULL);
        if (ngx_pylon_archive == NULL) {
            return NGX_ERROR;
        }
    }

    if (ngx_pylon_follow_on_reorg(h->follow, ngx_pylon_fetch_reorg, h)
        != NGX_OK
        || ngx_pylon_follow_listen(h->follow, ngx_pylon_fetch_first_head, h)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_pylon_runner_register("use", ngx_pylon_fetch_use) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pylon_runner_register("fetch", ngx_pylon_fetch_run);
}


/* "use": a worker served the subnet's latest body from the cache */

static void
ngx_pylon_fetch_use(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    json_t  *netuid;

    netuid = json_object_get(job->params, "netuid");

    if (json_is_integer(netuid)) {
        (void) ngx_pylon_refresh_use(ngx_pylon_fetch_refresh,
                                     (ngx_int_t) json_integer_value(netuid));
    }

    ngx_pylon_job_finish(h, job, PYLON_JOB_DONE, 200, NULL, NULL);
}


static void
ngx_pylon_fetch_reorg(void *data, uint64_t from)
{
    ngx_pylon_helper_t  *h = data;

    ngx_pylon_history_reorg(h, from);
}


static void
ngx_pylon_fetch_first_head(void *data, uint64_t number, const u_char *hash)
{
    ngx_pylon_helper_t  *h = data;

    if (ngx_pylon_fetch_followed) {
        return;
    }

    ngx_pylon_fetch_followed = 1;

    ngx_pylon_history_unfollowed(h, number > NGX_PYLON_FOLLOW_RECENT
                                    ? number - NGX_PYLON_FOLLOW_RECENT : 0);
}


void
ngx_pylon_fetch_connect(void)
{
    if (ngx_pylon_archive) {
        ngx_pylon_session_connect(ngx_pylon_archive);
    }
}


void
ngx_pylon_fetch_shutdown(void)
{
    if (ngx_pylon_archive) {
        ngx_pylon_session_shutdown(ngx_pylon_archive);
    }
}


void
ngx_pylon_fetch_tick(void)
{
    if (ngx_pylon_archive) {
        ngx_pylon_session_tick(ngx_pylon_archive);
    }
}


void
ngx_pylon_fetch_free(void)
{
    if (ngx_pylon_archive) {
        ngx_pylon_session_free(ngx_pylon_archive);
        ngx_pylon_archive = NULL;
    }
}


ngx_uint_t
ngx_pylon_fetch_fallbacks(void)
{
    return ngx_pylon_fallbacks;
}


static void
ngx_pylon_fetch_event(void *data)
{
    /* the archive session needs no follow-up on (re)connection */
}


static void
ngx_pylon_fetch_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    uint64_t            head;
    json_t             *route, *netuid, *block;
    const u_char       *hash;
    ngx_pylon_fetch_t  *f;
    u_char              detail[64];

    f = ngx_calloc(sizeof(ngx_pylon_fetch_t), h->log);
    if (f == NULL) {
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "no memory");
        return;
    }

    f->helper = h;
    f->job = job;

    route = json_object_get(job->params, "route");
    netuid = json_object_get(job->params, "netuid");
    block = json_object_get(job->params, "block");

    if (!json_is_string(route) || !json_is_integer(netuid)
        || !json_is_integer(block))
    {
        ngx_pylon_fetch_end(f, 500, "Internal Server Error", "bad params");
        return;
    }

    f->netuid = (ngx_int_t) json_integer_value(netuid);
    f->block = json_integer_value(block);

    /* the v2 routes (drand, prices, revealed commitments) */

    if (ngx_pylon_refresh_v2_part(json_string_value(route))) {
        ngx_free(f);
        ngx_pylon_fetch_v2_run(h, job, ngx_pylon_fetch_refresh,
                               ngx_pylon_archive);
        return;
    }

    f->extrinsic = ngx_strcmp(json_string_value(route),
                              PYLON_ROUTE_EXTRINSIC) == 0;

    if (!f->extrinsic && (f->netuid < 0 || f->netuid > 65535)) {
        ngx_pylon_fetch_end(f, 500, "Internal Server Error", "bad netuid");
        return;
    }

    head = ngx_pylon_follow_head(h->follow, &hash);

    if (f->block < 0 && f->extrinsic) {
        f->block = (int64_t) head;
    }

    if (f->block < 0) {

        if (head == 0) {
            ngx_pylon_fetch_end(f, 503, "Service Unavailable",
                                "no head yet");
            return;
        }

        (void) ngx_pylon_refresh_track(ngx_pylon_fetch_refresh, f->netuid);

        f->block = (int64_t) head;
        f->latest = 1;
        ngx_cpystrn((u_char *) f->hash, (u_char *) hash, sizeof(f->hash));

        if (ngx_pylon_refresh_one(ngx_pylon_fetch_refresh, h->chain,
                                  f->netuid, head, f->hash, 1,
                                  ngx_pylon_fetch_done, f)
            != NGX_OK)
        {
            ngx_pylon_fetch_end(f, 500, "Internal Server Error",
                                "no memory");
        }

        return;
    }

    if (head && (uint64_t) f->block > head) {
        ngx_snprintf(detail, sizeof(detail), "Block %L not found.%Z",
                     f->block);
        ngx_pylon_fetch_end(f, 404, (char *) detail, "block above head");
        return;
    }

    if (ngx_pylon_fetch_by_number(f) != NGX_OK) {
        ngx_pylon_fetch_end(f, 500, "Internal Server Error",
                            "chain not connected");
    }
}


static ngx_int_t
ngx_pylon_fetch_by_number(ngx_pylon_fetch_t *f)
{
    f->archive = 0;
    f->cutoff = 0;

    return ngx_pylon_session_call(f->helper->chain, "chain_getBlockHash",
                                  json_pack("[I]", (json_int_t) f->block),
                                  ngx_pylon_fetch_hash, f);
}


static void
ngx_pylon_fetch_hash(void *data, json_t *result, const char *error)
{
    ngx_pylon_fetch_t  *f = data;

    uint64_t   head;
    u_char     detail[64];

    if (result != NULL && json_is_null(result) && !f->archive
        && ngx_pylon_archive)
    {
        /* a main node that does not know the number: the archive may */
        f->archive = 1;

        if (ngx_pylon_session_call(ngx_pylon_archive, "chain_getBlockHash",
                                   json_pack("[I]", (json_int_t) f->block),
                                   ngx_pylon_fetch_hash, f)
            == NGX_OK)
        {
            ngx_pylon_fallbacks++;
            return;
        }
    }

    if (result != NULL && json_is_null(result)) {
        ngx_snprintf(detail, sizeof(detail), "Block %L not found.%Z",
                     f->block);
        ngx_pylon_fetch_end(f, 404, (char *) detail, "no such block");
        return;
    }

    if (result == NULL || !json_is_string(result)
        || json_string_length(result) != 66)
    {
        ngx_pylon_fetch_end(f, 500, "Internal Server Error",
                            error ? error : "malformed block hash");
        return;
    }

    ngx_cpystrn((u_char *) f->hash, (u_char *) json_string_value(result),
                sizeof(f->hash));

    f->reorgs = ngx_pylon_follow_reorgs(f->helper->follow, NULL);

    head = ngx_pylon_follow_head(f->helper->follow, NULL);

    if (ngx_pylon_archive
        && head > (uint64_t) f->block
        && head - (uint64_t) f->block > f->helper->pmcf->archive_cutoff)
    {
        f->archive = 1;
        f->cutoff = 1;
    }

    ngx_pylon_fetch_start(f);
}


static void
ngx_pylon_fetch_start(ngx_pylon_fetch_t *f)
{
    if (f->extrinsic) {
        if (ngx_pylon_refresh_block(ngx_pylon_fetch_refresh,
                                    f->archive ? ngx_pylon_archive
                                               : f->helper->chain,
                                    (uint64_t) f->block, f->hash,
                                    ngx_pylon_fetch_done, f)
            != NGX_OK)
        {
            ngx_pylon_fetch_end(f, 500, "Internal Server Error",
                                "no memory");
        }

        return;
    }

    if (ngx_pylon_refresh_one(ngx_pylon_fetch_refresh,
                              f->archive ? ngx_pylon_archive
                                         : f->helper->chain,
                              f->netuid, (uint64_t) f->block, f->hash, 0,
                              ngx_pylon_fetch_done, f)
        != NGX_OK)
    {
        ngx_pylon_fetch_end(f, 500, "Internal Server Error", "no memory");
    }
}


static void
ngx_pylon_fetch_done(void *data, const char *error, ngx_uint_t unknown)
{
    ngx_pylon_fetch_t  *f = data;

    u_char         detail[256];
    uint64_t       from;
    ngx_uint_t     left;
    const u_char  *now;

    if (!f->latest) {
        now = ngx_pylon_follow_hash_at(f->helper->follow,
                                       (uint64_t) f->block);

        /*
         * another hash there now, or a deep reorg over it meanwhile: what
         * was read (or failed to be: a node may forget a left fork's
         * state) belongs to the left fork
         */

        left = now ? ngx_strcmp(now, f->hash) != 0
                   : ngx_pylon_follow_reorgs(f->helper->follow, &from)
                     != f->reorgs
                     && (uint64_t) f->block >= from;

        if (left) {
            ngx_log_error(NGX_LOG_NOTICE, f->helper->log, 0,
                          "pylon helper: block %L was read at %s, now %s: "
                          "read again", f->block, f->hash,
                          now ? (char *) now : "unknown");

            ngx_pylon_history_drop(f->helper,
                                   f->extrinsic ? -1 : f->netuid,
                                   (uint64_t) f->block);

            if (++f->tries < NGX_PYLON_FETCH_REORG_TRIES
                && ngx_pylon_fetch_by_number(f) == NGX_OK)
            {
                return;
            }

            ngx_pylon_fetch_end(f, 503, "Service Unavailable",
                                "the chain is reorganising");
            return;
        }
    }

    if (error == NULL) {
        if (!f->latest) {
            ngx_pylon_history_touch(f->helper,
                                    f->extrinsic ? -1 : f->netuid,
                                    (uint64_t) f->block);
        }
        ngx_pylon_fetch_end(f, 200, NULL, NULL);
        return;
    }

    if (!f->archive && unknown && ngx_pylon_archive) {
        ngx_log_error(NGX_LOG_NOTICE, f->helper->log, 0,
                      "pylon helper: block %L not on the main node (%s), "
                      "asking the archive node", f->block, error);
        ngx_pylon_fallbacks++;
        ngx_pylon_stats_fallback("unknown_block", f->extrinsic
                                                  ? "get_extrinsic"
                                                  : "get_neurons", NULL);
        f->archive = 1;
        ngx_pylon_fetch_start(f);
        return;
    }

    if (f->archive && f->cutoff) {
        ngx_snprintf(detail, sizeof(detail),
                     "Block %L data is unavailable on the archive node. "
                     "Archive was used because the block exceeded archive "
                     "block cutoff (%ui blocks).%Z",
                     f->block, f->helper->pmcf->archive_cutoff);
        ngx_pylon_fetch_end(f, 502, (char *) detail, error);
        return;
    }

    if (f->archive) {
        ngx_snprintf(detail, sizeof(detail),
                     "Block %L data is unavailable on both main and "
                     "archive nodes.%Z", f->block);
        ngx_pylon_fetch_end(f, 502, (char *) detail, error);
        return;
    }

    ngx_pylon_fetch_end(f, 500, "Internal Server Error", error);
}


static void
ngx_pylon_fetch_end(ngx_pylon_fetch_t *f, ngx_uint_t status,
    const char *detail, const char *error)
{
    char    *body;
    json_t  *env;

    if (status == 200) {
        ngx_pylon_job_finish(f->helper, f->job, PYLON_JOB_DONE, 200, NULL,
                             NULL);
        ngx_free(f);
        return;
    }

    env = json_pack("{sIss}", "status_code", (json_int_t) status,
                    "detail", detail);
    body = env ? json_dumps(env, JSON_COMPACT|JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);

    ngx_log_error(NGX_LOG_INFO, f->helper->log, 0,
                  "pylon helper: fetch of subnet %i at %L failed: %ui %s",
                  f->netuid, f->block, status, error ? error : "");

    ngx_pylon_job_finish(f->helper, f->job, PYLON_JOB_FAILED, status, body,
                         error);
    free(body);
    ngx_free(f);
}

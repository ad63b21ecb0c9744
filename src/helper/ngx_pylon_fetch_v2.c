/*
 * ngx_pylon_fetch_v2.c: the "fetch" job of the v2 routes (drand, prices,
 * price, revealed commitments), handed over by ngx_pylon_fetch.c.
 *
 *   latest:      track the subnet (kept fresh from the next head on)
 *                -> one v2 round at the current head (L/)
 *   historical:  chain_getBlockHash([n]) -> null: 404 -> a v2 round at
 *                that hash (B/) on the main node, or on the archive node
 *                past the cutoff or when the main node does not know it.
 *
 * A historical round decodes with the runtime of its block: the fetch
 * asks the node it reads from for it (ngx_pylon_meta_acquire_at(), from
 * the helper's cache when that spec's metadata is there), holds the
 * reference until the job ends and releases it (issue 13: a block of an
 * older runtime is not decoded with the head's metadata).  A latest round
 * uses the head's runtime; before the first subnet round it is not known
 * yet: a round of subnet 0 at the same block loads it first.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_refresh_v2.h"


typedef struct {
    ngx_pylon_helper_t    *helper;
    ngx_pylon_job_t       *job;
    ngx_pylon_refresh_t   *refresh;
    ngx_pylon_session_t   *archive;
    ngx_uint_t             part;
    ngx_int_t              netuid;
    int64_t                block;
    char                   hash[67];
    pylon_runtime_t       *rt;          /* historical: a reference */
    ngx_uint_t             latest;
    ngx_uint_t             on_archive;
    ngx_uint_t             cutoff;
    ngx_uint_t             meta_tried;
} ngx_pylon_fetch_v2_t;


static void ngx_pylon_fetch_v2_hash(void *data, json_t *result,
    const char *error);
static void ngx_pylon_fetch_v2_start(ngx_pylon_fetch_v2_t *f);
static void ngx_pylon_fetch_v2_meta(void *data, const char *error,
    ngx_uint_t unknown);
static void ngx_pylon_fetch_v2_runtime(void *data, pylon_runtime_t *rt,
    const char *error);
static void ngx_pylon_fetch_v2_done(void *data, ngx_uint_t status,
    const char *detail, ngx_uint_t unknown);
static void ngx_pylon_fetch_v2_end(ngx_pylon_fetch_v2_t *f,
    ngx_uint_t status, const char *detail);


void
ngx_pylon_fetch_v2_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    ngx_pylon_refresh_t *refresh, ngx_pylon_session_t *archive)
{
    uint64_t               head;
    const u_char          *hash;
    ngx_pylon_fetch_v2_t  *f;
    u_char                 detail[64];

    f = ngx_calloc(sizeof(ngx_pylon_fetch_v2_t), h->log);
    if (f == NULL) {
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "no memory");
        return;
    }

    f->helper = h;
    f->job = job;
    f->refresh = refresh;
    f->archive = archive;
    f->part = ngx_pylon_refresh_v2_part(json_string_value(
                  json_object_get(job->params, "route")));
    f->netuid = json_integer_value(json_object_get(job->params, "netuid"));
    f->block = json_integer_value(json_object_get(job->params, "block"));

    if ((f->part & (NGX_PYLON_V2_PRICE|NGX_PYLON_V2_REVEALED))
        && (f->netuid < 0 || f->netuid > 65535))
    {
        ngx_pylon_fetch_v2_end(f, 500, "Internal Server Error");
        return;
    }

    head = ngx_pylon_follow_head(h->follow, &hash);

    if (f->block < 0) {
        if (head == 0) {
            ngx_pylon_fetch_v2_end(f, 503, "Service Unavailable");
            return;
        }

        if (f->part & (NGX_PYLON_V2_PRICE|NGX_PYLON_V2_REVEALED)) {
            (void) ngx_pylon_refresh_track(refresh, f->netuid);
        }

        f->block = (int64_t) head;
        f->latest = 1;
        ngx_cpystrn((u_char *) f->hash, (u_char *) hash, sizeof(f->hash));
        ngx_pylon_fetch_v2_start(f);
        return;
    }

    if (head && (uint64_t) f->block > head) {
        ngx_snprintf(detail, sizeof(detail), "Block %L not found.%Z",
                     f->block);
        ngx_pylon_fetch_v2_end(f, 404, (char *) detail);
        return;
    }

    if (ngx_pylon_session_call(h->chain, "chain_getBlockHash",
                               json_pack("[I]", (json_int_t) f->block),
                               ngx_pylon_fetch_v2_hash, f)
        != NGX_OK)
    {
        ngx_pylon_fetch_v2_end(f, 502, "chain_getBlockHash failed: not "
                                       "connected");
    }
}


static void
ngx_pylon_fetch_v2_hash(void *data, json_t *result, const char *error)
{
    ngx_pylon_fetch_v2_t  *f = data;

    uint64_t  head;
    u_char    detail[256];

    if (result != NULL && json_is_null(result)) {
        ngx_snprintf(detail, sizeof(detail), "Block %L not found.%Z",
                     f->block);
        ngx_pylon_fetch_v2_end(f, 404, (char *) detail);
        return;
    }

    if (!json_is_string(result) || json_string_length(result) != 66) {
        ngx_snprintf(detail, sizeof(detail), "get_block failed on %s: %s%Z",
                     f->helper->pmcf->network.name.data,
                     error ? error : "malformed block hash");
        ngx_pylon_fetch_v2_end(f, 502, (char *) detail);
        return;
    }

    ngx_cpystrn((u_char *) f->hash, (u_char *) json_string_value(result),
                sizeof(f->hash));

    head = ngx_pylon_follow_head(f->helper->follow, NULL);

    if (f->archive && head > (uint64_t) f->block
        && head - (uint64_t) f->block > f->helper->pmcf->archive_cutoff)
    {
        f->on_archive = 1;
        f->cutoff = 1;
    }

    ngx_pylon_fetch_v2_start(f);
}


static void
ngx_pylon_fetch_v2_start(ngx_pylon_fetch_v2_t *f)
{
    ngx_pylon_session_t  *s;
    ngx_pylon_node_t     *node;

    s = f->on_archive ? f->archive : f->helper->chain;
    node = f->on_archive ? &f->helper->pmcf->archive
                         : &f->helper->pmcf->network;

    if (!f->latest && f->rt == NULL) {

        /* the runtime of the block read, asked of the node read from */

        if (ngx_pylon_meta_acquire_at(f->helper->meta, s, f->hash,
                                      ngx_pylon_fetch_v2_runtime, f)
            != NGX_OK)
        {
            ngx_pylon_fetch_v2_runtime(f, NULL, "not connected");
        }

        return;
    }

    if (f->latest && ngx_pylon_refresh_meta(f->refresh) == NULL) {

        if (f->meta_tried) {
            ngx_pylon_fetch_v2_end(f, 503, "Service Unavailable");
            return;
        }

        /* a subnet round loads (and caches) the runtime's metadata */

        f->meta_tried = 1;

        if (ngx_pylon_refresh_one(f->refresh, s, 0, (uint64_t) f->block,
                                  f->hash, 0, ngx_pylon_fetch_v2_meta, f)
            != NGX_OK)
        {
            ngx_pylon_fetch_v2_end(f, 500, "Internal Server Error");
        }

        return;
    }

    if (ngx_pylon_refresh_v2(f->refresh, f->helper, s,
                             (char *) node->name.data, (uint64_t) f->block,
                             f->hash, f->rt, f->latest, f->part,
                             &f->netuid, 1,
                             ngx_pylon_fetch_v2_done, f)
        != NGX_OK)
    {
        ngx_pylon_fetch_v2_end(f, 500, "Internal Server Error");
    }
}


static void
ngx_pylon_fetch_v2_meta(void *data, const char *error, ngx_uint_t unknown)
{
    ngx_pylon_fetch_v2_start(data);
}


static void
ngx_pylon_fetch_v2_runtime(void *data, pylon_runtime_t *rt,
    const char *error)
{
    ngx_pylon_fetch_v2_t  *f = data;

    u_char             text[256];
    ngx_pylon_node_t  *node;

    if (rt != NULL) {
        f->rt = rt;                            /* the reference is ours */
        ngx_pylon_fetch_v2_start(f);
        return;
    }

    if (!f->on_archive && f->archive) {
        f->on_archive = 1;           /* the main node may have pruned it */
        ngx_pylon_fetch_v2_start(f);
        return;
    }

    node = f->on_archive ? &f->helper->pmcf->archive
                         : &f->helper->pmcf->network;

    ngx_snprintf(text, sizeof(text), "get_runtime_version failed on %s: %s%Z",
                 node->name.data, error ? error : "no runtime");
    ngx_pylon_fetch_v2_done(f, 502, (char *) text, 0);
}


static void
ngx_pylon_fetch_v2_done(void *data, ngx_uint_t status, const char *detail,
    ngx_uint_t unknown)
{
    ngx_pylon_fetch_v2_t  *f = data;

    u_char  text[256];

    if (status == 200) {
        ngx_pylon_fetch_v2_end(f, 200, NULL);
        return;
    }

    if (!f->on_archive && !f->latest && unknown && f->archive) {
        f->on_archive = 1;
        ngx_pylon_meta_release(f->rt);         /* asked of the archive */
        f->rt = NULL;
        ngx_pylon_fetch_v2_start(f);
        return;
    }

    if (f->on_archive && f->cutoff && status == 502) {
        ngx_snprintf(text, sizeof(text),
                     "Block %L data is unavailable on the archive node. "
                     "Archive was used because the block exceeded archive "
                     "block cutoff (%ui blocks).%Z",
                     f->block, f->helper->pmcf->archive_cutoff);
        detail = (char *) text;
    }

    ngx_pylon_fetch_v2_end(f, status, detail);
}


static void
ngx_pylon_fetch_v2_end(ngx_pylon_fetch_v2_t *f, ngx_uint_t status,
    const char *detail)
{
    char    *body;
    json_t  *env;

    ngx_pylon_meta_release(f->rt);
    f->rt = NULL;

    if (status == 200) {
        ngx_pylon_job_finish(f->helper, f->job, PYLON_JOB_DONE, 200, NULL,
                             NULL);
        ngx_free(f);
        return;
    }

    env = json_pack("{sIss}", "status_code", (json_int_t) status,
                    "detail", detail ? detail : "");
    body = env ? json_dumps(env, JSON_COMPACT|JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);

    ngx_pylon_job_finish(f->helper, f->job, PYLON_JOB_FAILED, status, body,
                         detail);
    free(body);
    ngx_free(f);
}

/*
 * ngx_pylon_refresh_round.c: the refresh round engine (see
 * ngx_pylon_refresh_int.h): a round's life from create to free, its timed
 * calls, its per-subnet reads (get_neurons_lite, get_subnet_state,
 * hyperparameters; whether a head round pages commitments and
 * certificates, pylon_storage_every), the block body read, and failure
 * accounting.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"
#include "helper/ngx_pylon_follow.h"


static ngx_uint_t ngx_pylon_round_wants_hyper(ngx_pylon_round_t *rd,
    ngx_int_t netuid);
static ngx_uint_t ngx_pylon_round_wants_storage(ngx_pylon_round_t *rd,
    ngx_int_t netuid, ngx_uint_t reorgs);
static ngx_uint_t ngx_pylon_round_reorgs(ngx_pylon_round_t *rd);
static void ngx_pylon_timed_reply(void *data, json_t *result,
    const char *error);
static void ngx_pylon_round_free(ngx_pylon_round_t *rd);
static void ngx_pylon_round_block(void *data, json_t *result,
    const char *error);
static void ngx_pylon_sub_neurons(void *data, json_t *result,
    const char *error);
static void ngx_pylon_sub_state(void *data, json_t *result,
    const char *error);
static void ngx_pylon_sub_hyper(void *data, json_t *result,
    const char *error);
static ngx_uint_t ngx_pylon_is_unknown_block(const char *error);


/*
 * The hyperparameters call of this runtime: get_subnet_hyperparams_v2
 * where the metadata has it (spec 343 on), the deprecated v1 otherwise.
 * Both decode to the same field names (v2 adds some).  The v3 call
 * (spec 413 on) answers a list of entries of another shape and is not
 * used yet; its runtimes still have v2.
 */

static const char *
ngx_pylon_round_hyper_method(const pylon_meta_t *m)
{
    if (m && pylon_runtime_api_find(m,
                        "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2",
                        NULL) != NULL)
    {
        return "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2";
    }

    return "SubnetInfoRuntimeApi_get_subnet_hyperparams";
}


ngx_pylon_round_t *
ngx_pylon_round_create(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash, ngx_uint_t latest, ngx_int_t *netuids,
    ngx_uint_t n)
{
    ngx_uint_t          i, k;
    ngx_pylon_round_t  *rd;

    rd = ngx_calloc(sizeof(ngx_pylon_round_t), r->helper->log);
    if (rd == NULL) {
        return NULL;
    }

    rd->subs = ngx_calloc((n ? n : 1) * sizeof(ngx_pylon_sub_t),
                          r->helper->log);
    if (rd->subs == NULL) {
        ngx_free(rd);
        return NULL;
    }

    rd->refresh = r;
    rd->session = s;
    rd->number = number;
    ngx_cpystrn((u_char *) rd->hash, (u_char *) hash, sizeof(rd->hash));
    rd->latest = latest;
    rd->nsubs = n;
    rd->started = ngx_current_msec;

    for (i = 0; i < n; i++) {
        rd->subs[i].round = rd;
        rd->subs[i].netuid = netuids[i];
        rd->subs[i].storage = 1;
        for (k = 0; k < 2; k++) {
            rd->subs[i].page[k].sub = &rd->subs[i];
            rd->subs[i].page[k].which = k;
        }
    }

    r->rounds++;

    return rd;
}


/*
 * A latest round does not wait for the runtime version: with the metadata
 * of the last spec seen at hand, the subnet calls go out together with
 * state_getRuntimeVersion, and the version only confirms the guess (or,
 * after a runtime upgrade, swaps the metadata the bodies are decoded
 * with: the reads themselves are raw bytes at the block's hash).
 */

void
ngx_pylon_round_start(ngx_pylon_round_t *rd)
{
    ngx_pylon_refresh_t  *r;

    r = rd->refresh;

    if (ngx_pylon_round_call(rd, "state_getRuntimeVersion",
                             json_pack("[s]", rd->hash),
                             ngx_pylon_round_version, rd)
        != NGX_OK)
    {
        rd->pending = 1;
        ngx_pylon_round_fail(rd, "state_getRuntimeVersion", "not connected");
        ngx_pylon_round_step(rd);
        return;
    }

    if (!rd->latest || rd->extrinsics || r->spec == 0) {
        return;
    }

    /* the runtime of the last spec seen, held as a guess */
    rd->rt = ngx_pylon_meta_acquire(r->helper->meta, r->spec);

    if (rd->rt != NULL) {
        rd->guessed = 1;
        ngx_pylon_round_subnets(rd);
    }
}


void
ngx_pylon_round_subnets(ngx_pylon_round_t *rd)
{
    u_char               nu[16];
    ngx_uint_t           i, k;
    const char          *hyper;
    pylon_meta_t        *m;
    ngx_pylon_sub_t     *sub;

    static const char  *items[2][2] = {
        { "Commitments", "CommitmentOf" },
        { "SubtensorModule", "NeuronCertificates" }
    };

    if (rd->reading) {
        return;                      /* sent already, on a guessed spec */
    }

    rd->reading = 1;

    m = rd->rt->meta;

    if (rd->extrinsics
        && ngx_pylon_round_call(rd, "chain_getBlock",
                                json_pack("[s]", rd->hash),
                                ngx_pylon_round_block, rd)
           != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "chain_getBlock", "not connected");
        return;
    }

    hyper = ngx_pylon_round_hyper_method(m);

    for (i = 0; i < rd->nsubs && !rd->failed; i++) {
        sub = &rd->subs[i];
        sub->hyper_method = hyper;

        ngx_snprintf(nu, sizeof(nu), "0x%02xi%02xi%Z",
                     sub->netuid & 0xff, (sub->netuid >> 8) & 0xff);

        if (ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]",
                                       "NeuronInfoRuntimeApi_get_neurons_lite",
                                       (char *) nu, rd->hash),
                                 ngx_pylon_sub_neurons, sub) != NGX_OK
            || ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]",
                                     "SubnetInfoRuntimeApi_get_subnet_state",
                                     (char *) nu, rd->hash),
                                 ngx_pylon_sub_state, sub) != NGX_OK
            || (ngx_pylon_round_wants_hyper(rd, sub->netuid)
                && ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]", hyper, (char *) nu,
                                           rd->hash),
                                 ngx_pylon_sub_hyper, sub) != NGX_OK))
        {
            ngx_pylon_round_fail(rd, "state_call", "not connected");
            return;
        }

        sub->reorgs = ngx_pylon_round_reorgs(rd);
        sub->storage = ngx_pylon_round_wants_storage(rd, sub->netuid,
                                                     sub->reorgs);

        for (k = 0; sub->storage && k < 2; k++) {
            if (pylon_subnet_prefix(sub->page[k].prefix,
                                    sizeof(sub->page[k].prefix), m,
                                    items[k][0], items[k][1],
                                    (uint16_t) sub->netuid)
                != 0)
            {
                /* this runtime does not have the item: nothing to read */
                sub->page[k].prefix[0] = '\0';
                continue;
            }

            rd->pending++;
            ngx_pylon_page_next(&sub->page[k], NULL);
        }
    }
}


/*
 * Hyperparameters change rarely and cost a runtime call: the latest ones
 * are read every NGX_PYLON_HYPER_EVERY blocks per subnet (and at once
 * for a subnet just tracked), never for historical blocks.
 */

static ngx_uint_t
ngx_pylon_round_wants_hyper(ngx_pylon_round_t *rd, ngx_int_t netuid)
{
    ngx_uint_t            i;
    ngx_pylon_tracked_t  *t;

    if (!rd->latest) {
        return 0;
    }

    for (i = 0; i < rd->refresh->ntracked; i++) {
        t = &rd->refresh->tracked[i];

        if (t->netuid != netuid) {
            continue;
        }

        if (t->hyper_block && rd->number >= t->hyper_block
            && rd->number - t->hyper_block < NGX_PYLON_HYPER_EVERY)
        {
            return 0;
        }

        t->hyper_block = rd->number;
        return 1;
    }

    return 1;
}


/*
 * Commitments and certificates are paged reads (two or more calls per
 * subnet, their values the bulk of a round's bytes on a busy subnet).
 * A head round reads them every pylon_storage_every blocks per subnet:
 * at once for a subnet never read since it was tracked (or since the
 * helper started), after a reorg the follower saw since the last read,
 * and when pylon_storage_every blocks have passed since the last read
 * that was written.  Otherwise the subnet's cached bodies stay as they
 * are, with the block they were read at.  Other rounds (on-demand,
 * historical) always read them.
 */

static ngx_uint_t
ngx_pylon_round_wants_storage(ngx_pylon_round_t *rd, ngx_int_t netuid,
    ngx_uint_t reorgs)
{
    uint64_t              every;
    ngx_uint_t            i;
    ngx_pylon_tracked_t  *t;

    every = (uint64_t) rd->refresh->helper->pmcf->storage_every;

    if (!rd->head || every <= 1) {
        return 1;
    }

    for (i = 0; i < rd->refresh->ntracked; i++) {
        t = &rd->refresh->tracked[i];

        if (t->netuid != netuid) {
            continue;
        }

        return t->storage_block == 0
               || t->storage_reorgs != reorgs
               || rd->number < t->storage_block
               || rd->number - t->storage_block >= every;
    }

    return 1;
}


/* the follower's reorg count (0 without a follower) */

static ngx_uint_t
ngx_pylon_round_reorgs(ngx_pylon_round_t *rd)
{
    ngx_pylon_follow_t  *f;

    f = rd->refresh->helper->follow;

    return f ? ngx_pylon_follow_reorgs(f, NULL) : 0;
}


/* every call is timed for the metrics hook on its way back */

ngx_int_t
ngx_pylon_round_call(ngx_pylon_round_t *rd, const char *method,
    json_t *params, ngx_pylon_reply_pt reply, void *data)
{
    ngx_pylon_timed_t  *t;

    t = ngx_alloc(sizeof(ngx_pylon_timed_t), rd->refresh->helper->log);
    if (t == NULL) {
        json_decref(params);
        return NGX_DECLINED;
    }

    t->helper = rd->refresh->helper;
    t->method = method;                  /* always a string literal */
    t->started = ngx_current_msec;
    t->reply = reply;
    t->data = data;

    rd->refresh->calls++;

    if (ngx_pylon_session_call(rd->session, method, params,
                               ngx_pylon_timed_reply, t)
        != NGX_OK)
    {
        ngx_free(t);
        return NGX_DECLINED;
    }

    rd->pending++;

    return NGX_OK;
}


static void
ngx_pylon_timed_reply(void *data, json_t *result, const char *error)
{
    ngx_pylon_timed_t  *t = data;

    ngx_pylon_timed_t  c;

    c = *t;
    ngx_free(t);

    ngx_time_update();
    ngx_pylon_refresh_observe(c.helper, c.method,
                              ngx_current_msec - c.started, result != NULL);

    c.reply(c.data, result, error);
}


void
ngx_pylon_round_fail(ngx_pylon_round_t *rd, const char *what,
    const char *error)
{
    if (rd->failed) {
        return;
    }

    rd->failed = 1;
    rd->unknown = ngx_pylon_is_unknown_block(error);
    ngx_snprintf((u_char *) rd->error, sizeof(rd->error) - 1, "%s: %s%Z",
                 what, error);
}


void
ngx_pylon_sub_fail(ngx_pylon_sub_t *sub, const char *what,
    const char *error)
{
    ngx_pylon_round_t  *rd;

    rd = sub->round;

    if (!rd->latest || rd->nsubs < 2) {
        ngx_pylon_round_fail(rd, what, error);
        return;
    }

    if (sub->failed) {
        return;
    }

    sub->failed = 1;
    ngx_snprintf((u_char *) sub->error, sizeof(sub->error) - 1, "%s: %s%Z",
                 what, error);
}


/*
 * The end of a latest round of several subnets: every subnet failed
 * fails the round; else each failed one is logged and marked stale, and
 * the others are written.
 */

static void
ngx_pylon_round_check_subs(ngx_pylon_round_t *rd)
{
    ngx_uint_t  i, nfailed;

    if (rd->failed || !rd->latest || rd->nsubs < 2) {
        return;
    }

    nfailed = 0;

    for (i = 0; i < rd->nsubs; i++) {
        if (!rd->subs[i].failed) {
            continue;
        }

        nfailed++;

        ngx_log_error(NGX_LOG_WARN, rd->refresh->helper->log, 0,
                      "pylon helper: subnet %i at block %uL not read: %s "
                      "(its previous data stays, marked stale)",
                      rd->subs[i].netuid, rd->number, rd->subs[i].error);
    }

    if (nfailed == rd->nsubs) {
        ngx_pylon_round_fail(rd, "every subnet", rd->subs[0].error);
    }
}


/* one pending operation ended: the last one writes and frees */

void
ngx_pylon_round_step(ngx_pylon_round_t *rd)
{
    ngx_msec_t            ms;
    ngx_pylon_refresh_t  *r;

    if (--rd->pending) {
        return;
    }

    r = rd->refresh;

    ngx_pylon_round_check_subs(rd);

    if (!rd->failed) {
        ngx_pylon_round_write(rd);
    }

    ms = ngx_current_msec - rd->started;

    if (rd->failed) {
        r->failures++;
        ngx_log_error(NGX_LOG_WARN, r->helper->log, 0,
                      "pylon helper: subnet data at block %uL not read: %s",
                      rd->number, rd->error);
    }

    ngx_pylon_refresh_observe(r->helper, "round", ms, !rd->failed);

    if (rd->done) {
        rd->done(rd->data, rd->failed ? rd->error : NULL, rd->unknown);
    }

    if (rd->head) {
        ngx_pylon_refresh_head_done(r, rd);   /* may start the next one */
    }

    ngx_pylon_round_free(rd);
}



static void
ngx_pylon_round_free(ngx_pylon_round_t *rd)
{
    size_t            j;
    ngx_uint_t        i, k;
    ngx_pylon_sub_t  *sub;

    for (i = 0; i < rd->nsubs; i++) {
        sub = &rd->subs[i];
        ngx_free(sub->neurons);
        ngx_free(sub->state);
        ngx_free(sub->hyper);
        for (k = 0; k < 2; k++) {
            for (j = 0; j < sub->page[k].n; j++) {
                ngx_free((void *) sub->page[k].kv[j].key);
                ngx_free((void *) sub->page[k].kv[j].val);
            }
            ngx_free(sub->page[k].kv);
        }
    }

    ngx_pylon_meta_release(rd->rt);
    json_decref(rd->xts);
    ngx_free(rd->subs);
    ngx_free(rd);
}


static void
ngx_pylon_round_block(void *data, json_t *result, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    json_t  *xts;

    if (result != NULL && json_is_null(result)) {
        ngx_pylon_round_fail(rd, "chain_getBlock", "unknown block");
        ngx_pylon_round_step(rd);
        return;
    }

    xts = json_object_get(json_object_get(result, "block"), "extrinsics");

    if (!json_is_array(xts)) {
        ngx_pylon_round_fail(rd, "chain_getBlock",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    rd->xts = json_incref(xts);

    ngx_pylon_round_step(rd);
}


static void
ngx_pylon_sub_neurons(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->neurons, &sub->neurons_len)
           != NGX_OK)
    {
        ngx_pylon_sub_fail(sub, "get_neurons_lite",
                           error ? error : "malformed answer");
    }

    ngx_pylon_round_step(sub->round);
}


static void
ngx_pylon_sub_state(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->state, &sub->state_len)
           != NGX_OK)
    {
        ngx_pylon_sub_fail(sub, "get_subnet_state",
                           error ? error : "malformed answer");
    }

    ngx_pylon_round_step(sub->round);
}


/* hyperparameters are for the writes: a failure here fails nothing */

static void
ngx_pylon_sub_hyper(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->hyper, &sub->hyper_len)
           != NGX_OK)
    {
        sub->hyper = NULL;
        ngx_log_debug2(NGX_LOG_DEBUG_CORE, sub->round->refresh->helper->log,
                       0, "pylon refresh: no hyperparameters of %i: %s",
                       sub->netuid, error ? error : "malformed");
    }

    ngx_pylon_round_step(sub->round);
}


/* a "0x.." JSON string -> malloc'ed bytes (ngx_free) */

ngx_int_t
ngx_pylon_hex_bytes(json_t *v, u_char **out, size_t *len)
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


static ngx_uint_t
ngx_pylon_is_unknown_block(const char *error)
{
    if (error == NULL) {
        return 0;
    }

    /* JSON-RPC -32601 "Method not found" is the node, not the block */
    if (ngx_strcasestrn((u_char *) error, "method not found",
                        sizeof("method not found") - 2) != NULL)
    {
        return 0;
    }

    /* the node says "State already discarded for BlockId::Hash(..)" */
    return ngx_strcasestrn((u_char *) error, "discarded",
                           sizeof("discarded") - 2) != NULL
           || ngx_strcasestrn((u_char *) error, "unknown block",
                              sizeof("unknown block") - 2) != NULL
           || ngx_strcasestrn((u_char *) error, "not found",
                              sizeof("not found") - 2) != NULL;
}

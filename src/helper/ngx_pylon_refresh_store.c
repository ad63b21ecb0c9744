/*
 * ngx_pylon_refresh_store.c: rendering and storing a finished round (see
 * ngx_pylon_refresh_int.h): every subnet's bodies and gzip copies go into
 * a batch (store/batch.h) written in one short transaction; item keys of a
 * subnet that are gone are deleted.  A subnet whose bytes do not render
 * fails alone, as one not read: its previous bodies stay, marked stale.
 * A subnet whose commitments and certificates were not read this round
 * (pylon_storage_every) keeps its cached commitment and certificate
 * bodies and items untouched.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static int ngx_pylon_round_put(void *data, const char *route,
    const char *item, const uint8_t *body, size_t len);
static ngx_uint_t ngx_pylon_round_is_storage(const char *route);
static ngx_int_t ngx_pylon_round_write_xts(ngx_pylon_round_t *rd);
static ngx_int_t ngx_pylon_sub_put_hyper(ngx_pylon_round_t *rd,
    ngx_pylon_sub_t *sub, const pylon_meta_t *m, pylon_batch_t *batch);


void
ngx_pylon_round_write(ngx_pylon_round_t *rd)
{
    size_t                 i, k, j, mark;
    uint64_t               now;
    ngx_uint_t             s, nfailed;
    pylon_store_t         *st;
    ngx_pylon_sub_t       *sub;
    ngx_pylon_refresh_t   *r;
    ngx_pylon_put_ctx_t    ctx;
    pylon_keylist_t    old;
    pylon_subnet_input_t   in;
    char                   prefix[PYLON_KEY_MAX], err[256];

    r = rd->refresh;
    st = r->helper->store;

    if (rd->latest
        && (rd->seq < r->written_seq || rd->number < r->written))
    {
        return;                /* a later head (or a newer block) is written */
    }

    ngx_memzero(&old, sizeof(old));
    ctx.batch = NULL;
    nfailed = 0;

    /*
     * render every body and its gzip copy before the write txn; a subnet
     * that does not render fails alone (its records are taken back, its
     * previous bodies stay, marked stale), as one not read does
     */

    ctx.round = rd;
    ctx.batch = pylon_batch_create(st);

    if (ctx.batch == NULL) {
        ngx_pylon_round_fail(rd, "cache", "out of memory");
        goto done;
    }

    for (s = 0; s < rd->nsubs; s++) {
        sub = &rd->subs[s];

        if (sub->failed
            || (rd->latest && !ngx_pylon_refresh_tracked(r, sub->netuid)))
        {
            continue;          /* failed alone, or dropped while being read */
        }

        ngx_memzero(&in, sizeof(in));
        in.meta = rd->rt->meta;
        in.block = rd->number;
        in.hash = rd->hash;
        in.neurons = sub->neurons;
        in.neurons_len = sub->neurons_len;
        in.state = sub->state;
        in.state_len = sub->state_len;
        in.commitments = sub->page[0].kv;
        in.ncommitments = sub->page[0].n;
        in.certificates = sub->page[1].kv;
        in.ncertificates = sub->page[1].n;

        ctx.netuid = sub->netuid;
        ctx.storage = sub->storage;
        mark = pylon_batch_count(ctx.batch);

        if (pylon_subnet_render(&in, ngx_pylon_round_put, &ctx, err,
                                sizeof(err))
            == 0
            && ngx_pylon_sub_put_hyper(rd, sub, in.meta, ctx.batch)
               == NGX_OK)
        {
            continue;
        }

        ngx_pylon_sub_fail(sub, "render", err);

        if (rd->failed) {
            goto done;             /* a round of one, or not the latest */
        }

        pylon_batch_truncate(ctx.batch, mark);
        nfailed++;

        ngx_log_error(NGX_LOG_WARN, r->helper->log, 0,
                      "pylon helper: subnet %i at block %uL not rendered: "
                      "%s (its previous data stays, marked stale)",
                      sub->netuid, rd->number, err);
    }

    if (nfailed && pylon_batch_count(ctx.batch) == 0 && !rd->extrinsics) {
        ngx_pylon_round_fail(rd, "render", err);
        goto done;                              /* nothing else to write */
    }

    /* latest items that may have gone: delete them all, then put */

    if (rd->latest) {
        for (s = 0; s < rd->nsubs; s++) {
            if (rd->subs[s].failed || !rd->subs[s].storage) {
                continue;                /* its previous bodies stay */
            }

            for (k = 0; k < 3; k++) {
                pylon_key_latest_item(prefix, sizeof(prefix),
                                      k == 2 ? PYLON_ROUTE_COMMIT_FULL
                                      : k ? PYLON_ROUTE_CERTIFICATE
                                        : PYLON_ROUTE_COMMITMENT,
                                      (int) rd->subs[s].netuid, "");
                if (pylon_store_scan(st, prefix, pylon_keylist_add, &old)
                    < 0)
                {
                    ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
                    goto done;
                }
            }
        }
    }

    /* one short transaction: deletes, extrinsics, the batch, the state */

    if (pylon_store_write_begin(st) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        goto done;
    }

    for (j = 0; j < old.n; j++) {
        if (pylon_store_del(st, old.keys[j]) != 0) {
            ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
            pylon_store_write_abort(st);
            goto done;
        }
    }

    if (rd->extrinsics && ngx_pylon_round_write_xts(rd) != NGX_OK) {
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_batch_put(ctx.batch) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        pylon_store_write_abort(st);
        goto done;
    }

    if (rd->latest) {
        now = ngx_pylon_helper_now_ms();

        for (s = 0; s < rd->nsubs; s++) {
            for (i = 0; i < r->ntracked; i++) {
                if (r->tracked[i].netuid != rd->subs[s].netuid) {
                    continue;
                }

                if (rd->head) {
                    r->tracked[i].stale = rd->subs[s].failed;
                }

                if (!rd->subs[s].failed) {
                    r->tracked[i].stale = 0;
                    r->tracked[i].block = rd->number;
                    r->tracked[i].written_ms = now;
                    r->tracked[i].duration = ngx_current_msec - rd->started;
                }

                if (!rd->subs[s].failed && rd->subs[s].storage) {
                    r->tracked[i].storage_block = rd->number;
                    r->tracked[i].storage_reorgs = rd->subs[s].reorgs;
                }
            }
        }
    }

    if (rd->latest && ngx_pylon_refresh_put_state(r) != NGX_OK) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_store_write_commit(st) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        goto done;
    }

    if (rd->latest) {
        r->written = rd->number;
        r->written_seq = rd->seq;
    }

done:

    pylon_batch_free(ctx.batch);

    pylon_keylist_free(&old);
}


static int
ngx_pylon_round_put(void *data, const char *route, const char *item,
    const uint8_t *body, size_t len)
{
    ngx_pylon_put_ctx_t  *ctx = data;

    size_t              n;
    ngx_int_t           netuid;
    ngx_pylon_round_t  *rd;
    char                key[PYLON_KEY_MAX];

    rd = ctx->round;
    netuid = ctx->netuid;

    if (!ctx->storage && ngx_pylon_round_is_storage(route)) {
        return 0;              /* not read this round: the cached one stays */
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

    if (n == 0) {
        return -1;
    }

    if (ctx->batch) {
        return pylon_batch_add(ctx->batch, key, rd->number, body, len);
    }

    return pylon_store_put(rd->refresh->helper->store, key, rd->number, 0,
                           body, len);
}


/* the routes rendered from CommitmentOf and NeuronCertificates */

static ngx_uint_t
ngx_pylon_round_is_storage(const char *route)
{
    ngx_uint_t  i;

    static const char  *routes[] = {
        PYLON_ROUTE_COMMITMENTS, PYLON_ROUTE_COMMITS_FULL,
        PYLON_ROUTE_COMMITMENT, PYLON_ROUTE_COMMIT_FULL,
        PYLON_ROUTE_CERTIFICATES, PYLON_ROUTE_CERTIFICATE, NULL
    };

    for (i = 0; routes[i]; i++) {
        if (ngx_strcmp(route, routes[i]) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * Every extrinsic of the block as Pylon's Extrinsic: the position first,
 * then what the decoder gives (hash, length, address, call), in one
 * transaction with the rest of the round.
 */

static ngx_int_t
ngx_pylon_round_write_xts(ngx_pylon_round_t *rd)
{
    size_t         i, len;
    json_t        *x, *d, *out;
    u_char        *bytes, item[24];
    char          *body;
    int            rc;
    pylon_meta_t  *m;
    char           key[PYLON_KEY_MAX], err[128];

    m = rd->rt->meta;

    json_array_foreach(rd->xts, i, x) {

        if (ngx_pylon_hex_bytes(x, &bytes, &len) != NGX_OK) {
            ngx_pylon_round_fail(rd, "extrinsic", "not hex");
            return NGX_ERROR;
        }

        d = pylon_extrinsic_decode(m, bytes, len, err, sizeof(err));
        ngx_free(bytes);

        if (d == NULL) {
            ngx_log_error(NGX_LOG_WARN, rd->refresh->helper->log, 0,
                          "pylon helper: extrinsic %uL-%uz not decoded: %s",
                          rd->number, i, err);
            continue;
        }

        out = json_pack("{sIsIsOsOsOsO}",
                        "block_number", (json_int_t) rd->number,
                        "extrinsic_index", (json_int_t) i,
                        "extrinsic_hash", json_object_get(d, "extrinsic_hash"),
                        "extrinsic_length",
                        json_object_get(d, "extrinsic_length"),
                        "address", json_object_get(d, "address"),
                        "call", json_object_get(d, "call"));
        json_decref(d);

        body = out ? json_dumps(out, JSON_COMPACT|JSON_PRESERVE_ORDER)
                   : NULL;
        json_decref(out);

        if (body == NULL) {
            ngx_pylon_round_fail(rd, "extrinsic", "incomplete decoding");
            return NGX_ERROR;
        }

        ngx_sprintf(item, "%uz%Z", i);
        pylon_key_at_block_item(key, sizeof(key), PYLON_ROUTE_EXTRINSIC,
                                PYLON_NETUID_NONE, rd->number, (char *) item);

        rc = pylon_store_put(rd->refresh->helper->store, key, rd->number, 0,
                             body, ngx_strlen(body));
        free(body);

        if (rc != 0) {
            ngx_pylon_round_fail(rd, "cache",
                                 pylon_store_error(rd->refresh->helper->store));
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* L/hyperparams/<netuid>: the decoded Option<SubnetHyperparams> (JSON) */

static ngx_int_t
ngx_pylon_sub_put_hyper(ngx_pylon_round_t *rd, ngx_pylon_sub_t *sub,
    const pylon_meta_t *m, pylon_batch_t *batch)
{
    int                  rc;
    char                *body, err[128];
    json_t              *j;
    ngx_pylon_put_ctx_t  ctx;

    if (sub->hyper == NULL) {
        return NGX_OK;
    }

    j = pylon_runtime_api_decode(m, "SubnetInfoRuntimeApi",
                                 sub->hyper_method
                                 + sizeof("SubnetInfoRuntimeApi_") - 1,
                                 sub->hyper,
                                 sub->hyper_len, err, sizeof(err));
    if (j == NULL) {
        ngx_log_error(NGX_LOG_WARN, rd->refresh->helper->log, 0,
                      "pylon helper: hyperparameters of subnet %i not "
                      "decoded: %s", sub->netuid, err);
        return NGX_OK;
    }

    body = json_dumps(j, JSON_COMPACT|JSON_PRESERVE_ORDER|JSON_ENCODE_ANY);
    json_decref(j);

    if (body == NULL) {
        return NGX_ERROR;
    }

    ctx.round = rd;
    ctx.netuid = sub->netuid;
    ctx.batch = batch;
    ctx.storage = 1;

    rc = ngx_pylon_round_put(&ctx, PYLON_ROUTE_HYPERPARAMS, NULL,
                             (uint8_t *) body, ngx_strlen(body));
    free(body);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}

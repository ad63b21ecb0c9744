/*
 * ngx_pylon_refresh.c: the refresher's entry points (see
 * ngx_pylon_refresh.h): create and destroy, the head callback that starts
 * a round per new block, sync of the pylon_netuids set and the one-off
 * rounds of ngx_pylon_refresh_one and ngx_pylon_refresh_block.
 *
 * The refresher is split by concern; its private types and shared
 * functions are in ngx_pylon_refresh_int.h:
 *   ngx_pylon_refresh_tracked.c  the tracked subnet set and its state key
 *   ngx_pylon_refresh_meta.c     runtime version -> metadata cache
 *   ngx_pylon_refresh_round.c    the round engine (per-subnet reads)
 *   ngx_pylon_refresh_pages.c    paged storage reads (commitments, certs)
 *   ngx_pylon_refresh_store.c    render a round and write it to the cache
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static void ngx_pylon_refresh_lend_states(ngx_pylon_refresh_t *r,
    ngx_pylon_round_t *rd);
static void ngx_pylon_refresh_head_round(ngx_pylon_refresh_t *r,
    uint64_t number, const char *hash, uint64_t seq);


ngx_pylon_refresh_t *
ngx_pylon_refresh_create(ngx_pylon_helper_t *h, ngx_pylon_session_t *chain)
{
    ngx_int_t              *nu;
    ngx_uint_t              i, j;
    ngx_pylon_refresh_t    *r;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    r = ngx_calloc(sizeof(ngx_pylon_refresh_t), h->log);
    if (r == NULL) {
        return NULL;
    }

    r->helper = h;
    r->chain = chain;

    pmcf = h->pmcf;

    if (pmcf->identities) {
        id = pmcf->identities->elts;
        for (i = 0; i < pmcf->identities->nelts; i++) {
            for (j = 0; j < r->ntracked; j++) {
                if (r->tracked[j].netuid == id[i].netuid) {
                    break;
                }
            }
            if (j == r->ntracked && r->ntracked < NGX_PYLON_TRACK_MAX) {
                r->tracked[r->ntracked++].netuid = id[i].netuid;
            }
        }
    }

    if (pmcf->netuids) {
        nu = pmcf->netuids->elts;
        for (i = 0; i < pmcf->netuids->nelts; i++) {
            for (j = 0; j < r->ntracked; j++) {
                if (r->tracked[j].netuid == nu[i]) {
                    break;
                }
            }
            if (j == r->ntracked && r->ntracked < NGX_PYLON_TRACK_MAX) {
                r->tracked[r->ntracked++].netuid = nu[i];
            }
        }
    }

    return r;
}


void
ngx_pylon_refresh_destroy(ngx_pylon_refresh_t *r)
{
    if (r == NULL) {
        return;
    }

    /* the runtimes are the helper's (ngx_pylon_meta.h) */

    ngx_free(r);
}


void
ngx_pylon_refresh_observe(ngx_pylon_helper_t *h, const char *op,
    ngx_msec_t ms, ngx_uint_t ok)
{
    ngx_log_debug3(NGX_LOG_DEBUG_CORE, h->log, 0,
                   "pylon refresh: %s %M ms %s", op, ms, ok ? "ok" : "failed");

    /* chain calls are counted by the session; a whole round is ours */

    if (ngx_strcmp(op, "round") == 0) {
        ngx_pylon_stats_operation("refresh_subnets",
                                  ok ? NGX_PYLON_STATUS_SUCCESS
                                     : NGX_PYLON_STATUS_ERROR,
                                  (char *) h->pmcf->network.name.data, -1,
                                  NULL, ms / 1000.0);
    }
}


void
ngx_pylon_refresh_head(void *data, uint64_t number, const u_char *hash)
{
    ngx_pylon_refresh_t  *r = data;

    ngx_int_t           netuids[NGX_PYLON_TRACK_MAX];
    ngx_uint_t          i;

    r->head_seq++;

    ngx_pylon_refresh_expire(r);

    if (r->helper->pmcf->netuids_all) {
        ngx_pylon_subnets_head(r, r->chain, number, (const char *) hash);
    }

    for (i = 0; i < r->ntracked; i++) {
        netuids[i] = r->tracked[i].netuid;
    }

    /* drand, prices, revealed commitments (ngx_pylon_refresh_v2.c) */
    ngx_pylon_refresh_v2_head(r, r->helper, r->chain, number, hash, netuids,
                              r->ntracked);

    if (r->ntracked == 0) {
        return;
    }

    /* the same head again (a reconnection's catch-up): nothing new; one
     * head round at a time: a head that comes meanwhile waits (a newer
     * one that comes then takes its place) */

    switch (ngx_pylon_head_slot_offer(&r->heads, number, (const char *) hash,
                                      r->head_seq))
    {
    case NGX_PYLON_HEAD_START:
        ngx_pylon_refresh_head_round(r, number, (const char *) hash,
                                     r->head_seq);
        return;

    case NGX_PYLON_HEAD_REPLACED:
        r->skipped++;
        return;

    default: /* NGX_PYLON_HEAD_SAME, NGX_PYLON_HEAD_PENDING */
        return;
    }
}


static void
ngx_pylon_refresh_head_round(ngx_pylon_refresh_t *r, uint64_t number,
    const char *hash, uint64_t seq)
{
    ngx_int_t           netuids[NGX_PYLON_TRACK_MAX];
    ngx_uint_t          i;
    ngx_pylon_round_t  *rd;

    if (r->ntracked == 0) {
        return;
    }

    for (i = 0; i < r->ntracked; i++) {
        netuids[i] = r->tracked[i].netuid;
    }

    rd = ngx_pylon_round_create(r, r->chain, number, hash, 1, netuids,
                                r->ntracked);
    if (rd == NULL) {
        return;
    }

    rd->seq = seq;
    rd->head = 1;
    ngx_pylon_head_slot_start(&r->heads, rd);

    ngx_pylon_round_start(rd);
}


void
ngx_pylon_refresh_on_states(ngx_pylon_refresh_t *r,
    ngx_pylon_refresh_states_pt handler, void *data)
{
    r->on_states = handler;
    r->on_states_data = data;
}


/*
 * The head round rd ended: its subnets' get_subnet_state bytes go to the
 * listener, borrowed for the call (rd frees them after head_done).  Out
 * of memory for the list: an empty one (the listener reads them itself).
 */

static void
ngx_pylon_refresh_lend_states(ngx_pylon_refresh_t *r, ngx_pylon_round_t *rd)
{
    ngx_uint_t                  i, n;
    ngx_pylon_refresh_state_t  *subs;

    if (r->on_states == NULL) {
        return;
    }

    n = rd->nsubs;
    subs = ngx_alloc((n ? n : 1) * sizeof(ngx_pylon_refresh_state_t),
                     r->helper->log);
    if (subs == NULL) {
        n = 0;
    }

    for (i = 0; i < n; i++) {
        subs[i].netuid = rd->subs[i].netuid;
        subs[i].state = rd->subs[i].state;
        subs[i].len = rd->subs[i].state ? rd->subs[i].state_len : 0;
    }

    r->on_states(r->on_states_data, rd->number, rd->hash, subs, n);

    ngx_free(subs);
}


void
ngx_pylon_refresh_head_done(ngx_pylon_refresh_t *r, ngx_pylon_round_t *rd)
{
    ngx_uint_t                i, k;
    ngx_pylon_pending_head_t  next;

    (void) ngx_pylon_head_slot_end(&r->heads, rd);

    if (rd->failed) {
        /* nothing of this head was written: every subnet of it is stale */

        for (k = 0; k < rd->nsubs; k++) {
            for (i = 0; i < r->ntracked; i++) {
                if (r->tracked[i].netuid == rd->subs[k].netuid) {
                    r->tracked[i].stale = 1;
                }
            }
        }

        if (pylon_store_write_begin(r->helper->store) != 0
            || ngx_pylon_refresh_put_state(r) != NGX_OK
            || pylon_store_write_commit(r->helper->store) != 0)
        {
            pylon_store_write_abort(r->helper->store);
        }
    }

    ngx_pylon_refresh_lend_states(r, rd);

    if (!ngx_pylon_head_slot_next(&r->heads, &next)) {
        return;
    }

    ngx_pylon_refresh_head_round(r, next.number, next.hash, next.seq);
}


void
ngx_pylon_refresh_sync_all(ngx_pylon_refresh_t *r, const ngx_int_t *netuids,
    ngx_uint_t n)
{
    ngx_int_t    netuid;
    ngx_uint_t   i, k;

    /* dissolved: tracked for the chain's sake only, and gone */

    for (i = 0; i < r->ntracked; /* void */) {
        for (k = 0; k < n && netuids[k] != r->tracked[i].netuid; k++) {
            /* void */
        }

        if (!r->tracked[i].all || k < n) {
            i++;
            continue;
        }

        netuid = r->tracked[i].netuid;
        r->tracked[i] = r->tracked[--r->ntracked];

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: subnet %i is gone from the chain",
                      netuid);

        ngx_pylon_refresh_drop(r, netuid);
    }

    /* new: tracked for good (an on-demand one becomes permanent) */

    for (k = 0; k < n; k++) {
        for (i = 0; i < r->ntracked; i++) {
            if (r->tracked[i].netuid == netuids[k]) {
                if (r->tracked[i].expires_ms) {
                    r->tracked[i].expires_ms = 0;
                    r->tracked[i].all = 1;
                }
                break;
            }
        }

        if (i < r->ntracked || r->ntracked == NGX_PYLON_TRACK_MAX) {
            continue;
        }

        ngx_memzero(&r->tracked[i], sizeof(ngx_pylon_tracked_t));
        r->tracked[i].netuid = netuids[k];
        r->tracked[i].all = 1;
        r->ntracked++;

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: tracking subnet %i (pylon_netuids all)",
                      netuids[k]);
    }
}


ngx_int_t
ngx_pylon_refresh_one(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    ngx_int_t netuid, uint64_t number, const char *hash, ngx_uint_t latest,
    ngx_pylon_round_pt done, void *data)
{
    ngx_pylon_round_t  *rd;

    rd = ngx_pylon_round_create(r, s, number, hash, latest, &netuid, 1);
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->seq = r->head_seq;         /* a latest one reads the current head */
    rd->done = done;
    rd->data = data;

    ngx_pylon_round_start(rd);

    return NGX_OK;
}


ngx_int_t
ngx_pylon_refresh_block(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash, ngx_pylon_round_pt done, void *data)
{
    ngx_pylon_round_t  *rd;

    rd = ngx_pylon_round_create(r, s, number, hash, 0, NULL, 0);
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->extrinsics = 1;
    rd->done = done;
    rd->data = data;

    ngx_pylon_round_start(rd);

    return NGX_OK;
}

/*
 * ngx_pylon_write_weights.c: the "weights" job's attempt (see
 * ngx_pylon_writer.h): hotkeys -> uids from the cached neurons,
 * max-normalised u16, then by the runtime and the subnet's
 * hyperparameters set_(mechanism_)weights, the CRv4 timelocked commit,
 * or (runtimes with only hash commit-reveal) commit_weights and a
 * "reveal" job queued first (ngx_pylon_write_reveal.c); the epoch it
 * must land in (ngx_pylon_write_epoch.c) and the commit window of
 * pylon_weights_window.
 *
 * Ownership: an attempt frees everything it builds (the uid map, the
 * plan, the ciphertext and its hex) before it submits, retries or ends;
 * the CRv2 material is kept in the job's params (w->job->params owns
 * it), the write itself belongs to the writer (ngx_pylon_writer_int.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <sodium.h>

#include "helper/ngx_pylon_writer_int.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_write_epoch.h"
#include "helper/ngx_pylon_submit.h"
#include "bittensor/request.h"
#include "bittensor/weights.h"
#include "bittensor/crv4.h"
#include "bittensor/crv2.h"
#include "crypto/tle.h"
#include "store/jobs.h"


#define NGX_PYLON_WEIGHTS_VERSION   9003000      /* turbobt's default */


static ngx_int_t ngx_pylon_weights_window(ngx_pylon_write_t *w,
    uint64_t head, uint32_t tempo);
static void ngx_pylon_weights_epoch_known(void *data, ngx_int_t rc,
    const char *error);



static json_t *
ngx_pylon_u16_array(const uint16_t *v, size_t n)
{
    size_t   i;
    json_t  *a;

    a = json_array();

    for (i = 0; a && i < n; i++) {
        json_array_append_new(a, json_integer(v[i]));
    }

    return a;
}


/*
 * weights: everything is read again on every attempt: the neurons (a
 * hotkey may register meanwhile), the hyperparameters (commit-reveal may
 * be switched), the runtime.
 */

void
ngx_pylon_weights_attempt(ngx_pylon_write_t *w)
{
    u_char                  hash[PYLON_WEIGHTS_HASH_BYTES], *ct;
    char                    hex[2 * 4096 + 3], *xhex;
    size_t                  i, n, ctlen;
    uint16_t                salt[PYLON_CRV2_SALT_LEN];
    uint64_t                head, tempo, version, period, round;
    ngx_int_t               rc;
    const u_char           *head_hash;
    const char             *err;
    json_t                 *neurons, *hyper, *map, *v, *args, *params;
    json_t                 *crv2;
    const char             *hk;
    pylon_weight_t         *weights;
    pylon_uidmap_t         *uids;
    const pylon_meta_t     *meta;
    pylon_weights_plan_t    plan;
    ngx_uint_t              mech, cr;
    char                    id[PYLON_JOB_ID_LEN + 1], rkey[PYLON_JOB_KEY_MAX];
    int                     joined;
    ngx_uint_t              fresh;

    if (ngx_pylon_write_cancelled(w) || ngx_pylon_write_resume(w)) {
        return;
    }

    head = ngx_pylon_follow_head(w->h->follow, &head_hash);
    meta = ngx_pylon_write_runtime(w);
    neurons = ngx_pylon_write_cached(w, PYLON_ROUTE_NEURONS);
    hyper = ngx_pylon_write_cached(w, PYLON_ROUTE_HYPERPARAMS);

    if (head == 0 || meta == NULL || neurons == NULL || hyper == NULL) {
        json_decref(neurons);
        json_decref(hyper);
        ngx_pylon_write_retry(w, "subnet data not available yet");
        return;
    }

    tempo = ngx_pylon_hyper_uint(hyper, "tempo", 360);

    if (w->epoch_end == 0) {
        /*
         * the epoch of the head the PUT was accepted at (spec §5.1), from
         * the runtime where it says, fixed in the params once
         */
        v = json_object_get(w->job->params, "start_block");
        rc = ngx_pylon_epoch_plan(w->h, w->job, meta, head, head_hash,
                                  json_is_integer(v)
                                  ? (uint64_t) json_integer_value(v) : head,
                                  (uint16_t) w->netuid, (uint32_t) tempo,
                                  ngx_pylon_weights_epoch_known, w, &err);
        if (rc != NGX_OK) {
            json_decref(neurons);
            json_decref(hyper);
            if (rc == NGX_ERROR) {
                ngx_pylon_write_retry(w, err);
            }
            return;                      /* NGX_AGAIN: the runtime is asked */
        }

        w->epoch_end = ngx_pylon_epoch_end(w->job);
    }

    if (pylon_weights_tempo_ended(head, w->epoch_end)) {
        json_decref(neurons);
        json_decref(hyper);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL,
                            "EXPIRED: Tempo ended");
        return;
    }

    if (w->h->pmcf->window_cycle
        && ngx_pylon_weights_window(w, head, (uint32_t) (tempo ? tempo : 360))
           != NGX_OK)
    {
        json_decref(neurons);
        json_decref(hyper);
        return;                          /* waits for the commit window */
    }

    /* hotkey -> uid from the latest neurons */

    map = json_object_get(neurons, "neurons");
    uids = pylon_uidmap_create(json_object_size(map) + 1);

    json_object_foreach(map, hk, v) {
        pylon_uidmap_put(uids, hk, ngx_strlen(hk),
                  (uint16_t) json_integer_value(json_object_get(v, "uid")));
    }

    params = json_object_get(w->job->params, "weights");
    n = json_object_size(params);

    weights = ngx_calloc((n ? n : 1) * sizeof(pylon_weight_t), w->h->log);
    if (uids == NULL || weights == NULL) {
        pylon_uidmap_free(uids);
        ngx_free(weights);
        json_decref(neurons);
        json_decref(hyper);
        ngx_pylon_write_retry(w, "out of memory");
        return;
    }

    i = 0;
    json_object_foreach(params, hk, v) {
        weights[i].hotkey = (char *) hk;
        weights[i].hotkey_len = ngx_strlen(hk);
        weights[i].weight = json_number_value(v);
        i++;
    }

    if (pylon_weights_plan(&plan, weights, n, uids) != 0) {
        pylon_uidmap_free(uids);
        ngx_free(weights);
        json_decref(neurons);
        json_decref(hyper);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL,
                            "weights cannot be normalised");
        return;
    }

    pylon_uidmap_free(uids);
    ngx_free(weights);
    json_decref(neurons);

    if (plan.dropped) {
        ngx_log_error(NGX_LOG_WARN, w->h->log, 0,
                      "pylon helper: weights job %s: %uz hotkeys are not "
                      "registered on subnet %i, dropped", w->job->id,
                      plan.dropped, w->netuid);
    }

    version = pylon_weights_version_key(NGX_PYLON_WEIGHTS_VERSION,
                 ngx_pylon_hyper_uint(hyper, "weights_version", 0));
    cr = ngx_pylon_hyper_uint(hyper, "commit_reveal_weights_enabled", 0);
    period = ngx_pylon_hyper_uint(hyper, "commit_reveal_period",
                 ngx_pylon_hyper_uint(hyper, "commit_reveal_weights_interval",
                                      1));
    json_decref(hyper);

    mech = (w->mechanism > 0);

    if (!cr) {
        if (pylon_meta_call(meta, "SubtensorModule", "set_mechanism_weights"))
        {
            args = json_pack("{s:i, s:i, s:o, s:o, s:I}",
                             "netuid", (int) w->netuid,
                             "mecid", (int) w->mechanism,
                             "dests", ngx_pylon_u16_array(plan.uids, plan.n),
                             "weights",
                             ngx_pylon_u16_array(plan.values, plan.n),
                             "version_key", (json_int_t) version);
            pylon_weights_plan_free(&plan);
            ngx_pylon_write_submit(w, meta, "SubtensorModule",
                                   "set_mechanism_weights", args);
            return;
        }

        if (mech) {
            pylon_weights_plan_free(&plan);
            ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL,
                                "this runtime has no mechanisms");
            return;
        }

        args = json_pack("{s:i, s:o, s:o, s:I}", "netuid", (int) w->netuid,
                         "dests", ngx_pylon_u16_array(plan.uids, plan.n),
                         "weights", ngx_pylon_u16_array(plan.values, plan.n),
                         "version_key", (json_int_t) version);
        pylon_weights_plan_free(&plan);
        ngx_pylon_write_submit(w, meta, "SubtensorModule", "set_weights",
                               args);
        return;
    }

    /* commit-reveal v4: a timelocked commit the chain opens itself */

    if (pylon_meta_call(meta, "SubtensorModule",
                        mech ? "commit_timelocked_mechanism_weights"
                             : "commit_timelocked_weights")
        || pylon_meta_call(meta, "SubtensorModule",
                           "commit_timelocked_mechanism_weights"))
    {
        ct = ngx_alloc(pylon_crv4_payload_len(plan.n) + PYLON_TLE_OVERHEAD,
                       w->h->log);

        /* chosen once for the job's epoch, kept with it */
        round = ngx_pylon_epoch_reveal_round(w->h, w->job, head,
                                             (uint16_t) w->netuid,
                                             (uint32_t) tempo, period,
                                             &fresh);
        if (fresh) {
            ngx_log_error(NGX_LOG_NOTICE, w->h->log, 0,
                          "pylon helper: weights job %s: reveal round %uL "
                          "(epoch from the %s schedule), recorded",
                          w->job->id, round,
                          json_string_value(json_object_get(w->job->params,
                                                            "epoch_source")));
            ngx_pylon_submit_test_hook(w->h->log, "built");
        }

        if (ct == NULL || round == 0
            || pylon_crv4_commit(ct, pylon_crv4_payload_len(plan.n)
                                     + PYLON_TLE_OVERHEAD, &ctlen,
                                 w->id->pub, plan.uids, plan.values, plan.n,
                                 version, round) != 0)
        {
            ngx_free(ct);
            pylon_weights_plan_free(&plan);
            ngx_pylon_write_retry(w, "timelock encryption failed");
            return;
        }

        /* sized by the commit: no limit below the subnet's uids */
        xhex = ngx_alloc(2 * ctlen + 3, w->h->log);
        if (xhex == NULL) {
            ngx_free(ct);
            pylon_weights_plan_free(&plan);
            ngx_pylon_write_retry(w, "out of memory");
            return;
        }

        xhex[0] = '0';
        xhex[1] = 'x';
        *ngx_hex_dump((u_char *) xhex + 2, ct, ctlen) = '\0';
        ngx_free(ct);
        pylon_weights_plan_free(&plan);

        if (pylon_meta_call(meta, "SubtensorModule",
                            "commit_timelocked_mechanism_weights"))
        {
            args = json_pack("{s:i, s:i, s:s, s:I, s:i}",
                             "netuid", (int) w->netuid,
                             "mecid", (int) w->mechanism, "commit", xhex,
                             "reveal_round", (json_int_t) round,
                             "commit_reveal_version", PYLON_CRV4_VERSION);
            ngx_free(xhex);
            ngx_pylon_write_submit(w, meta, "SubtensorModule",
                                   "commit_timelocked_mechanism_weights",
                                   args);
            return;
        }

        args = json_pack("{s:i, s:s, s:I, s:i}", "netuid", (int) w->netuid,
                         "commit", xhex, "reveal_round", (json_int_t) round,
                         "commit_reveal_version", PYLON_CRV4_VERSION);
        ngx_free(xhex);
        ngx_pylon_write_submit(w, meta, "SubtensorModule",
                               "commit_timelocked_weights", args);
        return;
    }

    /*
     * hash commit-reveal only (older runtimes): commit now, reveal later.
     * The uids, values, salt and version key are chosen on the first
     * attempt and kept in the job's params ("crv2"): a retry or a helper
     * taking the job over commits the same hash the reveal will open.
     */

    if (mech) {
        pylon_weights_plan_free(&plan);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL,
                            "cannot build the weights commit");
        return;
    }

    crv2 = json_object_get(w->job->params, "crv2");

    if (crv2 == NULL) {
        randombytes_buf(salt, sizeof(salt));
        crv2 = pylon_crv2_material(plan.uids, plan.values, plan.n, salt,
                                   PYLON_CRV2_SALT_LEN, version);
        sodium_memzero(salt, sizeof(salt));

        if (crv2 == NULL || !json_is_object(w->job->params)
            || json_object_set_new(w->job->params, "crv2", crv2) != 0
            || pylon_job_note(w->h->store, w->job->id, "params",
                              w->job->params) != 0)
        {
            if (json_is_object(w->job->params)) {
                json_object_del(w->job->params, "crv2");
            }
            pylon_weights_plan_free(&plan);
            ngx_pylon_write_retry(w, "cannot record the weights commit");
            return;
        }
    }

    pylon_weights_plan_free(&plan);

    if (pylon_crv2_hash(hash, crv2, w->id->pub, (uint16_t) w->netuid) != 0) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL,
                            "cannot build the weights commit");
        return;
    }

    /* the reveal is queued first: a crash after the commit loses nothing */

    params = json_pack("{s:s%, s:i, s:s, s:I, s:I}",
                       "identity", w->id->name.data, w->id->name.len,
                       "netuid", (int) w->netuid,
                       "commit_job", w->job->id,
                       "tempo", (json_int_t) tempo,
                       "reveal_period", (json_int_t) period);
    if (params != NULL) {
        json_object_update(params, crv2);
    }

    ngx_snprintf((u_char *) rkey, sizeof(rkey), "reveal/%V/%i/%s%Z",
                 &w->id->name, w->netuid, w->job->id);

    if (params == NULL
        || pylon_job_submit(w->h->store, id, "reveal", rkey, PYLON_JOB_JOIN,
                            params, NULL, &joined) != 0)
    {
        json_decref(params);
        ngx_pylon_write_retry(w, "cannot queue the reveal");
        return;
    }

    json_decref(params);

    ngx_pylon_submit_test_hook(w->h->log, "crv2_queued");

    w->crv2 = 1;

    *ngx_hex_dump((u_char *) hex + 2, hash, sizeof(hash)) = '\0';
    hex[0] = '0';
    hex[1] = 'x';

    args = json_pack("{s:i, s:s}", "netuid", (int) w->netuid,
                     "commit_hash", hex);
    ngx_pylon_write_submit(w, meta, "SubtensorModule", "commit_weights",
                           args);
}


/*
 * pylon_weights_window (Pylon v0's commit window): the job targets the
 * first window [epoch start + offset, epoch end - buffer] of an epoch
 * whose index is a multiple of cycle that has not passed yet, and
 * expires with it.  NGX_OK: inside it now; NGX_DECLINED: the next try is
 * scheduled at its start (no attempt is counted).
 */

static ngx_int_t
ngx_pylon_weights_window(ngx_pylon_write_t *w, uint64_t head, uint32_t tempo)
{
    uint64_t                open, close, wait;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = w->h->pmcf;

    /* the target window is chosen once, at the first attempt */

    if (w->window_open == 0) {
        if (pylon_weights_window(&open, &close, head, (uint16_t) w->netuid,
                                 tempo, pmcf->window_offset,
                                 pmcf->window_buffer, pmcf->window_cycle)
            != 0)
        {
            return NGX_OK;              /* no usable window: no gating */
        }

        w->window_open = open;
        w->epoch_end = close;           /* expires with this window */
    }

    open = w->window_open;
    close = w->epoch_end;

    if (head >= open) {
        return NGX_OK;
    }

    wait = open - head;

    ngx_log_error(NGX_LOG_INFO, w->h->log, 0,
                  "pylon helper: weights job %s waits %uL blocks for the "
                  "commit window [%uL, %uL]", w->job->id, wait, open, close);

    w->waiting = 1;
    lws_sul_schedule(w->h->lws, 0, &w->sul, ngx_pylon_write_timer,
                     (lws_usec_t) wait * pmcf->block_duration
                     * LWS_US_PER_MS);

    return NGX_DECLINED;
}


/* the runtime said when the next epoch starts: build the job again */

static void
ngx_pylon_weights_epoch_known(void *data, ngx_int_t rc, const char *error)
{
    ngx_pylon_write_t *w = data;

    if (rc != NGX_OK) {
        ngx_pylon_write_retry(w, error ? error : "no epoch");
        return;
    }

    w->epoch_end = ngx_pylon_epoch_end(w->job);
    w->run(w);
}

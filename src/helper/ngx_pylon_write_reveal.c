/*
 * ngx_pylon_write_reveal.c: the "reveal" job's attempt (see
 * ngx_pylon_writer.h): reveal_weights of a CRv2 hash commit, with the
 * uids, values, salt and version key the weights job kept in its params,
 * sent once the reveal window is open (ngx_pylon_write_epoch.c), looked
 * at again every block time until then.
 *
 * Ownership: the job's params (w->job->params) own the reveal's
 * material; the call's args are built here and handed to
 * ngx_pylon_write_submit; the write belongs to the writer
 * (ngx_pylon_writer_int.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_writer_int.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_write_epoch.h"
#include "store/keys.h"


static ngx_int_t ngx_pylon_reveal_wait(ngx_pylon_write_t *w);


/* reveal_weights, retried while the chain says it is too early */

void
ngx_pylon_reveal_attempt(ngx_pylon_write_t *w)
{
    json_t              *p, *args;
    const pylon_meta_t  *meta;

    if (ngx_pylon_write_cancelled(w) || ngx_pylon_write_resume(w)) {
        return;
    }

    meta = ngx_pylon_write_runtime(w);
    if (meta == NULL) {
        ngx_pylon_write_retry(w, "runtime metadata not available yet");
        return;
    }

    if (ngx_pylon_reveal_wait(w) != NGX_OK) {
        return;
    }

    p = w->job->params;

    args = json_pack("{s:i, s:O, s:O, s:O, s:O}", "netuid", (int) w->netuid,
                     "uids", json_object_get(p, "uids"),
                     "values", json_object_get(p, "values"),
                     "salt", json_object_get(p, "salt"),
                     "version_key", json_object_get(p, "version_key"));
    if (args == NULL) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL, "bad reveal job");
        return;
    }

    ngx_pylon_write_submit(w, meta, "SubtensorModule", "reveal_weights",
                           args);
}


/*
 * A CRv2 reveal waits for its window (the epoch commit_epoch +
 * reveal_period) instead of trying early and reading RevealTooEarly:
 * NGX_OK: send it now; anything else: the job was scheduled or ended.
 */

static ngx_int_t
ngx_pylon_reveal_wait(ngx_pylon_write_t *w)
{
    json_t       *hyper, *p;
    uint64_t      head, tempo, period, wait, first, last;
    ngx_int_t     rc;
    const char   *err;

    p = w->job->params;
    head = ngx_pylon_follow_head(w->h->follow, NULL);
    hyper = ngx_pylon_write_cached(w, PYLON_ROUTE_HYPERPARAMS);

    /* the chain's current hyperparameters, else those of the commit */
    tempo = ngx_pylon_hyper_uint(hyper, "tempo",
                ngx_pylon_hyper_uint(p, "tempo", 0));
    period = ngx_pylon_hyper_uint(hyper, "commit_reveal_period",
                 ngx_pylon_hyper_uint(hyper, "commit_reveal_weights_interval",
                     ngx_pylon_hyper_uint(p, "reveal_period", 1)));
    json_decref(hyper);

    if (head == 0) {
        wait = 1;
        rc = NGX_DECLINED;
        first = last = 0;

    } else {
        rc = ngx_pylon_epoch_reveal_window(w->h, w->job, head,
                                           (uint16_t) w->netuid,
                                           (uint32_t) tempo, period, &wait,
                                           &first, &last, &err);
    }

    switch (rc) {

    case NGX_OK:
        return NGX_OK;

    case NGX_DECLINED:
        if (first) {
            ngx_log_error(NGX_LOG_INFO, w->h->log, 0,
                          "pylon helper: reveal job %s waits %uL blocks for "
                          "its window [%uL, %uL]", w->job->id, wait, first,
                          last);
        }

        /*
         * looked at again every block time: blocks may come faster than
         * pylon_block_duration (a dev chain), and a window of one epoch
         * must not pass while the job sleeps
         */
        lws_sul_schedule(w->h->lws, 0, &w->sul, ngx_pylon_write_timer,
                         (lws_usec_t) w->h->pmcf->block_duration
                         * LWS_US_PER_MS);
        return NGX_DECLINED;

    default:
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 0, NULL, err);
        return NGX_ERROR;
    }
}

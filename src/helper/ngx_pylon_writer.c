/*
 * ngx_pylon_writer.c: weights, reveals, commitments and certificates as
 * helper jobs (see ngx_pylon_writer.h): the kinds' registration and the
 * loop every kind runs; each kind's attempt is in its own file
 * (ngx_pylon_writer_int.h).
 *
 * Every kind runs the same loop: an attempt reads what it needs from the
 * cache (neurons, hyperparameters) and the current runtime metadata,
 * submits one extrinsic through the submitter and, on its outcome,
 * finishes the job or schedules the next attempt after tenacity's wait
 * (clamp(2^(n-1), delay, 10 delay) seconds, as Pylon).  Errors the chain
 * will give again whatever we do (not registered, no permit, ...) end the
 * job at once.
 *
 * Ownership: the writer owns its writes (the list ngx_pylon_writes):
 * ngx_pylon_writer_start allocates one per running job,
 * ngx_pylon_write_end unlinks, wipes and frees it.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <sodium.h>

#include "helper/ngx_pylon_writer_int.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_write_epoch.h"
#include "helper/ngx_pylon_submit.h"
#include "bittensor/request.h"
#include "bittensor/weights.h"
#include "store/jobs.h"


#define NGX_PYLON_REVEAL_ATTEMPTS   600


static void ngx_pylon_writer_start(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job, ngx_pylon_attempt_pt run, ngx_uint_t max,
    ngx_msec_t delay);
static void ngx_pylon_writer_reap(ngx_pylon_helper_t *h);
static void ngx_pylon_write_submitted(void *data, ngx_int_t ok,
    const char *error, const char *docs, uint64_t block,
    const char *block_hash);


static ngx_pylon_submitter_t  *ngx_pylon_submitter;
static ngx_pylon_meta_t       *ngx_pylon_runtimes;
static ngx_pylon_write_t      *ngx_pylon_writes;


/* errors that will not go away by trying again */
static const char  *ngx_pylon_final_errors[] = {
    "HotKeyNotRegisteredInSubNet", "HotKeyNotRegisteredInNetwork",
    "NeuronNoValidatorPermit", "SubNetworkDoesNotExist",
    "MechanismDoesNotExist", "IncorrectWeightVersionKey",
    "WeightVecNotEqualSize", "DuplicateUids", "UidVecContainInvalidOne",
    "InvalidUid", "NotEnoughBalanceToStake", "CommitRevealEnabled",
    "CommitRevealDisabled", "InvalidRevealCommitHashNotMatch",
    "NoWeightsCommitFound", "ExpiredWeightCommit", "InvalidIpAddress",
    "InvalidPort", "InvalidIpType", "AccountNotAllowedCommit",
    "BadOrigin", "bad signature", "badProof", NULL
};


static void
ngx_pylon_weights_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    ngx_pylon_writer_start(h, job, ngx_pylon_weights_attempt,
                           pylon_retry_total(h->pmcf->weights_retry.attempts),
                           h->pmcf->weights_retry.delay);
}


static void
ngx_pylon_reveal_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    ngx_pylon_writer_start(h, job, ngx_pylon_reveal_attempt,
                           NGX_PYLON_REVEAL_ATTEMPTS, 1000);
}


static void
ngx_pylon_commitment_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    ngx_pylon_writer_start(h, job, ngx_pylon_commitment_attempt,
                        pylon_retry_total(h->pmcf->commitment_retry.attempts),
                           h->pmcf->commitment_retry.delay);
}


/* revealed commitments are retried like commitments (spec §3.3.5) */

static void
ngx_pylon_revealed_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    ngx_pylon_writer_start(h, job, ngx_pylon_revealed_attempt,
                        pylon_retry_total(h->pmcf->commitment_retry.attempts),
                           h->pmcf->commitment_retry.delay);
}


static void
ngx_pylon_certificate_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    ngx_pylon_writer_start(h, job, ngx_pylon_certificate_attempt,
                        pylon_retry_total(h->pmcf->commitment_retry.attempts),
                           h->pmcf->commitment_retry.delay);
}


ngx_int_t
ngx_pylon_writer_init(ngx_pylon_helper_t *h, ngx_pylon_submitter_t *sm,
    ngx_pylon_refresh_t *refresh)
{
    ngx_pylon_submitter = sm;
    ngx_pylon_runtimes = h->meta;

    if (ngx_pylon_runner_register("weights", ngx_pylon_weights_run)
        != NGX_OK
        || ngx_pylon_runner_register("reveal", ngx_pylon_reveal_run)
           != NGX_OK
        || ngx_pylon_runner_register("commitment", ngx_pylon_commitment_run)
           != NGX_OK
        || ngx_pylon_runner_register("certificate",
                                     ngx_pylon_certificate_run)
           != NGX_OK
        || ngx_pylon_runner_register("revealed", ngx_pylon_revealed_run)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pylon_runner_reaper(ngx_pylon_writer_reap);

    return NGX_OK;
}


void
ngx_pylon_writer_done(ngx_pylon_helper_t *h)
{
    ngx_pylon_write_t  *w;

    for (w = ngx_pylon_writes; w; w = w->next) {
        lws_sul_cancel(&w->sul);
    }

    ngx_pylon_epoch_stop();
}


static void
ngx_pylon_writer_start(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    ngx_pylon_attempt_pt run, ngx_uint_t max, ngx_msec_t delay)
{
    ngx_str_t           name;
    json_t             *p;
    ngx_pylon_write_t  *w;

    w = ngx_calloc(sizeof(ngx_pylon_write_t), h->log);
    if (w == NULL) {
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "out of memory");
        return;
    }

    w->h = h;
    w->job = job;
    w->run = run;
    w->max = max;
    w->delay = delay ? delay : 1000;
    w->started = ngx_pylon_stats_clock();

    w->next = ngx_pylon_writes;
    ngx_pylon_writes = w;

    p = job->params;

    name.data = (u_char *) json_string_value(json_object_get(p, "identity"));
    name.len = name.data ? ngx_strlen(name.data) : 0;

    w->id = name.len ? ngx_pylon_identity_find(h->pmcf, &name) : NULL;
    w->netuid = json_integer_value(json_object_get(p, "netuid"));
    w->mechanism = json_integer_value(json_object_get(p, "mechanism"));

    if (w->id == NULL || w->id->keypair == NULL) {
        /* the identity went away with a reload: nothing can sign this */
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL,
                            "identity not configured");
        return;
    }

    run(w);
}


void
ngx_pylon_write_timer(lws_sorted_usec_list_t *sul)
{
    ngx_pylon_write_t  *w;

    w = lws_container_of(sul, ngx_pylon_write_t, sul);

    w->waiting = 0;
    w->run(w);
}


/* after a scan: a write waiting to try again ends now if superseded */

static void
ngx_pylon_writer_reap(ngx_pylon_helper_t *h)
{
    ngx_pylon_write_t  *w, *next;

    for (w = ngx_pylon_writes; w; w = next) {
        next = w->next;

        if (w->waiting && ngx_strcmp(w->job->kind, "weights") == 0) {
            (void) ngx_pylon_write_cancelled(w);
        }
    }
}


/* one more try later, or the end when they are used up */

void
ngx_pylon_write_retry(ngx_pylon_write_t *w, const char *error)
{
    double       wait;
    ngx_uint_t   i;

    ngx_cpystrn((u_char *) w->error, (u_char *) error, sizeof(w->error));

    for (i = 0; ngx_pylon_final_errors[i]; i++) {
        if (ngx_strstr(error, ngx_pylon_final_errors[i])) {
            ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL, error);
            return;
        }
    }

    if (w->job->xt != NULL) {
        /*
         * taken over, its recorded extrinsic not resumed yet (kinds that
         * build before resuming): it may still land, so waiting for what
         * the attempt needs uses no attempt up and never fails the job
         */
        ngx_log_error(NGX_LOG_WARN, w->h->log, 0,
                      "pylon helper: %s job %s: %s; its recorded extrinsic "
                      "is resumed once the attempt can run", w->job->kind,
                      w->job->id, error);

        lws_sul_schedule(w->h->lws, 0, &w->sul, ngx_pylon_write_timer,
                         (lws_usec_t) w->delay * 1000);
        return;
    }

    if (w->job->attempts + w->attempt >= w->max) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL, error);
        return;
    }

    wait = pylon_retry_wait((unsigned) (w->attempt + 1), w->delay / 1000.0);

    ngx_log_error(NGX_LOG_WARN, w->h->log, 0,
                  "pylon helper: %s job %s attempt %ui failed: %s; again "
                  "in %.1f s", w->job->kind, w->job->id,
                  w->job->attempts + w->attempt, error, wait);

    w->attempt++;
    w->waiting = 1;

    lws_sul_schedule(w->h->lws, 0, &w->sul, ngx_pylon_write_timer,
                     (lws_usec_t) (wait * LWS_US_PER_SEC));
}


void
ngx_pylon_write_end(ngx_pylon_write_t *w, const char *state,
    ngx_uint_t status, const char *body, const char *error)
{
    u_char              *p, env[600];
    double               seconds;
    const char          *outcome;
    ngx_pylon_write_t  **wp;

    lws_sul_cancel(&w->sul);

    ngx_pylon_meta_release(w->rt);
    w->rt = NULL;

    for (wp = &ngx_pylon_writes; *wp; wp = &(*wp)->next) {
        if (*wp == w) {
            *wp = w->next;
            break;
        }
    }

    seconds = ngx_pylon_stats_clock() - w->started;

    outcome = ngx_strcmp(state, PYLON_JOB_DONE) == 0
              ? NGX_PYLON_STATUS_SUCCESS
              : ngx_strcmp(state, PYLON_JOB_CANCELLED) == 0
                ? NGX_PYLON_STATUS_CANCELLED : NGX_PYLON_STATUS_ERROR;

    if (ngx_strcmp(w->job->kind, "weights") == 0) {
        ngx_pylon_stats_apply_weights_job(outcome, w->netuid,
                                          w->id ? (char *) w->id->ss58 : NULL,
                                          seconds);

    } else if (ngx_strcmp(w->job->kind, "commitment") == 0) {
        ngx_pylon_stats_set_commitment_job(outcome, w->netuid, seconds);

    } else if (ngx_strcmp(w->job->kind, "revealed") == 0) {
        ngx_pylon_stats_set_revealed_commitment_job(outcome, w->netuid,
                                                    seconds);
    }

    /* a failure a waiting request answers: Pylon's envelope */

    if (body == NULL && error && status >= 400) {
        p = ngx_snprintf(env, sizeof(env) - 1,
                         "{\"status_code\":%ui,\"detail\":\"", status);
        p = (u_char *) ngx_escape_json(p, (u_char *) error,
                                       ngx_min(ngx_strlen(error), 256));
        *p++ = '"';
        *p++ = '}';
        *p = '\0';
        body = (char *) env;
    }

    ngx_pylon_job_finish(w->h, w->job, state, status, body, error);

    sodium_memzero(w->secret, sizeof(w->secret));
    ngx_free(w);
}


/* a cancelled job (superseded by a newer PUT) stops here */

ngx_int_t
ngx_pylon_write_cancelled(ngx_pylon_write_t *w)
{
    if (!ngx_pylon_job_cancelled(w->h, w->job)) {
        return 0;
    }

    ngx_pylon_write_end(w, PYLON_JOB_CANCELLED, 0, NULL,
                        "superseded by a newer job");
    return 1;
}


/*
 * Submits pallet.call(args) built with the attempt's runtime (w->rt, the
 * head's when the attempt began): the submitter takes its own reference
 * and signs with the runtime of the block it builds on, re-encoding the
 * call if the runtime changed meanwhile.  meta is w->rt's metadata (the
 * attempt checked the call against it).
 */

void
ngx_pylon_write_submit(ngx_pylon_write_t *w, const pylon_meta_t *meta,
    const char *pallet, const char *call, json_t *args)
{
    char  err[256];

    /* exactly once: recorded with the job, resumed if taken over */
    if (ngx_pylon_submit_job(ngx_pylon_submitter, w->job, w->rt,
                             w->id->keypair, pallet, call, args,
                             ngx_pylon_write_submitted, w, err, sizeof(err))
        != NGX_OK)
    {
        json_decref(args);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL, err);
        return;
    }

    json_decref(args);
}


/*
 * The head's runtime for this attempt: w holds a reference to it until the
 * next attempt or the job's end.  Its metadata, or NULL before the first
 * refresh round has read one.
 */

const pylon_meta_t *
ngx_pylon_write_runtime(ngx_pylon_write_t *w)
{
    ngx_pylon_meta_release(w->rt);
    w->rt = ngx_pylon_meta_acquire_head(ngx_pylon_runtimes);

    return w->rt ? w->rt->meta : NULL;
}


/*
 * A job taken over with its recorded extrinsic resumes that extrinsic
 * first, before anything the attempt would need to build a new one (the
 * subnet data, the runtime, the epoch): the extrinsic may be in the pool
 * or in a block already, so the job must not fail, expire or retry for
 * want of them meanwhile (a taken-over job used its attempts up waiting
 * for the new helper's first metadata and failed while its extrinsic then
 * landed).  Kinds whose reply needs what the attempt computes
 * (certificate, revealed) build first and resume in ngx_pylon_submit_job.
 * 1 when resumed (or ended).
 */

ngx_uint_t
ngx_pylon_write_resume(ngx_pylon_write_t *w)
{
    char       err[256];
    ngx_int_t  rc;

    if (w->job->xt == NULL) {
        return 0;
    }

    ngx_log_error(NGX_LOG_INFO, w->h->log, 0,
                  "pylon helper: %s job %s: resuming its recorded "
                  "extrinsic before building anything", w->job->kind,
                  w->job->id);

    (void) ngx_pylon_write_runtime(w);        /* may be NULL for now */

    rc = ngx_pylon_submit_job(ngx_pylon_submitter, w->job, w->rt,
                              w->id->keypair, NULL, NULL, NULL,
                              ngx_pylon_write_submitted, w, err,
                              sizeof(err));

    if (rc == NGX_DECLINED) {
        return 0;                   /* unreadable record: build a new one */
    }

    if (rc != NGX_OK) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL, err);
    }

    return 1;
}


static void
ngx_pylon_write_submitted(void *data, ngx_int_t ok, const char *error,
    const char *docs, uint64_t block, const char *block_hash)
{
    ngx_pylon_write_t *w = data;

    double  seconds;

    seconds = ngx_pylon_stats_clock() - w->started;

    if (ngx_strcmp(w->job->kind, "weights") == 0) {
        ngx_pylon_stats_apply_weights_attempt(ok ? NGX_PYLON_STATUS_SUCCESS
                                                 : NGX_PYLON_STATUS_ERROR,
                                              w->netuid,
                                              (char *) w->id->ss58, seconds);
    }

    if (!ok) {
        ngx_pylon_write_retry(w, error ? error : "failed");
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, w->h->log, 0,
                  "pylon helper: %s job %s landed in block %uL",
                  w->job->kind, w->job->id, block);

    /*
     * error, when ok, notes an inclusion whose outcome is unknown ("included
     * in block N, but its events could not be read"): the job is done (it
     * must not be sent again) and its record keeps the note as "error"
     */

    if (ngx_strcmp(w->job->kind, "weights") == 0 && w->crv2) {
        /* CRv2: the commit is in, the reveal is a job of its own */
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 200, NULL, error);
        return;
    }

    if (ngx_strcmp(w->job->kind, "certificate") == 0) {
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 201, (char *) w->secret,
                            error);
        return;
    }

    if (ngx_strcmp(w->job->kind, "revealed") == 0) {
        ngx_snprintf((u_char *) w->error, sizeof(w->error),
                     "{\"reveal_round\":%uL}%Z", w->reveal_round);
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 201, w->error, error);
        return;
    }

    ngx_pylon_write_end(w, PYLON_JOB_DONE,
                        ngx_strcmp(w->job->kind, "commitment") == 0
                        ? 201 : 200, NULL, error);
}


/* a cached body of this subnet, parsed; NULL when absent */

json_t *
ngx_pylon_write_cached(ngx_pylon_write_t *w, const char *route)
{
    char             key[PYLON_KEY_MAX];
    json_t          *json;
    pylon_record_t   rec;

    pylon_key_latest(key, sizeof(key), route, (int) w->netuid);

    if (pylon_store_read(w->h->store, key, &rec) != PYLON_STORE_OK) {
        return NULL;
    }

    json = json_loadb((char *) rec.body, rec.len, 0, NULL);
    pylon_store_read_end(w->h->store);

    return json;
}



uint64_t
ngx_pylon_hyper_uint(json_t *hyper, const char *name, uint64_t dflt)
{
    json_t  *v;

    v = json_object_get(hyper, name);

    if (json_is_integer(v)) {
        return (uint64_t) json_integer_value(v);
    }

    if (json_is_true(v)) {
        return 1;
    }

    if (json_is_false(v)) {
        return 0;
    }

    return dflt;
}

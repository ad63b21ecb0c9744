/*
 * ngx_pylon_writer.c: weights, reveals, commitments and certificates as
 * helper jobs (see ngx_pylon_writer.h).
 *
 * Every kind runs the same loop: an attempt reads what it needs from the
 * cache (neurons, hyperparameters) and the current runtime metadata,
 * submits one extrinsic through the submitter and, on its outcome,
 * finishes the job or schedules the next attempt after tenacity's wait
 * (clamp(2^(n-1), delay, 10 delay) seconds, as Pylon).  Errors the chain
 * will give again whatever we do (not registered, no permit, ...) end the
 * job at once.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "helper/ngx_pylon_writer.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_write_epoch.h"
#include "helper/ngx_pylon_submit.h"
#include "bittensor/request.h"
#include "bittensor/weights.h"
#include "bittensor/crv4.h"
#include "bittensor/revealed.h"
#include "bittensor/crv2.h"
#include "crypto/seal.h"
#include "chain/hex.h"
#include "crypto/tle.h"
#include "store/jobs.h"


#define NGX_PYLON_WEIGHTS_VERSION   9003000      /* turbobt's default */
#define NGX_PYLON_AXON_VERSION      9003000
#define NGX_PYLON_REVEAL_ATTEMPTS   600


typedef struct ngx_pylon_write_s  ngx_pylon_write_t;

typedef void (*ngx_pylon_attempt_pt)(ngx_pylon_write_t *w);

struct ngx_pylon_write_s {
    ngx_pylon_helper_t      *h;
    ngx_pylon_job_t         *job;
    ngx_pylon_identity_t    *id;
    ngx_int_t                netuid;
    ngx_int_t                mechanism;
    ngx_uint_t               attempt;       /* attempts in this helper */
    ngx_uint_t               max;           /* attempts allowed */
    ngx_msec_t               delay;         /* retry base */
    uint64_t                 epoch_end;     /* weights: stop after it */
    double                   started;       /* stats clock */
    ngx_pylon_attempt_pt     run;
    pylon_runtime_t         *rt;            /* held: this attempt's runtime */
    lws_sorted_usec_list_t   sul;
    ngx_uint_t               waiting;       /* between attempts */
    ngx_pylon_write_t       *next;
    ngx_uint_t               crv2;          /* a hash commit was sent */
    uint64_t                 reveal_round;  /* revealed: of this attempt */
    uint64_t                 window_open;   /* weights window, 0: unset */
    u_char                   pub[32];       /* certificate: its key */
    u_char                   secret[512];   /* certificate: sealed reply */
    size_t                   secret_len;
    char                     error[512];
};


static void ngx_pylon_writer_start(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job, ngx_pylon_attempt_pt run, ngx_uint_t max,
    ngx_msec_t delay);
static void ngx_pylon_write_timer(lws_sorted_usec_list_t *sul);
static void ngx_pylon_writer_reap(ngx_pylon_helper_t *h);
static ngx_int_t ngx_pylon_write_cancelled(ngx_pylon_write_t *w);
static void ngx_pylon_write_retry(ngx_pylon_write_t *w, const char *error);
static void ngx_pylon_write_end(ngx_pylon_write_t *w, const char *state,
    ngx_uint_t status, const char *body, const char *error);
static void ngx_pylon_write_submitted(void *data, ngx_int_t ok,
    const char *error, const char *docs, uint64_t block,
    const char *block_hash);
static void ngx_pylon_weights_attempt(ngx_pylon_write_t *w);
static void ngx_pylon_reveal_attempt(ngx_pylon_write_t *w);
static void ngx_pylon_commitment_attempt(ngx_pylon_write_t *w);
static void ngx_pylon_certificate_attempt(ngx_pylon_write_t *w);
static void ngx_pylon_revealed_attempt(ngx_pylon_write_t *w);
static ngx_int_t ngx_pylon_weights_window(ngx_pylon_write_t *w,
    uint64_t head, uint32_t tempo);
static const pylon_meta_t *ngx_pylon_write_runtime(ngx_pylon_write_t *w);
static ngx_uint_t ngx_pylon_write_resume(ngx_pylon_write_t *w);
static void ngx_pylon_weights_epoch_known(void *data, ngx_int_t rc,
    const char *error);
static ngx_int_t ngx_pylon_reveal_wait(ngx_pylon_write_t *w);
static ngx_int_t ngx_pylon_certificate_kept(ngx_pylon_write_t *w);


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
    "BadOrigin", "bad signature", NULL
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


static void
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

static void
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


static void
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

static ngx_int_t
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

static void
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

static const pylon_meta_t *
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

static ngx_uint_t
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

    if (ngx_strcmp(w->job->kind, "weights") == 0 && w->crv2) {
        /* CRv2: the commit is in, the reveal is a job of its own */
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 200, NULL, NULL);
        return;
    }

    if (ngx_strcmp(w->job->kind, "certificate") == 0) {
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 201, (char *) w->secret,
                            NULL);
        return;
    }

    if (ngx_strcmp(w->job->kind, "revealed") == 0) {
        ngx_snprintf((u_char *) w->error, sizeof(w->error),
                     "{\"reveal_round\":%uL}%Z", w->reveal_round);
        ngx_pylon_write_end(w, PYLON_JOB_DONE, 201, w->error, NULL);
        return;
    }

    ngx_pylon_write_end(w, PYLON_JOB_DONE,
                        ngx_strcmp(w->job->kind, "commitment") == 0
                        ? 201 : 200, NULL, NULL);
}


/* a cached body of this subnet, parsed; NULL when absent */

static json_t *
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


static uint64_t
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


/*
 * weights: everything is read again on every attempt: the neurons (a
 * hotkey may register meanwhile), the hyperparameters (commit-reveal may
 * be switched), the runtime.
 */

static void
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


/* reveal_weights, retried while the chain says it is too early */

static void
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


/* Commitments.set_commitment(netuid, {fields: [Raw<len>(bytes)]}) */

static void
ngx_pylon_commitment_attempt(ngx_pylon_write_t *w)
{
    char                 variant[16];
    size_t               len;
    json_t              *args, *field;
    const char          *hex;
    const pylon_meta_t  *meta;

    if (ngx_pylon_write_resume(w)) {
        return;
    }

    meta = ngx_pylon_write_runtime(w);
    if (meta == NULL) {
        ngx_pylon_write_retry(w, "runtime metadata not available yet");
        return;
    }

    hex = json_string_value(json_object_get(w->job->params, "commitment"));
    len = hex ? (ngx_strlen(hex) - 2) / 2 : 0;

    if (hex == NULL || len == 0 || len > PYLON_COMMITMENT_MAX_BYTES) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 400, NULL,
                            "bad commitment job");
        return;
    }

    ngx_snprintf((u_char *) variant, sizeof(variant), "Raw%uz%Z", len);

    field = json_pack("{s:s}", variant, hex);
    args = json_pack("{s:i, s:{s:[o]}}", "netuid", (int) w->netuid,
                     "info", "fields", field);

    ngx_pylon_write_submit(w, meta, "Commitments", "set_commitment", args);
}


/* the identity's neuron on its subnet, from the cached neurons */

static json_t *
ngx_pylon_own_neuron(ngx_pylon_write_t *w, json_t **neurons)
{
    *neurons = ngx_pylon_write_cached(w, PYLON_ROUTE_NEURONS);

    return json_object_get(json_object_get(*neurons, "neurons"),
                           (char *) w->id->ss58);
}


/* "1.2.3.4" or an IPv6 address as the chain's u128 and its type */

static ngx_int_t
ngx_pylon_ip_u128(const char *ip, char *dec, size_t size, int *type)
{
    int              i;
    u_char           b[16];
    unsigned __int128  v;
    char             tmp[48], *p;

    if (inet_pton(AF_INET, ip, b) == 1) {
        *type = 4;
        v = ((unsigned) b[0] << 24) | ((unsigned) b[1] << 16)
            | ((unsigned) b[2] << 8) | b[3];

    } else if (inet_pton(AF_INET6, ip, b) == 1) {
        *type = 6;
        v = 0;
        for (i = 0; i < 16; i++) {
            v = (v << 8) | b[i];
        }

    } else {
        return NGX_ERROR;
    }

    p = tmp + sizeof(tmp) - 1;
    *p = '\0';

    do {
        *--p = (char) ('0' + (int) (v % 10));
        v /= 10;
    } while (v);

    if ((size_t) (tmp + sizeof(tmp) - p) > size) {
        return NGX_ERROR;
    }

    ngx_memcpy(dec, p, tmp + sizeof(tmp) - p);

    return NGX_OK;
}


/*
 * An ed25519 keypair, served as the neuron's certificate with its current
 * axon (protocol 4, version 9003000), as turbobt does.
 */

static void
ngx_pylon_certificate_attempt(ngx_pylon_write_t *w)
{
    int                  type;
    char                 ipdec[48], cert[2 + 2 * 33 + 1];
    u_char               pk[crypto_sign_PUBLICKEYBYTES];
    u_char               sk[crypto_sign_SECRETKEYBYTES];
    u_char               plain[200], *p;
    json_t              *neurons, *neuron, *axon, *args, *ipv;
    const pylon_meta_t  *meta;

    meta = ngx_pylon_write_runtime(w);
    neuron = ngx_pylon_own_neuron(w, &neurons);

    if (meta == NULL || neurons == NULL) {
        json_decref(neurons);
        ngx_pylon_write_retry(w, "subnet data not available yet");
        return;
    }

    if (neuron == NULL) {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    axon = json_object_get(neuron, "axon_info");
    ipv = json_object_get(axon, "ip");

    if (!json_is_string(ipv)
        || ngx_pylon_ip_u128(json_string_value(ipv), ipdec, sizeof(ipdec),
                             &type) != NGX_OK)
    {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    if (w->secret_len == 0 && ngx_pylon_certificate_kept(w) != NGX_OK) {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    if (w->secret_len == 0) {
        crypto_sign_keypair(pk, sk);

        /* the 32-byte seed is the private key, as turbobt's */
        p = ngx_sprintf(plain, "{\"algorithm\":1,\"public_key\":\"");
        p = ngx_hex_dump(p, pk, sizeof(pk));
        p = ngx_cpymem(p, "\",\"private_key\":\"", 17);
        p = ngx_hex_dump(p, sk, 32);
        p = ngx_cpymem(p, "\"}", 2);

        sodium_memzero(sk, sizeof(sk));

        if (pylon_seal_hex_len(p - plain) > sizeof(w->secret)
            || pylon_seal((char *) w->secret, w->h->pmcf->session_key,
                          plain, p - plain) != 0)
        {
            sodium_memzero(plain, sizeof(plain));
            json_decref(neurons);
            ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL,
                                "cannot seal the keypair");
            return;
        }

        sodium_memzero(plain, sizeof(plain));
        w->secret_len = ngx_strlen(w->secret);
        ngx_memcpy(w->pub, pk, sizeof(pk));

        /* kept sealed with the job for a helper taking it over */
        *ngx_hex_dump((u_char *) cert, pk, sizeof(pk)) = '\0';

        if (json_object_set_new(w->job->params, "sealed",
                                json_string((char *) w->secret)) != 0
            || json_object_set_new(w->job->params, "certificate",
                                   json_string(cert)) != 0
            || pylon_job_note(w->h->store, w->job->id, "params",
                              w->job->params) != 0)
        {
            json_object_del(w->job->params, "sealed");
            sodium_memzero(w->secret, sizeof(w->secret));
            w->secret_len = 0;
            json_decref(neurons);
            ngx_pylon_write_retry(w, "cannot record the certificate");
            return;
        }
    }

    cert[0] = '0';
    cert[1] = 'x';
    cert[2] = '0';
    cert[3] = '1';
    *ngx_hex_dump((u_char *) cert + 4, w->pub, 32) = '\0';

    args = json_pack("{s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:s}",
                     "netuid", (int) w->netuid,
                     "version", NGX_PYLON_AXON_VERSION,
                     "ip", ipdec,
                     "port", (int) json_integer_value(json_object_get(axon,
                                                                   "port")),
                     "ip_type", type, "protocol", 4,
                     "placeholder1", 0, "placeholder2", 0,
                     "certificate", cert);
    json_decref(neurons);

    ngx_pylon_write_submit(w, meta, "SubtensorModule", "serve_axon_tls",
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


/*
 * The keypair a certificate job drew on an earlier attempt or in the
 * helper it is taken over from, kept sealed in its params ("sealed",
 * "certificate": the public key in hex).  Restored into w->secret and
 * w->pub when this cycle's session key opens it; the plaintext is wiped
 * here.  A reload rotates the key: a job that then has a recorded
 * extrinsic (carrying the old key) fails (NGX_ERROR) rather than reply
 * with a keypair that is not on chain; without one, a new pair is drawn
 * (NGX_OK, nothing restored).
 */

static ngx_int_t
ngx_pylon_certificate_kept(ngx_pylon_write_t *w)
{
    u_char       plain[200], pub[32];
    size_t       len, n;
    const char  *sealed, *hex;

    sealed = json_string_value(json_object_get(w->job->params, "sealed"));
    hex = json_string_value(json_object_get(w->job->params, "certificate"));

    if (sealed == NULL || hex == NULL) {
        return w->job->xt == NULL ? NGX_OK : NGX_ERROR;
    }

    if (ngx_strlen(sealed) < sizeof(w->secret)
        && ngx_strlen(hex) == 2 * sizeof(pub)
        && pylon_hex_decode(pub, sizeof(pub), &n, hex, ngx_strlen(hex)) == 0
        && pylon_unseal(plain, sizeof(plain), &len, w->h->pmcf->session_key,
                        sealed) == 0
        && ngx_strlcasestrn(plain, plain + len, (u_char *) hex,
                            2 * sizeof(pub) - 1) != NULL)
    {
        sodium_memzero(plain, sizeof(plain));
        ngx_cpystrn(w->secret, (u_char *) sealed, sizeof(w->secret));
        w->secret_len = ngx_strlen(w->secret);
        ngx_memcpy(w->pub, pub, sizeof(pub));

        ngx_log_error(NGX_LOG_NOTICE, w->h->log, 0,
                      "pylon helper: certificate job %s: the keypair of "
                      "its first attempt is kept", w->job->id);
        return NGX_OK;
    }

    sodium_memzero(plain, sizeof(plain));

    if (w->job->xt != NULL) {
        ngx_log_error(NGX_LOG_ERR, w->h->log, 0,
                      "pylon helper: certificate job %s: its recorded "
                      "extrinsic carries a keypair sealed by an earlier "
                      "cycle, which cannot be returned", w->job->id);
        return NGX_ERROR;
    }

    json_object_del(w->job->params, "sealed");
    json_object_del(w->job->params, "certificate");

    return NGX_OK;
}


/*
 * A revealed (timelocked) commitment (spec §5.3): the text as a SCALE
 * String, timelocked to the drand round blocks_until_reveal blocks of
 * pylon_block_duration from now, as Commitments.set_commitment(netuid,
 * {fields: [TimelockEncrypted{encrypted, reveal_round}]}).
 */

static void
ngx_pylon_revealed_attempt(ngx_pylon_write_t *w)
{
    char                *hex;
    json_t              *p, *v, *args;
    const char          *text;
    pylon_buf_t          ct;
    const pylon_meta_t  *meta;

    meta = ngx_pylon_write_runtime(w);
    if (meta == NULL) {
        ngx_pylon_write_retry(w, "runtime metadata not available yet");
        return;
    }

    p = w->job->params;
    text = json_string_value(json_object_get(p, "commitment"));

    if (text == NULL) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 400, NULL,
                            "bad revealed commitment job");
        return;
    }

    /*
     * A job taken over with a recorded extrinsic resumes it (in
     * ngx_pylon_submit_job): its reply names the round that extrinsic
     * carries, kept in the params when it was built, not a new one.
     */
    v = json_object_get(p, "reveal_round");

    if (w->job->xt != NULL && json_is_integer(v)
        && json_integer_value(v) > 0)
    {
        w->reveal_round = (uint64_t) json_integer_value(v);

    } else {
        w->reveal_round = pylon_revealed_round((int64_t) ngx_time(),
                              json_integer_value(json_object_get(p,
                                                     "blocks_until_reveal")),
                              w->h->pmcf->block_duration / 1000.0);

        if (json_object_set_new(p, "reveal_round",
                                json_integer((json_int_t) w->reveal_round))
            != 0
            || pylon_job_note(w->h->store, w->job->id, "params", p) != 0)
        {
            ngx_pylon_write_retry(w, "cannot record the reveal round");
            return;
        }
    }

    pylon_buf_init(&ct);

    if (pylon_revealed_encrypt(&ct, (const uint8_t *) text,
                               json_string_length(json_object_get(p,
                                                              "commitment")),
                               w->reveal_round)
        != 0)
    {
        pylon_buf_free(&ct);
        ngx_pylon_write_retry(w, "timelock encryption failed");
        return;
    }

    hex = ngx_alloc(2 * ct.len + 3, w->h->log);
    if (hex == NULL) {
        pylon_buf_free(&ct);
        ngx_pylon_write_retry(w, "out of memory");
        return;
    }

    hex[0] = '0';
    hex[1] = 'x';
    *ngx_hex_dump((u_char *) hex + 2, ct.data, ct.len) = '\0';
    pylon_buf_free(&ct);

    args = json_pack("{s:i, s:{s:[{s:{s:s, s:I}}]}}", "netuid",
                     (int) w->netuid, "info", "fields", "TimelockEncrypted",
                     "encrypted", hex, "reveal_round",
                     (json_int_t) w->reveal_round);
    ngx_free(hex);

    if (args == NULL) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL, "no memory");
        return;
    }

    ngx_pylon_write_submit(w, meta, "Commitments", "set_commitment", args);
}

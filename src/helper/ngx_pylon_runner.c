/*
 * ngx_pylon_runner.c: running the job queue in the helper (see
 * ngx_pylon_runner.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <sys/un.h>

#include "helper/ngx_pylon_runner.h"


#define NGX_PYLON_MAX_KINDS     16
#define NGX_PYLON_SCAN_PERIOD   (2 * LWS_US_PER_SEC)
#define NGX_PYLON_JOB_KEEP      (3600 * 1000)     /* finished jobs, ms */
#define NGX_PYLON_FETCH_KEEP    (60 * 1000)       /* finished fetches: read
                                                     at once by waiters */
#define NGX_PYLON_FETCH_RUNNING 8       /* fetch jobs run at once; the rest
                                           wait pending for a free slot */
#define NGX_PYLON_TAKEOVERS     20                /* helpers a job outlives */


typedef struct {
    char                    kind[32];
    ngx_pylon_job_run_pt    run;
} ngx_pylon_kind_t;


static void ngx_pylon_runner_scan(lws_sorted_usec_list_t *sul);
static void ngx_pylon_runner_start(void *data, json_t *record);
static void ngx_pylon_runner_notify(ngx_pylon_helper_t *h, const char *id,
    const char *reply);


static ngx_pylon_kind_t        ngx_pylon_kinds[NGX_PYLON_MAX_KINDS];
static ngx_uint_t              ngx_pylon_nkinds;
static ngx_pylon_job_t        *ngx_pylon_running;
static int                     ngx_pylon_doorbell = -1;
static lws_sorted_usec_list_t  ngx_pylon_sul_scan;
static ngx_pylon_helper_t     *ngx_pylon_runner_helper;
static ngx_uint_t              ngx_pylon_scans;
static ngx_pylon_job_reap_pt   ngx_pylon_reap;


ngx_int_t
ngx_pylon_runner_register(const char *kind, ngx_pylon_job_run_pt run)
{
    ngx_pylon_kind_t  *k;

    if (ngx_pylon_nkinds == NGX_PYLON_MAX_KINDS
        || ngx_strlen(kind) >= sizeof(k->kind))
    {
        return NGX_ERROR;
    }

    k = &ngx_pylon_kinds[ngx_pylon_nkinds++];
    ngx_cpystrn((u_char *) k->kind, (u_char *) kind, sizeof(k->kind));
    k->run = run;

    return NGX_OK;
}


void
ngx_pylon_runner_reaper(ngx_pylon_job_reap_pt reap)
{
    ngx_pylon_reap = reap;
}


int
ngx_pylon_runner_fd(void)
{
    return ngx_pylon_doorbell;
}


ngx_int_t
ngx_pylon_runner_init(ngx_pylon_helper_t *h)
{
    int                    fd;
    struct sockaddr_un     sa;
    lws_sock_file_fd_type  u;

    ngx_pylon_runner_helper = h;

    ngx_memzero(&sa, sizeof(sa));
    sa.sun_family = AF_UNIX;

    if (h->pmcf->cache_dir.len + sizeof("/helper.sock") > sizeof(sa.sun_path))
    {
        ngx_log_error(NGX_LOG_EMERG, h->log, 0,
                      "pylon helper: cache path \"%V\" is too long for a "
                      "socket", &h->pmcf->cache_dir);
        return NGX_ERROR;
    }

    ngx_snprintf((u_char *) sa.sun_path, sizeof(sa.sun_path),
                 "%V/helper.sock%Z", &h->pmcf->cache_dir);

    fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_EMERG, h->log, ngx_socket_errno,
                      "pylon helper: socket() failed");
        return NGX_ERROR;
    }

    /* we hold the helper lock: a leftover socket is a dead helper's */
    (void) unlink(sa.sun_path);

    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == -1) {
        ngx_log_error(NGX_LOG_EMERG, h->log, ngx_socket_errno,
                      "pylon helper: bind(\"%s\") failed", sa.sun_path);
        close(fd);
        return NGX_ERROR;
    }

    u.filefd = fd;
    if (lws_adopt_descriptor_vhost(h->vhost, LWS_ADOPT_RAW_FILE_DESC, u,
                                   "pylon-raw", NULL) == NULL)
    {
        close(fd);
        return NGX_ERROR;
    }

    ngx_pylon_doorbell = fd;

    /* resume what a previous helper left unfinished */
    if (pylon_job_reindex(h->store) < 0) {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: cannot index old jobs: %s",
                      pylon_store_error(h->store));
    }

    lws_sul_schedule(h->lws, 0, &ngx_pylon_sul_scan, ngx_pylon_runner_scan,
                     1);

    return NGX_OK;
}


void
ngx_pylon_runner_done(ngx_pylon_helper_t *h)
{
    u_char  path[NGX_MAX_PATH];

    lws_sul_cancel(&ngx_pylon_sul_scan);

    if (ngx_pylon_doorbell != -1) {
        ngx_snprintf(path, sizeof(path), "%V/helper.sock%Z",
                     &h->pmcf->cache_dir);
        (void) unlink((char *) path);
    }
}


void
ngx_pylon_runner_doorbell(ngx_pylon_helper_t *h, int fd)
{
    u_char  buf[64];

    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
        /* the payload is an id: the queue itself is the truth */
    }

    lws_sul_schedule(h->lws, 0, &ngx_pylon_sul_scan, ngx_pylon_runner_scan,
                     1);
}


static void
ngx_pylon_runner_scan(lws_sorted_usec_list_t *sul)
{
    int                  n;
    uint64_t             keep;
    ngx_uint_t           i;
    const char          *kind;
    ngx_pylon_helper_t  *h;

    h = ngx_pylon_runner_helper;

    n = pylon_job_scan(h->store, ngx_pylon_runner_start, h);
    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: job scan failed: %s",
                      pylon_store_error(h->store));
    }

    if (ngx_pylon_reap) {
        ngx_pylon_reap(h);
    }

    /* finished jobs leave in the order they ended: O(what expires) */
    for (i = 0; i < ngx_pylon_nkinds; i++) {
        kind = ngx_pylon_kinds[i].kind;
        keep = ngx_strcmp(kind, "fetch") == 0 ? NGX_PYLON_FETCH_KEEP
               : ngx_strcmp(kind, "weights") == 0
                 ? NGX_PYLON_JOB_KEEP + PYLON_JOB_WEIGHTS_KEEP
                 : NGX_PYLON_JOB_KEEP;

        if (pylon_job_expire_kind(h->store, kind,
                                  ngx_pylon_helper_now_ms() - keep) < 0)
        {
            ngx_log_error(NGX_LOG_ERR, h->log, 0,
                          "pylon helper: job expiry failed: %s",
                          pylon_store_error(h->store));
        }
    }

    /* and, rarely, a full pass for records of an older cache */
    if (++ngx_pylon_scans % 300 == 1) {
        n = pylon_job_expire(h->store,
                             ngx_pylon_helper_now_ms() - NGX_PYLON_JOB_KEEP);
        if (n > 0) {
            ngx_log_error(NGX_LOG_INFO, h->log, 0,
                          "pylon helper: %d finished jobs expired", n);
        }
    }

    lws_sul_schedule(h->lws, 0, &ngx_pylon_sul_scan, ngx_pylon_runner_scan,
                     NGX_PYLON_SCAN_PERIOD);
}


/* one unfinished record from the scan: start it unless already running */

static void
ngx_pylon_runner_start(void *data, json_t *record)
{
    ngx_pylon_helper_t *h = data;

    json_t             *v;
    ngx_uint_t          i, running;
    json_int_t          takeovers;
    const char         *id, *kind, *state;
    ngx_pylon_job_t    *job;
    ngx_pylon_kind_t   *k;

    id = json_string_value(json_object_get(record, "id"));
    kind = json_string_value(json_object_get(record, "kind"));

    if (id == NULL || kind == NULL
        || ngx_strlen(id) != PYLON_JOB_ID_LEN)
    {
        return;
    }

    running = 0;

    for (job = ngx_pylon_running; job; job = job->next) {
        if (ngx_strcmp(job->id, id) == 0) {
            return;
        }

        running += (ngx_strcmp(job->kind, kind) == 0);
    }

    /* fetches run a few at a time, the next when one ends */
    if (ngx_strcmp(kind, "fetch") == 0 && running >= NGX_PYLON_FETCH_RUNNING)
    {
        return;
    }

    k = NULL;

    for (i = 0; i < ngx_pylon_nkinds; i++) {
        if (ngx_strcmp(ngx_pylon_kinds[i].kind, kind) == 0) {
            k = &ngx_pylon_kinds[i];
            break;
        }
    }

    job = ngx_calloc(sizeof(ngx_pylon_job_t), h->log);
    if (job == NULL) {
        return;
    }

    ngx_memcpy(job->id, id, PYLON_JOB_ID_LEN + 1);
    ngx_cpystrn((u_char *) job->kind, (u_char *) kind, sizeof(job->kind));
    job->params = json_incref(json_object_get(record, "params"));
    job->attempts = json_integer_value(json_object_get(record, "attempts"))
                    + 1;
    job->created_ms = json_integer_value(json_object_get(record,
                                                         "created_ms"));
    job->xt = json_incref(json_object_get(record, "xt"));

    job->next = ngx_pylon_running;
    ngx_pylon_running = job;

    if (k == NULL) {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: job %s of unknown kind \"%s\"", id, kind);
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "unknown job kind");
        return;
    }

    /*
     * A running job is taken over from a helper that was replaced (reload,
     * kill -9, stuck): its interrupted attempt goes on, not counted again,
     * or a few reloads would use a job's attempts up; a job that keeps
     * killing its helpers still ends after NGX_PYLON_TAKEOVERS.
     */

    state = json_string_value(json_object_get(record, "state"));

    if (state != NULL && ngx_strcmp(state, PYLON_JOB_RUNNING) == 0
        && job->attempts > 1)
    {
        takeovers = json_integer_value(json_object_get(record, "takeovers"))
                    + 1;

        if (takeovers > NGX_PYLON_TAKEOVERS) {
            ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                                 "taken over too many times");
            return;
        }

        job->attempts--;

        v = json_integer(takeovers);
        if (pylon_job_note(h->store, id, "takeovers", v) != 0) {
            ngx_log_error(NGX_LOG_ERR, h->log, 0,
                          "pylon helper: cannot take job %s over: %s", id,
                          pylon_store_error(h->store));
        }
        json_decref(v);

        ngx_log_error(NGX_LOG_INFO, h->log, 0,
                      "pylon helper: job %s (%s) taken over, attempt %ui",
                      id, kind, job->attempts);

        k->run(h, job);
        return;
    }

    if (pylon_job_update(h->store, id, PYLON_JOB_RUNNING, 0, NULL, NULL)
        != 0 || pylon_job_attempt(h->store, id) != 0)
    {
        v = pylon_job_get(h->store, id);

        if (v == NULL) {
            /* a newer job replaced it since the scan read it: drop it */
            ngx_log_error(NGX_LOG_INFO, h->log, 0,
                          "pylon helper: job %s (%s) superseded before it "
                          "started", id, kind);
            ngx_pylon_running = job->next;
            json_decref(job->params);
            json_decref(job->xt);
            ngx_free(job);
            return;
        }

        json_decref(v);

        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: cannot start job %s: %s", id,
                      pylon_store_error(h->store));
    }

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pylon helper: job %s (%s) attempt %ui", id, kind,
                  job->attempts);

    k->run(h, job);
}


void
ngx_pylon_job_finish(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    const char *state, ngx_uint_t status, const char *body,
    const char *error)
{
    json_t            *record;
    const char        *reply;
    ngx_pylon_job_t  **jp;

    for (jp = &ngx_pylon_running; *jp; jp = &(*jp)->next) {
        if (*jp == job) {
            *jp = job->next;
            break;
        }
    }

    if (pylon_job_update(h->store, job->id, state, (int) status, body, error)
        != 0)
    {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: cannot finish job %s: %s", job->id,
                      pylon_store_error(h->store));
    }

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pylon helper: job %s (%s) %s %ui%s%s", job->id, job->kind,
                  state, status, error ? ": " : "", error ? error : "");

    record = pylon_job_get(h->store, job->id);
    reply = json_string_value(json_object_get(record, "reply"));

    if (reply) {
        ngx_pylon_runner_notify(h, job->id, reply);
    }

    json_decref(record);

    if (ngx_strcmp(job->kind, "fetch") == 0) {
        /* a fetch slot is free: start what waits (off this stack) */
        lws_sul_schedule(h->lws, 0, &ngx_pylon_sul_scan,
                         ngx_pylon_runner_scan, 1);
    }

    json_decref(job->params);
    json_decref(job->xt);
    ngx_free(job);
}


ngx_uint_t
ngx_pylon_job_cancelled(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    json_t      *record;
    ngx_uint_t   cancelled;
    const char  *state;

    record = pylon_job_get(h->store, job->id);
    state = json_string_value(json_object_get(record, "state"));
    cancelled = (state == NULL
                 || ngx_strcmp(state, PYLON_JOB_CANCELLED) == 0);
    json_decref(record);

    return cancelled;
}


/* after the commit: ring the waiting worker (best effort, it also polls) */

static void
ngx_pylon_runner_notify(ngx_pylon_helper_t *h, const char *id,
    const char *reply)
{
    struct sockaddr_un  sa;

    if (ngx_pylon_doorbell == -1 || ngx_strlen(reply) >= sizeof(sa.sun_path))
    {
        return;
    }

    ngx_memzero(&sa, sizeof(sa));
    sa.sun_family = AF_UNIX;
    ngx_cpystrn((u_char *) sa.sun_path, (u_char *) reply,
                sizeof(sa.sun_path));

    (void) sendto(ngx_pylon_doorbell, id, PYLON_JOB_ID_LEN, MSG_DONTWAIT,
                  (struct sockaddr *) &sa, sizeof(sa));
}

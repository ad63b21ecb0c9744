/*
 * ngx_pylon_runner.h: the helper runs the jobs workers hand it.
 *
 * A worker writes a job record (store/jobs.h) and rings the doorbell, a
 * datagram with the job id sent to <cache>/helper.sock.  The runner then
 * scans the queue (also every 2 s, and at start, which resumes what a
 * crashed or replaced helper left unfinished), marks each new job running,
 * counts the attempt and hands it to the function registered for its
 * kind.  That function works asynchronously and ends the job with
 * ngx_pylon_job_finish(), which records the outcome and rings the waiting
 * worker's socket.  Jobs must be idempotent: a helper killed mid-job runs
 * it again.  A job found running (its helper was replaced) is taken over:
 * the interrupted attempt is not counted again ("takeovers" in the record,
 * at most 20), and job->xt hands a write its recorded extrinsic
 * (ngx_pylon_submit_job).
 */

#ifndef NGX_PYLON_RUNNER_H
#define NGX_PYLON_RUNNER_H

#include <jansson.h>

#include "helper/ngx_pylon_helper.h"
#include "store/jobs.h"


typedef struct ngx_pylon_job_s  ngx_pylon_job_t;

struct ngx_pylon_job_s {
    char                 id[PYLON_JOB_ID_LEN + 1];
    char                 kind[32];
    json_t              *params;      /* owned by the job */
    ngx_uint_t           attempts;    /* including this one */
    uint64_t             created_ms;
    json_t              *xt;          /* the record's signed extrinsic
                                         (a write taken over), or NULL;
                                         owned, ngx_pylon_submit_job()
                                         consumes it */
    void                *ctx;         /* the kind's own state */
    ngx_pylon_job_t     *next;
};


/* starts a job; it must eventually call ngx_pylon_job_finish() */
typedef void (*ngx_pylon_job_run_pt)(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job);


/* binds the doorbell, adopts it into lws, resumes unfinished jobs */
ngx_int_t ngx_pylon_runner_init(ngx_pylon_helper_t *h);

/* closes the doorbell */
void ngx_pylon_runner_done(ngx_pylon_helper_t *h);

/*
 * Called after each scan of the queue (a doorbell, or every 2 s): jobs
 * waiting between attempts end there when a newer job cancelled them,
 * so a burst of superseding PUTs does not keep their records.
 */
typedef void (*ngx_pylon_job_reap_pt)(ngx_pylon_helper_t *h);

/* sets the reaper (one; at helper start) */
void ngx_pylon_runner_reaper(ngx_pylon_job_reap_pt reap);

/* registers the function for a kind (at helper start); NGX_ERROR if full */
ngx_int_t ngx_pylon_runner_register(const char *kind,
    ngx_pylon_job_run_pt run);

/*
 * Ends a job: state is PYLON_JOB_DONE or PYLON_JOB_FAILED; status and body
 * are what a waiting request answers (body NULL: the worker reads the
 * cache or builds the envelope); error is for logs and metrics.  Frees
 * the job.
 */
void ngx_pylon_job_finish(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    const char *state, ngx_uint_t status, const char *body,
    const char *error);

/* 1 when the job was cancelled meanwhile (a newer one superseded it) */
ngx_uint_t ngx_pylon_job_cancelled(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job);

/* raw doorbell readable (from the lws raw-file callback) */
void ngx_pylon_runner_doorbell(ngx_pylon_helper_t *h, int fd);

/* the doorbell's descriptor, -1 before init */
int ngx_pylon_runner_fd(void);

#endif /* NGX_PYLON_RUNNER_H */

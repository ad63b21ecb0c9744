/*
 * ngx_pylon_http.h: the worker side.  A request under a `pylon_subnet on`
 * location is routed by the table in ngx_pylon_router.c to a handler that
 * reads one record from the LMDB cache and sends it; every error goes out
 * in Pylon's envelope {"status_code", "detail"}.
 */

#ifndef NGX_PYLON_HTTP_H
#define NGX_PYLON_HTTP_H

#include "ngx_pylon.h"
#include <jansson.h>

#include "store/store.h"


#define NGX_PYLON_MAX_PARAMS  4


/* path parameters captured by the router, in order of appearance */
typedef struct {
    int64_t          ints[NGX_PYLON_MAX_PARAMS];
    ngx_uint_t       nints;
    ngx_str_t        strs[NGX_PYLON_MAX_PARAMS];
    ngx_uint_t       nstrs;
} ngx_pylon_params_t;


typedef ngx_int_t (*ngx_pylon_route_pt)(ngx_http_request_t *r,
    ngx_pylon_params_t *params);

/* a waited-for job ended: answer from its record; returns the rc that
 * finalizes the request */
typedef ngx_int_t (*ngx_pylon_job_done_pt)(ngx_http_request_t *r,
    json_t *job);


/* the content handler of `pylon_subnet on` locations */
ngx_int_t ngx_pylon_http_handler(ngx_http_request_t *r);

/* worker process start and exit: open and close the cache */
ngx_int_t ngx_pylon_http_init_worker(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);
void ngx_pylon_http_exit_worker(ngx_cycle_t *cycle);

/* the worker's cache handle, NULL when it could not be opened */
pylon_store_t *ngx_pylon_worker_store(void);

/* sends a complete JSON body (copied into r->pool unless in the pool) */
ngx_int_t ngx_pylon_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *body, size_t len);

/* sends Pylon's error envelope {"status_code": S, "detail": D} */
ngx_int_t ngx_pylon_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail);

/*
 * Sends the cached record at key: 200 with its ETag (nginx's not-modified
 * filter answers If-None-Match with 304), 503 when the helper has not
 * written it yet, 500 when the cache cannot be read.
 */
ngx_int_t ngx_pylon_send_cached(ngx_http_request_t *r, const char *key);

/* the wake socket and the waiters (ngx_pylon_wait.c) */
ngx_int_t ngx_pylon_wait_init(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);
void ngx_pylon_wait_exit(ngx_cycle_t *cycle);

/*
 * Queues a job for the helper (see store/jobs.h for key and mode) and
 * rings its doorbell; writes the id (PYLON_JOB_ID_LEN + 1 bytes).  NGX_OK
 * or NGX_ERROR.
 */
ngx_int_t ngx_pylon_job_submit(ngx_http_request_t *r, char *id,
    const char *kind, const char *key, ngx_uint_t mode, json_t *params,
    ngx_uint_t *joined);

/*
 * Waits for job id without blocking: done() answers when it ends, a 504
 * envelope at the timeout.  Takes a request reference and returns
 * NGX_DONE, which the content handler returns (a body handler calls
 * ngx_http_finalize_request(r, NGX_DONE) instead).
 */
ngx_int_t ngx_pylon_job_wait(ngx_http_request_t *r, const char *id,
    ngx_msec_t timeout, ngx_pylon_job_done_pt done);

/* route handlers */
ngx_int_t ngx_pylon_block_latest(ngx_http_request_t *r,
    ngx_pylon_params_t *params);

#endif /* NGX_PYLON_HTTP_H */

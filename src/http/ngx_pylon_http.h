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
#include "bittensor/request.h"


#define NGX_PYLON_MAX_PARAMS  4


/* path parameters captured by the router, in order of appearance */
typedef struct {
    int64_t          ints[NGX_PYLON_MAX_PARAMS];
    ngx_uint_t       nints;
    ngx_str_t        strs[NGX_PYLON_MAX_PARAMS];
    ngx_uint_t       nstrs;
} ngx_pylon_params_t;


typedef struct ngx_pylon_ctx_s  ngx_pylon_ctx_t;

typedef ngx_int_t (*ngx_pylon_route_pt)(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);


/* route flags */
#define NGX_PYLON_R_OPEN      0x01   /* open-access: /subnet/{netuid}/... */
#define NGX_PYLON_R_IDENTITY  0x02   /* /identity/{name}/subnet/{netuid} */
#define NGX_PYLON_R_BODY      0x04   /* reads a JSON request body */
#define NGX_PYLON_R_UNSTABLE  0x08   /* under /api/_unstable */
#define NGX_PYLON_R_BLOCK     0x10   /* has {block_number} */
#define NGX_PYLON_R_ITEM      0x20   /* has {hotkey} (or self) */
#define NGX_PYLON_R_SELF      0x40   /* the identity's own hotkey */
#define NGX_PYLON_R_TIMEOUT   0x80   /* X-Pylon-Timeout applies */
#define NGX_PYLON_R_GUARD     0x100  /* open-access guard, no netuid */
#define NGX_PYLON_R_PUBLIC    0x200  /* no guard at all, whatever else */


typedef struct {
    ngx_uint_t           method;      /* NGX_HTTP_GET, ... */
    char                *pattern;     /* "/"-separated, {int} {str} */
    ngx_pylon_route_pt   handler;
    ngx_uint_t           flags;
    char                *data;        /* cache route name, when any */
} ngx_pylon_route_t;


/* per request: what routing and authorisation found */
struct ngx_pylon_ctx_s {
    ngx_pylon_route_t     *route;
    ngx_pylon_params_t     params;
    ngx_int_t              netuid;     /* -1 for chain-wide routes */
    ngx_str_t              hotkey;     /* item routes */
    ngx_pylon_identity_t  *identity;   /* identity routes */
    ngx_str_t              body;       /* body routes, contiguous */
    ngx_msec_t             timeout;
    int64_t                block;      /* -1: latest */
    uint64_t               served_block;  /* for $pylon_block */
    ngx_uint_t             cache_status;  /* NGX_PYLON_CACHE_* */
    void                  *fetch;      /* a waited-for fetch */
};


#define NGX_PYLON_CACHE_NONE     0
#define NGX_PYLON_CACHE_HIT      1
#define NGX_PYLON_CACHE_MISS     2     /* fetched by the helper */
#define NGX_PYLON_CACHE_EMPTY    3     /* not there yet: 503 */

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

/*
 * Reply helpers, one ownership rule (ngx_pylon_reply.c):
 *   ngx_pylon_send_json, _typed   send body in place, nothing is copied
 *       or freed: body must outlive the request (r->pool or static).
 *   ngx_pylon_send_json_copy      body is borrowed (a job's JSON, an LMDB
 *       page): copied into r->pool first; the caller still frees it.
 *   ngx_pylon_send_json_free      body came from malloc(): copied into
 *       r->pool and freed here on every path; the caller never frees it.
 * Every other helper builds its body in r->pool.
 */

/* sends a JSON body that lives in r->pool or in static memory, as it is */
ngx_int_t ngx_pylon_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *body, size_t len);

/* the same with another Content-Type (Prometheus text, HTML, YAML) */
ngx_int_t ngx_pylon_send_typed(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *body, size_t len);

/* copies a borrowed JSON body into r->pool, sends it; caller keeps body */
ngx_int_t ngx_pylon_send_json_copy(ngx_http_request_t *r, ngx_uint_t status,
    const u_char *body, size_t len);

/* sends Pylon's error envelope {"status_code": S, "detail": D} */
ngx_int_t ngx_pylon_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail);

/*
 * Sends the cached record at key: 200 with its ETag (nginx's not-modified
 * filter answers If-None-Match with 304), 503 when the helper has not
 * written it yet, 500 when the cache cannot be read.
 */
ngx_int_t ngx_pylon_send_cached(ngx_http_request_t *r, const char *key);

#define NGX_PYLON_ANY_BLOCK  ((uint64_t) -1)

/*
 * Sends the record at key when it is there (and describes block, unless
 * NGX_PYLON_ANY_BLOCK): *found = 1 and the rc.  Absent: *found = 0,
 * NGX_DECLINED, nothing sent.  *served (may be NULL) gets its block.
 */
ngx_int_t ngx_pylon_send_cached_at(ngx_http_request_t *r, const char *key,
    uint64_t block, ngx_uint_t *found, uint64_t *served);
ngx_int_t ngx_pylon_send_cached_if(ngx_http_request_t *r, const char *key,
    ngx_uint_t *found, uint64_t *served);

/* sends a malloc()ed JSON body (may be NULL: 500) and frees it, always */
ngx_int_t ngx_pylon_send_json_free(ngx_http_request_t *r, ngx_uint_t status,
    char *buf, size_t len);

/* opens a secret sealed by the helper; NULL when it does not open */
u_char *ngx_pylon_unseal(ngx_http_request_t *r, const char *sealed,
    size_t *len);

/* seconds a 503 for too many jobs or a full cache asks the client to wait */
#define NGX_PYLON_RETRY_AFTER  5

/* 503 in Pylon's envelope with "Retry-After: seconds" */
ngx_int_t ngx_pylon_send_retry(ngx_http_request_t *r, ngx_uint_t seconds,
    const char *detail);

/* the envelope of a status with its reason phrase ("Bad Gateway") */
ngx_int_t ngx_pylon_send_status(ngx_http_request_t *r, ngx_uint_t status);

/* a 400 validation envelope with one {"message", "key"} entry */
ngx_int_t ngx_pylon_send_invalid(ngx_http_request_t *r, const char *message,
    const char *key);


/*
 * gzip copies (ngx_pylon_gzip.c): whether the request's Accept-Encoding
 * allows gzip (q-values honoured, "gzip;q=0" refuses); "Vary:
 * Accept-Encoding" (through nginx's gzip_vary when that is on);
 * "Content-Encoding: gzip", which also keeps nginx's gzip filter off.
 */
ngx_uint_t ngx_pylon_gzip_accepted(ngx_http_request_t *r);
ngx_int_t ngx_pylon_gzip_vary(ngx_http_request_t *r);
ngx_int_t ngx_pylon_gzip_encoding(ngx_http_request_t *r);

/* 200 with an ETag: body must live in r->pool */
ngx_int_t ngx_pylon_send_body(ngx_http_request_t *r, u_char *body,
    size_t len, uint64_t etag);

/*
 * Checks that may answer: they return NGX_OK to go on, or the rc of the
 * error they sent, which can be NGX_OK too: r->header_sent tells.
 */
#define NGX_PYLON_PASSED(rc, r)  ((rc) == NGX_OK && !(r)->header_sent)

/*
 * The identity named in the path (404); the route's guard, in Pylon v2's
 * order: 401, 404, 403, then 308 to the identity's subnet (auth.c).
 */
ngx_int_t ngx_pylon_lookup_identity(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_authorise(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);

/* a request body of kind, checked in Pylon's order (ngx_pylon_writes.c) */
#define NGX_PYLON_LOOKUP     1
#define NGX_PYLON_AUTHORISE  2

ngx_int_t ngx_pylon_body_parse(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx,
    pylon_body_kind_t kind, pylon_body_t *body, ngx_uint_t check);

/* X-Pylon-Timeout into ctx->timeout; NGX_OK or the rc of a 400 sent */
ngx_int_t ngx_pylon_timeout(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);

/* the request's context (NULL outside pylon routes) */
ngx_pylon_ctx_t *ngx_pylon_ctx(ngx_http_request_t *r);

/* the wake socket and the waiters (ngx_pylon_wait.c) */
ngx_int_t ngx_pylon_wait_init(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);
void ngx_pylon_wait_exit(ngx_cycle_t *cycle);

/*
 * Queues a job for the helper (see store/jobs.h for key and mode) and
 * rings its doorbell; writes the id (PYLON_JOB_ID_LEN + 1 bytes).  NGX_OK,
 * NGX_BUSY (too many unfinished jobs of kind), NGX_DECLINED (the job
 * queue is over its budget or full, logged) or NGX_ERROR.
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

/* identities and tokens (ngx_pylon_identity.c) */
char *ngx_pylon_conf_token(ngx_conf_t *cf, ngx_str_t *value,
    ngx_str_t *token, const char *directive);
char *ngx_pylon_identity(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_pylon_open_access_token(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_pylon_identities_load(ngx_conf_t *cf,
    ngx_pylon_main_conf_t *pmcf);
void ngx_pylon_identities_wipe(ngx_pylon_main_conf_t *pmcf);
ngx_pylon_identity_t *ngx_pylon_identity_add(ngx_conf_t *cf,
    ngx_pylon_main_conf_t *pmcf);
ngx_int_t ngx_pylon_identity_check(ngx_conf_t *cf, ngx_pylon_identity_t *id);

/* pylon_env_file (ngx_pylon_envfile.c) */
char *ngx_pylon_env_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_pylon_env_apply(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf);

/* sessions and authorisation (ngx_pylon_auth.c) */
ngx_uint_t ngx_pylon_token_equal(ngx_str_t *a, ngx_str_t *b);
ngx_int_t ngx_pylon_session_issue(ngx_http_request_t *r,
    ngx_pylon_identity_t *id);
ngx_pylon_identity_t *ngx_pylon_session_identity(ngx_http_request_t *r);

/* "Authorization: Bearer <token>" split as Pylon does: NGX_OK and the
 * token (in the header), or NGX_DECLINED and the 401 detail */
ngx_int_t ngx_pylon_bearer_parse(ngx_http_request_t *r, ngx_str_t *token,
    const char **detail);

/*
 * Sends the cached record at key, fetching it through the helper when it
 * is absent (a fetch job for the request's route, netuid and block);
 * absent after the fetch: 404 with detail.
 */
ngx_int_t ngx_pylon_send_or_fetch(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx, const char *key, const char *missing);

/* $pylon_* variables (ngx_pylon_variables.c) */
ngx_int_t ngx_pylon_add_variables(ngx_conf_t *cf);

/*
 * The reply to a job ngx_pylon_job_submit() did not queue (rc): 503 with
 * Retry-After in the envelope for NGX_BUSY and NGX_DECLINED, else 500.
 */
ngx_int_t ngx_pylon_job_refused(ngx_http_request_t *r, ngx_int_t rc);

/*
 * Submits a job that identical requests join (key), releases params,
 * and waits for it as ngx_pylon_job_wait() does; 503 with Retry-After when
 * too many are in flight or the cache is full, 500 when it cannot be
 * queued.
 */
ngx_int_t ngx_pylon_job_join_wait(ngx_http_request_t *r, const char *kind,
    const char *key, json_t *params, ngx_msec_t timeout,
    ngx_pylon_job_done_pt done);

/* route handlers */
ngx_int_t ngx_pylon_block_latest(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_subnet_data(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_subnet_item(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_recent_neurons(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_extrinsic(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_login(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_identities(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_put_weights(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_weights_schedule(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx, pylon_body_t *body, ngx_int_t mechanism);
ngx_int_t ngx_pylon_post_commitment(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_post_certificate(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);

/* Pylon v2 reads and writes (ngx_pylon_v2reads.c, ngx_pylon_v2writes.c) */
ngx_int_t ngx_pylon_v2_drand(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_v2_revealed(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_v2_revealed_one(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_v2_weights_status(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_v2_put_weights(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_v2_post_revealed(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);

/* EVM: directives (ngx_pylon_evm_conf.c) and the logs route
 * (ngx_pylon_evm_logs.c) */
char *ngx_pylon_evm_limits(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_pylon_evm_conf_init(ngx_conf_t *cf,
    ngx_pylon_main_conf_t *pmcf);
ngx_int_t ngx_pylon_evm_logs(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx);
json_t *ngx_pylon_evm_openapi(void);      /* its OpenAPI path item */
ngx_int_t ngx_pylon_evm_associations(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);                /* ngx_pylon_evm_assoc.c */
json_t *ngx_pylon_evm_assoc_openapi(ngx_uint_t identity);

/* the head block the helper last wrote to the cache, 0 before any */
uint64_t ngx_pylon_head(void);

#endif /* NGX_PYLON_HTTP_H */

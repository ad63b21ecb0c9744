/*
 * ngx_pylon_metrics.h: request metrics shared by all workers, GET /metrics
 * and the OpenAPI routes.
 *
 * Counting (ngx_pylon_metrics.c): a fixed shared memory zone holds one
 * slot per (route, method, status) with a request counter, the duration
 * histogram and the in-progress gauge; slots are claimed and updated with
 * atomic operations only, never a lock.  The router marks a request when it
 * dispatches it to a route; a log-phase handler records it when it ends.
 *
 * Exposition (ngx_pylon_prom.c): GET /metrics checks the bearer token as
 * Pylon's guard does, then renders the zone, the cache counters, the
 * helper's statistics (the S/metrics record, already in exposition format)
 * and the helper's state (S/helper) in Prometheus text format 0.0.4.
 */

#ifndef NGX_PYLON_METRICS_H
#define NGX_PYLON_METRICS_H

#include "ngx_pylon.h"
#include "http/ngx_pylon_http.h"


/* duration buckets of pylon_request_duration_seconds (prometheus_client) */
#define NGX_PYLON_HTTP_BUCKETS  15          /* 14 bounds and +Inf */

#define NGX_PYLON_METRICS_CONTENT_TYPE                                       \
    "text/plain; version=0.0.4; charset=utf-8"


/*
 * Creates the shared zone and registers the log-phase handler; called from
 * the module's postconfiguration when some location has pylon_subnet on.
 * NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_pylon_metrics_init_conf(ngx_conf_t *cf,
    ngx_pylon_main_conf_t *pmcf);

/*
 * The router dispatches r to route number `route` of its table (also for
 * an OPTIONS answer on a known path): counts it in progress and remembers
 * it for the log phase.  Never fails the request.
 */
void ngx_pylon_metrics_start(ngx_http_request_t *r, ngx_uint_t route);

/* a cached record was found (hit = 1) or not yet there (hit = 0) */
void ngx_pylon_metrics_cache(ngx_uint_t hit);

/*
 * pylon_metrics_token TOKEN | file=PATH: the bearer token of GET /metrics
 * (a file is read now, at config time, and trimmed).  An empty token, or
 * none, makes /metrics answer 403 "Metrics endpoint is not configured".
 */
char *ngx_pylon_metrics_token(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* route handlers: GET /metrics, and the OpenAPI document and pages */
ngx_int_t ngx_pylon_metrics_handler(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_openapi_json(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_openapi_yaml(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);
ngx_int_t ngx_pylon_openapi_page(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);

/* the router's table, for labels: pattern of route i, NULL past the end */
const char *ngx_pylon_route_pattern(ngx_uint_t i);

/*
 * Writes the Pylon path template of a router pattern into buf ("{int}"
 * after "subnet" becomes "{netuid}", and so on); returns its length, or 0
 * when it does not fit.
 */
size_t ngx_pylon_route_template(u_char *buf, size_t size,
    const char *pattern);

/*
 * The zone as the exposition reads it: appends the HTTP families and the
 * cache counters to the buffer at p (at most last); returns the new end,
 * or NULL when it does not fit.  ngx_pylon_metrics_render_size() is an
 * upper bound of what it writes.
 */
size_t ngx_pylon_metrics_render_size(void);
u_char *ngx_pylon_metrics_render(u_char *p, u_char *last, ngx_pool_t *pool);

#endif /* NGX_PYLON_METRICS_H */

/*
 * ngx_pylon_stats.h: the helper's statistics for GET /metrics.
 *
 * The helper counts in its own memory (one process, no locks): chain calls
 * (sent, answered, failed, with durations), Pylon's bittensor operation,
 * archive-fallback and job families of spec §7.  Once a second the tick
 * renders them in Prometheus text format and writes them to the cache
 * record S/metrics, which the workers append to their exposition; the
 * record's write time is the helper's heartbeat (pylon_helper_up).
 *
 * Label conventions (§7): status is "success", "error" or "cancelled"; a
 * missing label is "N/A" (netuid < 0, hotkey or uri NULL).  Label values
 * are escaped here.  Series are kept for the helper's lifetime; when the
 * table is full new series are dropped and counted.
 */

#ifndef NGX_PYLON_STATS_H
#define NGX_PYLON_STATS_H

#include "helper/ngx_pylon_helper.h"


#define NGX_PYLON_STATUS_SUCCESS    "success"
#define NGX_PYLON_STATUS_ERROR      "error"
#define NGX_PYLON_STATUS_CANCELLED  "cancelled"


/* a monotonic clock in seconds, for measuring durations */
double ngx_pylon_stats_clock(void);

/*
 * Chain session hooks.  uri is the node's configured URL; method is the
 * JSON-RPC method.  A call that ends is recorded as a bittensor operation
 * whose operation label is the JSON-RPC method (netuid, hotkey "N/A").
 */
void ngx_pylon_stats_call_sent(const char *uri, const char *method);
void ngx_pylon_stats_call_done(const char *uri, const char *method,
    const char *status, double seconds);

/*
 * pylon_bittensor_operation_duration_seconds{operation, status, uri,
 * netuid, hotkey}: a Pylon-level operation (get_neurons, set_weights, ...)
 * that took seconds.
 */
void ngx_pylon_stats_operation(const char *operation, const char *status,
    const char *uri, ngx_int_t netuid, const char *hotkey, double seconds);

/* pylon_bittensor_fallback_total{reason, operation, hotkey} + 1; reason is
 * "unknown_block" or "stale_block" */
void ngx_pylon_stats_fallback(const char *reason, const char *operation,
    const char *hotkey);

/* pylon_apply_weights_job_duration_seconds{operation="run_job", ...} */
void ngx_pylon_stats_apply_weights_job(const char *status, ngx_int_t netuid,
    const char *hotkey, double seconds);

/* pylon_apply_weights_attempt_duration_seconds{operation="_apply_weights"} */
void ngx_pylon_stats_apply_weights_attempt(const char *status,
    ngx_int_t netuid, const char *hotkey, double seconds);

/* pylon_set_commitment_job_duration_seconds{operation="run_job", ...} */
void ngx_pylon_stats_set_commitment_job(const char *status,
    ngx_int_t netuid, double seconds);

/* pylon_set_revealed_commitment_job_duration_seconds{operation="run_job"}
 * (Pylon v2, spec/pylon-v2.md §9) */
void ngx_pylon_stats_set_revealed_commitment_job(const char *status,
    ngx_int_t netuid, double seconds);

/*
 * Renders everything and writes S/metrics in its own write transaction
 * (call it outside any other write, e.g. from the 1 s tick).  NGX_OK or
 * NGX_ERROR (logged).
 */
ngx_int_t ngx_pylon_stats_flush(ngx_pylon_helper_t *h);

/*
 * The same text into buf (at most size bytes); returns the length, or 0
 * when it does not fit.  For tests and the flush.
 */
size_t ngx_pylon_stats_render(u_char *buf, size_t size);

#endif /* NGX_PYLON_STATS_H */

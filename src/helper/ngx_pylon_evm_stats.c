/*
 * ngx_pylon_evm_stats.c: the EVM metrics of spec/pylon-v2.md §9, counted
 * in the helper's memory and rendered into its statistics record.
 *
 *   pylon_evm_operation_duration_seconds{operation, status, rpc_url}
 *       histogram, operation get_logs or get_current_block, buckets
 *       0.1 .. 120 s
 *   pylon_evm_archive_routing_total{reason}   archive, main or split
 *
 * The label sets are small and fixed (two operations, two statuses, two
 * nodes), so the series live in a static table.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_evm.h"
#include "helper/ngx_pylon_evm_int.h"


#define NGX_PYLON_EVM_BUCKETS  9
#define NGX_PYLON_EVM_SERIES   16


typedef struct {
    const char   *operation;
    const char   *status;
    char          rpc_url[NGX_PYLON_EVM_URL_LABEL];
    uint64_t      buckets[NGX_PYLON_EVM_BUCKETS + 1];
    double        sum;
} ngx_pylon_evm_series_t;


static const double  ngx_pylon_evm_bounds[NGX_PYLON_EVM_BUCKETS] = {
    0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0
};

static const char  *ngx_pylon_evm_le[NGX_PYLON_EVM_BUCKETS + 1] = {
    "0.1", "0.5", "1.0", "2.0", "5.0", "10.0", "30.0", "60.0", "120.0",
    "+Inf"
};

static ngx_pylon_evm_series_t  ngx_pylon_evm_series[NGX_PYLON_EVM_SERIES];
static ngx_uint_t              ngx_pylon_evm_nseries;
static uint64_t                ngx_pylon_evm_routing[3];
static const char             *ngx_pylon_evm_reasons[3] = {
    "archive", "main", "split"
};


void
ngx_pylon_evm_stats_operation(const char *operation, const char *status,
    const char *rpc_url, double seconds)
{
    ngx_uint_t               i, b;
    ngx_pylon_evm_series_t  *s;

    for (i = 0; i < ngx_pylon_evm_nseries; i++) {
        s = &ngx_pylon_evm_series[i];
        if (s->operation == operation && s->status == status
            && ngx_strcmp(s->rpc_url, rpc_url) == 0)
        {
            break;
        }
    }

    if (i == ngx_pylon_evm_nseries) {
        if (i == NGX_PYLON_EVM_SERIES) {
            return;
        }
        s = &ngx_pylon_evm_series[ngx_pylon_evm_nseries++];
        s->operation = operation;
        s->status = status;
        ngx_cpystrn((u_char *) s->rpc_url, (u_char *) rpc_url,
                    sizeof(s->rpc_url));
    }

    s = &ngx_pylon_evm_series[i];

    for (b = 0; b < NGX_PYLON_EVM_BUCKETS; b++) {
        if (seconds <= ngx_pylon_evm_bounds[b]) {
            break;
        }
    }

    s->buckets[b]++;
    s->sum += seconds;
}


void
ngx_pylon_evm_stats_routing(ngx_uint_t reason)
{
    if (reason < 3) {
        ngx_pylon_evm_routing[reason]++;
    }
}


size_t
ngx_pylon_evm_stats_render(u_char *p, size_t size)
{
    u_char                  *start, *last;
    uint64_t                 cum;
    ngx_uint_t               i, b;
    ngx_pylon_evm_series_t  *s;

    start = p;
    last = p + size;

    if (size < 600 + ngx_pylon_evm_nseries * 3000) {
        return 0;
    }

    p = ngx_sprintf(p, "# HELP pylon_evm_operation_duration_seconds "
                       "Duration of EVM JSON-RPC operations\n"
                       "# TYPE pylon_evm_operation_duration_seconds "
                       "histogram\n");

    for (i = 0; i < ngx_pylon_evm_nseries; i++) {
        s = &ngx_pylon_evm_series[i];
        cum = 0;

        for (b = 0; b <= NGX_PYLON_EVM_BUCKETS; b++) {
            cum += s->buckets[b];
            p = ngx_sprintf(p, "pylon_evm_operation_duration_seconds_bucket{"
                               "operation=\"%s\",status=\"%s\","
                               "rpc_url=\"%s\",le=\"%s\"} %uL\n",
                            s->operation, s->status, s->rpc_url,
                            ngx_pylon_evm_le[b], cum);
        }

        p = ngx_sprintf(p, "pylon_evm_operation_duration_seconds_count{"
                           "operation=\"%s\",status=\"%s\",rpc_url=\"%s\"} "
                           "%uL\n"
                           "pylon_evm_operation_duration_seconds_sum{"
                           "operation=\"%s\",status=\"%s\",rpc_url=\"%s\"} "
                           "%.6f\n",
                        s->operation, s->status, s->rpc_url, cum,
                        s->operation, s->status, s->rpc_url, s->sum);
    }

    p = ngx_sprintf(p, "# HELP pylon_evm_archive_routing_total EVM log "
                       "requests by the node(s) they went to\n"
                       "# TYPE pylon_evm_archive_routing_total counter\n");

    for (i = 0; i < 3; i++) {
        p = ngx_sprintf(p, "pylon_evm_archive_routing_total{reason=\"%s\"} "
                           "%uL\n", ngx_pylon_evm_reasons[i],
                        ngx_pylon_evm_routing[i]);
    }

    if (p > last) {
        return 0;       /* not reached: size was checked above */
    }

    return (size_t) (p - start);
}

/*
 * ngx_pylon_stats.c: the helper's statistics (see ngx_pylon_stats.h).
 *
 * A series is a family and its rendered label text; a lookup is a linear
 * scan of a fixed table (a few dozen series, updated a few times a block).
 * Histograms keep per-bucket counts, made cumulative when rendered, so
 * the +Inf bucket always equals _count.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <time.h>

#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_evm.h"


#define NGX_PYLON_MAX_SERIES   256
#define NGX_PYLON_LABELS_LEN   384
#define NGX_PYLON_MAX_BUCKETS  10          /* 9 bounds and +Inf */

#define NGX_PYLON_F_OPERATION  0
#define NGX_PYLON_F_FALLBACK   1
#define NGX_PYLON_F_AW_JOB     2
#define NGX_PYLON_F_AW_ATTEMPT 3
#define NGX_PYLON_F_SC_JOB     4
#define NGX_PYLON_F_SENT       5
#define NGX_PYLON_F_SRC_JOB    6      /* Pylon v2 revealed commitments */
#define NGX_PYLON_F_COUNT      7


typedef struct {
    const char     *name;
    const char     *help;
    const double   *bounds;           /* NULL: a counter */
    const char    **le;
} ngx_pylon_family_t;


typedef struct {
    ngx_uint_t      family;
    u_char          labels[NGX_PYLON_LABELS_LEN];
    size_t          labels_len;
    uint64_t        count;
    double          sum;
    uint64_t        buckets[NGX_PYLON_MAX_BUCKETS];
} ngx_pylon_series_t;


static const double  ngx_pylon_short_bounds[NGX_PYLON_MAX_BUCKETS - 1] = {
    0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0
};

static const char   *ngx_pylon_short_le[NGX_PYLON_MAX_BUCKETS] = {
    "0.1", "0.5", "1.0", "2.0", "5.0", "10.0", "30.0", "60.0", "120.0",
    "+Inf"
};

static const double  ngx_pylon_long_bounds[NGX_PYLON_MAX_BUCKETS - 1] = {
    1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0
};

static const char   *ngx_pylon_long_le[NGX_PYLON_MAX_BUCKETS] = {
    "1.0", "5.0", "10.0", "30.0", "60.0", "120.0", "300.0", "600.0",
    "1200.0", "+Inf"
};


static ngx_pylon_family_t  ngx_pylon_families[NGX_PYLON_F_COUNT] = {

    { "pylon_bittensor_operation_duration_seconds",
      "Duration of Bittensor operations in seconds.",
      ngx_pylon_short_bounds, ngx_pylon_short_le },

    { "pylon_bittensor_fallback_total",
      "Total number of archive client fallback events.",
      NULL, NULL },

    { "pylon_apply_weights_job_duration_seconds",
      "Duration of entire ApplyWeights job execution (outer run_job "
      "wrapper).",
      ngx_pylon_long_bounds, ngx_pylon_long_le },

    { "pylon_apply_weights_attempt_duration_seconds",
      "Duration of individual _apply_weights attempts.",
      ngx_pylon_short_bounds, ngx_pylon_short_le },

    { "pylon_set_commitment_job_duration_seconds",
      "Duration of entire SetCommitment job execution.",
      ngx_pylon_long_bounds, ngx_pylon_long_le },

    { "pylon_chain_calls_sent_total",
      "JSON-RPC calls the helper sent to a chain node.",
      NULL, NULL },

    { "pylon_set_revealed_commitment_job_duration_seconds",
      "Duration of entire SetRevealedCommitment job execution.",
      ngx_pylon_long_bounds, ngx_pylon_long_le },
};


static ngx_pylon_series_t  ngx_pylon_series[NGX_PYLON_MAX_SERIES];
static ngx_uint_t          ngx_pylon_nseries;
static uint64_t            ngx_pylon_dropped;


double
ngx_pylon_stats_clock(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


/* appends name="value" (escaped) to a label text; 0 when it is too long */

static ngx_uint_t
ngx_pylon_label(u_char *buf, size_t *len, const char *name,
    const char *value)
{
    u_char      *p, *last;
    const char  *v;

    p = buf + *len;
    last = buf + NGX_PYLON_LABELS_LEN;

    if (value == NULL) {
        value = "N/A";
    }

    if ((size_t) (last - p) < ngx_strlen(name) + 4) {
        return 0;
    }

    if (*len) {
        *p++ = ',';
    }

    p = ngx_cpymem(p, name, ngx_strlen(name));
    *p++ = '=';
    *p++ = '"';

    for (v = value; *v; v++) {

        if (last - p < 3) {
            return 0;
        }

        switch (*v) {
        case '\\':
            *p++ = '\\'; *p++ = '\\';
            break;
        case '"':
            *p++ = '\\'; *p++ = '"';
            break;
        case '\n':
            *p++ = '\\'; *p++ = 'n';
            break;
        default:
            *p++ = *v;
        }
    }

    if (last - p < 1) {
        return 0;
    }

    *p++ = '"';
    *len = p - buf;

    return 1;
}


static ngx_pylon_series_t *
ngx_pylon_stats_find(ngx_uint_t family, u_char *labels, size_t len)
{
    ngx_uint_t           i;
    ngx_pylon_series_t  *s;

    for (i = 0; i < ngx_pylon_nseries; i++) {
        s = &ngx_pylon_series[i];

        if (s->family == family && s->labels_len == len
            && ngx_memcmp(s->labels, labels, len) == 0)
        {
            return s;
        }
    }

    if (ngx_pylon_nseries == NGX_PYLON_MAX_SERIES) {
        ngx_pylon_dropped++;
        return NULL;
    }

    s = &ngx_pylon_series[ngx_pylon_nseries++];
    ngx_memzero(s, sizeof(ngx_pylon_series_t));
    s->family = family;
    ngx_memcpy(s->labels, labels, len);
    s->labels_len = len;

    return s;
}


static void
ngx_pylon_stats_observe(ngx_uint_t family, u_char *labels, size_t len,
    double value)
{
    ngx_uint_t           b;
    const double        *bounds;
    ngx_pylon_series_t  *s;

    s = ngx_pylon_stats_find(family, labels, len);
    if (s == NULL) {
        return;
    }

    bounds = ngx_pylon_families[family].bounds;

    if (bounds == NULL) {
        s->count++;
        return;
    }

    if (value < 0) {
        value = 0;
    }

    for (b = 0; b < NGX_PYLON_MAX_BUCKETS - 1; b++) {
        if (value <= bounds[b]) {
            break;
        }
    }

    s->buckets[b]++;
    s->count++;
    s->sum += value;
}


static const char *
ngx_pylon_netuid(u_char *buf, size_t size, ngx_int_t netuid)
{
    if (netuid < 0) {
        return "N/A";
    }

    ngx_snprintf(buf, size, "%i%Z", netuid);

    return (const char *) buf;
}


void
ngx_pylon_stats_call_sent(const char *uri, const char *method)
{
    size_t  len;
    u_char  labels[NGX_PYLON_LABELS_LEN];

    len = 0;

    if (ngx_pylon_label(labels, &len, "method", method)
        && ngx_pylon_label(labels, &len, "uri", uri))
    {
        ngx_pylon_stats_observe(NGX_PYLON_F_SENT, labels, len, 0);
    }
}


void
ngx_pylon_stats_call_done(const char *uri, const char *method,
    const char *status, double seconds)
{
    ngx_pylon_stats_operation(method, status, uri, -1, NULL, seconds);
}


void
ngx_pylon_stats_operation(const char *operation, const char *status,
    const char *uri, ngx_int_t netuid, const char *hotkey, double seconds)
{
    size_t  len;
    u_char  labels[NGX_PYLON_LABELS_LEN], n[NGX_INT_T_LEN + 1];

    len = 0;

    if (ngx_pylon_label(labels, &len, "operation", operation)
        && ngx_pylon_label(labels, &len, "status", status)
        && ngx_pylon_label(labels, &len, "uri", uri)
        && ngx_pylon_label(labels, &len, "netuid",
                           ngx_pylon_netuid(n, sizeof(n), netuid))
        && ngx_pylon_label(labels, &len, "hotkey", hotkey))
    {
        ngx_pylon_stats_observe(NGX_PYLON_F_OPERATION, labels, len, seconds);
    }
}


void
ngx_pylon_stats_fallback(const char *reason, const char *operation,
    const char *hotkey)
{
    size_t  len;
    u_char  labels[NGX_PYLON_LABELS_LEN];

    len = 0;

    if (ngx_pylon_label(labels, &len, "reason", reason)
        && ngx_pylon_label(labels, &len, "operation", operation)
        && ngx_pylon_label(labels, &len, "hotkey", hotkey))
    {
        ngx_pylon_stats_observe(NGX_PYLON_F_FALLBACK, labels, len, 0);
    }
}


static void
ngx_pylon_stats_job(ngx_uint_t family, const char *operation,
    const char *status, ngx_int_t netuid, const char *hotkey,
    ngx_uint_t with_hotkey, double seconds)
{
    size_t  len;
    u_char  labels[NGX_PYLON_LABELS_LEN], n[NGX_INT_T_LEN + 1];

    len = 0;

    if (!ngx_pylon_label(labels, &len, "operation", operation)
        || !ngx_pylon_label(labels, &len, "status", status)
        || !ngx_pylon_label(labels, &len, "netuid",
                            ngx_pylon_netuid(n, sizeof(n), netuid)))
    {
        return;
    }

    if (with_hotkey && !ngx_pylon_label(labels, &len, "hotkey", hotkey)) {
        return;
    }

    ngx_pylon_stats_observe(family, labels, len, seconds);
}


void
ngx_pylon_stats_apply_weights_job(const char *status, ngx_int_t netuid,
    const char *hotkey, double seconds)
{
    ngx_pylon_stats_job(NGX_PYLON_F_AW_JOB, "run_job", status, netuid,
                        hotkey, 1, seconds);
}


void
ngx_pylon_stats_apply_weights_attempt(const char *status, ngx_int_t netuid,
    const char *hotkey, double seconds)
{
    ngx_pylon_stats_job(NGX_PYLON_F_AW_ATTEMPT, "_apply_weights", status,
                        netuid, hotkey, 1, seconds);
}


void
ngx_pylon_stats_set_commitment_job(const char *status, ngx_int_t netuid,
    double seconds)
{
    ngx_pylon_stats_job(NGX_PYLON_F_SC_JOB, "run_job", status, netuid, NULL,
                        0, seconds);
}


void
ngx_pylon_stats_set_revealed_commitment_job(const char *status,
    ngx_int_t netuid, double seconds)
{
    ngx_pylon_stats_job(NGX_PYLON_F_SRC_JOB, "run_job", status, netuid, NULL,
                        0, seconds);
}


size_t
ngx_pylon_stats_render(u_char *buf, size_t size)
{
    u_char              *p, *last;
    uint64_t             cumulative;
    ngx_uint_t           f, i, b;
    const char          *type;
    ngx_pylon_family_t  *fam;
    ngx_pylon_series_t  *s;

    p = buf;
    last = buf + size;

#define NGX_PYLON_ROOM(len)                                                  \
    if ((size_t) (last - p) < (size_t) (len)) { return 0; }

    for (f = 0; f < NGX_PYLON_F_COUNT; f++) {
        fam = &ngx_pylon_families[f];
        type = fam->bounds ? "histogram" : "counter";

        NGX_PYLON_ROOM(2 * ngx_strlen(fam->name) + ngx_strlen(fam->help)
                       + 40);
        p = ngx_sprintf(p, "# HELP %s %s\n# TYPE %s %s\n", fam->name,
                        fam->help, fam->name, type);

        for (i = 0; i < ngx_pylon_nseries; i++) {
            s = &ngx_pylon_series[i];

            if (s->family != f) {
                continue;
            }

            if (fam->bounds == NULL) {
                NGX_PYLON_ROOM(ngx_strlen(fam->name) + s->labels_len + 32);
                p = ngx_sprintf(p, "%s{%*s} %uL\n", fam->name,
                                s->labels_len, s->labels, s->count);
                continue;
            }

            NGX_PYLON_ROOM((ngx_strlen(fam->name) + s->labels_len + 48)
                           * (NGX_PYLON_MAX_BUCKETS + 2));

            cumulative = 0;

            for (b = 0; b < NGX_PYLON_MAX_BUCKETS; b++) {
                cumulative += s->buckets[b];
                p = ngx_sprintf(p, "%s_bucket{%*s,le=\"%s\"} %uL\n",
                                fam->name, s->labels_len, s->labels, fam->le[b],
                                cumulative);
            }

            p = ngx_sprintf(p, "%s_count{%*s} %uL\n"
                               "%s_sum{%*s} %.6f\n",
                            fam->name, s->labels_len, s->labels, cumulative,
                            fam->name, s->labels_len, s->labels, s->sum);
        }
    }

    /* the EVM families (ngx_pylon_evm_stats.c) */
    p += ngx_pylon_evm_stats_render(p, (size_t) (last - p));

    NGX_PYLON_ROOM(200);
    p = ngx_sprintf(p, "# HELP pylon_helper_series_dropped_total Helper "
                       "statistics not kept because the table was full\n"
                       "# TYPE pylon_helper_series_dropped_total counter\n"
                       "pylon_helper_series_dropped_total %uL\n",
                    ngx_pylon_dropped);

#undef NGX_PYLON_ROOM

    return p - buf;
}


ngx_int_t
ngx_pylon_stats_flush(ngx_pylon_helper_t *h)
{
    u_char          *buf;
    size_t           size, len;
    pylon_store_t   *st;

    size = 8192 + ngx_pylon_nseries * (NGX_PYLON_MAX_BUCKETS + 2)
                  * (NGX_PYLON_LABELS_LEN + 96);

    buf = ngx_alloc(size, h->log);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    len = ngx_pylon_stats_render(buf, size);
    if (len == 0) {
        ngx_free(buf);
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: statistics did not fit in %uz bytes",
                      size);
        return NGX_ERROR;
    }

    st = h->store;

    if (pylon_store_write_begin(st) != 0
        || pylon_store_put(st, PYLON_KEY_METRICS, 0, 0, buf, len) != 0
        || pylon_store_write_commit(st) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, h->log, 0,
                      "pylon helper: statistics write failed: %s",
                      pylon_store_error(st));
        pylon_store_write_abort(st);
        ngx_free(buf);
        return NGX_ERROR;
    }

    ngx_free(buf);

    return NGX_OK;
}

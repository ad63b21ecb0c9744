/*
 * ngx_pylon_metrics.c: request counting in a shared memory zone.
 *
 * The zone "pylon_metrics" (created in postconfiguration, kept across
 * reloads) is a table of NGX_PYLON_SLOTS slots found by open addressing on
 * a 32-bit key (route + 1, method, status).  A free slot is claimed with a
 * compare-and-swap of its key; counters are atomic adds; nothing ever
 * waits.  When the table is full a request is not counted (the dropped
 * counter says so).
 *
 * A dispatched request gets a pool cleanup holding its route and start
 * time; the log-phase handler finds it there, decrements the in-progress
 * gauge of (route, method, 200) - Litestar's label at increment time - and
 * counts (route, method, status) with its duration.  If the log phase is
 * never reached the cleanup still takes the request out of progress.
 */

#include "http/ngx_pylon_metrics.h"

#include <time.h>


#define NGX_PYLON_SLOTS        1024
#define NGX_PYLON_PROBES       64
#define NGX_PYLON_ZONE_SIZE    (512 * 1024)


typedef struct {
    ngx_atomic_t         key;           /* 0: free */
    ngx_atomic_t         in_progress;   /* used on status 200 slots */
    ngx_atomic_t         sum_us;
    ngx_atomic_t         buckets[NGX_PYLON_HTTP_BUCKETS];  /* not cumul. */
} ngx_pylon_slot_t;


typedef struct {
    ngx_atomic_t         cache_hits;
    ngx_atomic_t         cache_misses;
    ngx_atomic_t         dropped;
    ngx_pylon_slot_t     slots[NGX_PYLON_SLOTS];
} ngx_pylon_metrics_shm_t;


typedef struct {
    ngx_http_request_t  *request;
    ngx_uint_t           route;
    ngx_uint_t           method;        /* index into the method names */
    struct timespec      start;
    ngx_uint_t           done;
} ngx_pylon_metrics_req_t;


static ngx_int_t ngx_pylon_metrics_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_pylon_metrics_log(ngx_http_request_t *r);
static void ngx_pylon_metrics_cleanup(void *data);
static ngx_pylon_slot_t *ngx_pylon_metrics_slot(uint32_t key);
static ngx_uint_t ngx_pylon_metrics_method(ngx_uint_t method);
static ngx_uint_t ngx_pylon_metrics_used(void);


static ngx_pylon_metrics_shm_t  *ngx_pylon_metrics_shm;


/* upper bounds in microseconds, as prometheus_client's default buckets */
static uint64_t  ngx_pylon_http_bounds_us[NGX_PYLON_HTTP_BUCKETS - 1] = {
    5000, 10000, 25000, 50000, 75000, 100000, 250000, 500000, 750000,
    1000000, 2500000, 5000000, 7500000, 10000000
};

/* and as prometheus_client prints them */
static char  *ngx_pylon_http_le[NGX_PYLON_HTTP_BUCKETS] = {
    "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5",
    "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"
};

static char  *ngx_pylon_method_names[] = {
    "OTHER", "GET", "PUT", "POST", "OPTIONS", "DELETE", "PATCH", "HEAD"
};


ngx_int_t
ngx_pylon_metrics_init_conf(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    ngx_str_t                   name = ngx_string("pylon_metrics");
    ngx_shm_zone_t             *zone;
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    /* set again by the zone's init if this configuration has the zone */
    ngx_pylon_metrics_shm = NULL;

    if (!pmcf->enabled) {
        return NGX_OK;
    }

    zone = ngx_shared_memory_add(cf, &name, NGX_PYLON_ZONE_SIZE,
                                 &ngx_pylon_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_pylon_metrics_init_zone;
    pmcf->metrics_zone = zone;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_pylon_metrics_log;

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t          *shpool;
    ngx_pylon_metrics_shm_t  *m;

    if (data) {
        /* a reload with the zone unchanged: keep counting where we were */
        shm_zone->data = data;
        ngx_pylon_metrics_shm = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    m = ngx_slab_calloc(shpool, sizeof(ngx_pylon_metrics_shm_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    shm_zone->data = m;
    ngx_pylon_metrics_shm = m;

    return NGX_OK;
}


static ngx_uint_t
ngx_pylon_metrics_method(ngx_uint_t method)
{
    switch (method) {
    case NGX_HTTP_GET:
        return 1;
    case NGX_HTTP_PUT:
        return 2;
    case NGX_HTTP_POST:
        return 3;
    case NGX_HTTP_OPTIONS:
        return 4;
    case NGX_HTTP_DELETE:
        return 5;
    case NGX_HTTP_PATCH:
        return 6;
    case NGX_HTTP_HEAD:
        return 7;
    default:
        return 0;
    }
}


/* key: route + 1 in bits 14..31, method in 10..13, status in 0..9 */

static uint32_t
ngx_pylon_metrics_key(ngx_uint_t route, ngx_uint_t method, ngx_uint_t status)
{
    if (status > 999) {
        status = 999;
    }

    return (uint32_t) (((route + 1) << 14) | (method << 10) | status);
}


static ngx_pylon_slot_t *
ngx_pylon_metrics_slot(uint32_t key)
{
    uint32_t           h, k;
    ngx_uint_t         i;
    ngx_pylon_slot_t  *s;

    if (ngx_pylon_metrics_shm == NULL) {
        return NULL;
    }

    h = key * 2654435761u;

    for (i = 0; i < NGX_PYLON_PROBES; i++) {
        s = &ngx_pylon_metrics_shm->slots[(h + i) % NGX_PYLON_SLOTS];

        k = (uint32_t) s->key;

        if (k == key) {
            return s;
        }

        if (k == 0) {
            if (ngx_atomic_cmp_set(&s->key, 0, key)) {
                return s;
            }

            /* someone else took it meanwhile: maybe for the same key */
            if ((uint32_t) s->key == key) {
                return s;
            }
        }
    }

    (void) ngx_atomic_fetch_add(&ngx_pylon_metrics_shm->dropped, 1);

    return NULL;
}


void
ngx_pylon_metrics_start(ngx_http_request_t *r, ngx_uint_t route)
{
    ngx_pool_cleanup_t       *cln;
    ngx_pylon_slot_t         *s;
    ngx_pylon_metrics_req_t  *mr;

    if (ngx_pylon_metrics_shm == NULL || r != r->main) {
        return;
    }

    /* one mark per request: an internal redirect may dispatch again */

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_pylon_metrics_cleanup) {
            return;
        }
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_pylon_metrics_req_t));
    if (cln == NULL) {
        return;
    }

    mr = cln->data;
    mr->request = r;
    mr->route = route;
    mr->method = ngx_pylon_metrics_method(r->method);
    mr->done = 0;
    (void) clock_gettime(CLOCK_MONOTONIC, &mr->start);

    cln->handler = ngx_pylon_metrics_cleanup;

    s = ngx_pylon_metrics_slot(ngx_pylon_metrics_key(route, mr->method, 200));
    if (s == NULL) {
        mr->done = 1;
        return;
    }

    (void) ngx_atomic_fetch_add(&s->in_progress, 1);
}


static void
ngx_pylon_metrics_finish(ngx_pylon_metrics_req_t *mr, ngx_uint_t status,
    ngx_uint_t count)
{
    uint64_t           us;
    ngx_uint_t         b;
    struct timespec    now;
    ngx_pylon_slot_t  *s;

    if (mr->done) {
        return;
    }

    mr->done = 1;

    s = ngx_pylon_metrics_slot(ngx_pylon_metrics_key(mr->route, mr->method,
                                                     200));
    if (s) {
        (void) ngx_atomic_fetch_add(&s->in_progress, (ngx_atomic_int_t) -1);
    }

    if (!count) {
        return;
    }

    (void) clock_gettime(CLOCK_MONOTONIC, &now);

    us = (uint64_t) (now.tv_sec - mr->start.tv_sec) * 1000000
         + (now.tv_nsec - mr->start.tv_nsec) / 1000;

    for (b = 0; b < NGX_PYLON_HTTP_BUCKETS - 1; b++) {
        if (us <= ngx_pylon_http_bounds_us[b]) {
            break;
        }
    }

    s = ngx_pylon_metrics_slot(ngx_pylon_metrics_key(mr->route, mr->method,
                                                     status));
    if (s == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&s->sum_us, us);
    (void) ngx_atomic_fetch_add(&s->buckets[b], 1);
}


static ngx_int_t
ngx_pylon_metrics_log(ngx_http_request_t *r)
{
    ngx_uint_t           status;
    ngx_pool_cleanup_t  *cln;

    if (r != r->main) {
        return NGX_OK;
    }

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_pylon_metrics_cleanup) {
            break;
        }
    }

    if (cln == NULL) {
        return NGX_OK;
    }

    /* the status as the access log sees it */

    if (r->err_status) {
        status = r->err_status;

    } else if (r->headers_out.status) {
        status = r->headers_out.status;

    } else {
        status = 0;
    }

    ngx_pylon_metrics_finish(cln->data, status, 1);

    return NGX_OK;
}


static void
ngx_pylon_metrics_cleanup(void *data)
{
    ngx_pylon_metrics_finish(data, 0, 0);
}


void
ngx_pylon_metrics_cache(ngx_uint_t hit)
{
    if (ngx_pylon_metrics_shm == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(hit ? &ngx_pylon_metrics_shm->cache_hits
                                    : &ngx_pylon_metrics_shm->cache_misses,
                                1);
}


/*
 * Router patterns name their parameters by type only; Pylon's templates
 * name them, and the name follows from the literal segment before it.
 */

size_t
ngx_pylon_route_template(u_char *buf, size_t size, const char *pattern)
{
    u_char       *p, *last;
    const char   *s, *e, *prev, *name;
    size_t        plen, n;

    p = buf;
    last = buf + size;
    prev = NULL;
    plen = 0;

    for (s = pattern; *s; s = *e ? e + 1 : e) {

        for (e = s; *e && *e != '/'; e++) { /* void */ }

        n = e - s;

        if (n == 0) {
            continue;
        }

        name = NULL;

        if (s[0] == '{'
            && ((n == 5 && ngx_strncmp(s, "{int}", 5) == 0)
                || (n == 5 && ngx_strncmp(s, "{str}", 5) == 0)))
        {
            name = "{param}";

#define NGX_PYLON_PREV_IS(lit)                                               \
    (prev && plen == sizeof(lit) - 1 && ngx_strncmp(prev, lit, plen) == 0)

            if (NGX_PYLON_PREV_IS("subnet")) {
                name = "{netuid}";

            } else if (NGX_PYLON_PREV_IS("block")) {
                name = "{block_number}";

            } else if (NGX_PYLON_PREV_IS("extrinsic")) {
                name = "{extrinsic_index}";

            } else if (NGX_PYLON_PREV_IS("identity")) {
                name = "{identity_name}";

            } else if (NGX_PYLON_PREV_IS("certificates")
                       || NGX_PYLON_PREV_IS("commitments"))
            {
                name = "{hotkey}";
            }

#undef NGX_PYLON_PREV_IS
        }

        if (name) {
            n = ngx_strlen(name);
        }

        if ((size_t) (last - p) < n + 1) {
            return 0;
        }

        *p++ = '/';
        p = ngx_cpymem(p, name ? name : s, n);

        prev = s;
        plen = e - s;
    }

    if (p == buf) {
        if (last == p) {
            return 0;
        }
        *p++ = '/';
    }

    return p - buf;
}


size_t
ngx_pylon_metrics_render_size(void)
{
    size_t      line;
    ngx_uint_t  used;

    if (ngx_pylon_metrics_shm == NULL) {
        return 4096;
    }

    /* and some slack for slots claimed before the render */
    used = ngx_pylon_metrics_used() + 16;

    /* name, template (< 256), the other labels, a value */
    line = 64 + 256 + 96 + 48;

    return 4096 + used * (NGX_PYLON_HTTP_BUCKETS + 5) * line;
}


typedef struct {
    uint32_t      key;
    int64_t       in_progress;
    uint64_t      count;
    uint64_t      sum_us;
    uint64_t      cumulative[NGX_PYLON_HTTP_BUCKETS];
    u_char        labels[400];        /* method="..",path="..",... */
    size_t        labels_len;
    ngx_uint_t    status;
} ngx_pylon_snap_t;


static ngx_uint_t
ngx_pylon_metrics_used(void)
{
    ngx_uint_t  i, used;

    used = 0;

    for (i = 0; i < NGX_PYLON_SLOTS; i++) {
        if (ngx_pylon_metrics_shm->slots[i].key) {
            used++;
        }
    }

    return used;
}


static ngx_uint_t
ngx_pylon_metrics_snapshot(ngx_pylon_snap_t *snap, ngx_uint_t n)
{
    u_char            tmpl[256], *p;
    size_t            tlen;
    uint32_t          key;
    ngx_uint_t        i, b, k, route, method;
    const char       *pattern;
    ngx_pylon_slot_t  *s;

    k = 0;

    for (i = 0; i < NGX_PYLON_SLOTS && k < n; i++) {
        s = &ngx_pylon_metrics_shm->slots[i];
        key = (uint32_t) s->key;

        if (key == 0) {
            continue;
        }

        route = (key >> 14) - 1;
        method = (key >> 10) & 0xf;

        pattern = ngx_pylon_route_pattern(route);
        if (pattern == NULL
            || method >= sizeof(ngx_pylon_method_names) / sizeof(char *))
        {
            continue;
        }

        tlen = ngx_pylon_route_template(tmpl, sizeof(tmpl), pattern);
        if (tlen == 0) {
            continue;
        }

        snap[k].key = key;
        snap[k].status = key & 0x3ff;
        snap[k].in_progress = (ngx_atomic_int_t) s->in_progress;
        snap[k].sum_us = s->sum_us;
        snap[k].count = 0;

        for (b = 0; b < NGX_PYLON_HTTP_BUCKETS; b++) {
            snap[k].count += s->buckets[b];
            snap[k].cumulative[b] = snap[k].count;
        }

        /* templates and method names need no escaping */
        p = ngx_snprintf(snap[k].labels, sizeof(snap[k].labels),
                         "method=\"%s\",path=\"%*s\",status_code=\"%ui\","
                         "app_name=\"bittensor-pylon\"",
                         ngx_pylon_method_names[method], tlen, tmpl,
                         snap[k].status);
        snap[k].labels_len = p - snap[k].labels;
        k++;
    }

    return k;
}


u_char *
ngx_pylon_metrics_render(u_char *p, u_char *last, ngx_pool_t *pool)
{
    ngx_uint_t         i, b, n;
    ngx_pylon_snap_t  *snap, *sn;

    if (ngx_pylon_metrics_shm == NULL) {
        return p;
    }

    /* slots claimed after this count are left for the next scrape */
    n = ngx_pylon_metrics_used() + 1;

    snap = ngx_palloc(pool, n * sizeof(ngx_pylon_snap_t));
    if (snap == NULL) {
        return NULL;
    }

    n = ngx_pylon_metrics_snapshot(snap, n);

#define NGX_PYLON_ROOM(len)                                                  \
    if ((size_t) (last - p) < (size_t) (len)) { return NULL; }

    NGX_PYLON_ROOM(160);
    p = ngx_sprintf(p, "# HELP pylon_requests_total Total requests\n"
                       "# TYPE pylon_requests_total counter\n");

    for (i = 0; i < n; i++) {
        sn = &snap[i];
        if (sn->count == 0) {
            continue;
        }
        NGX_PYLON_ROOM(sn->labels_len + 64);
        p = ngx_sprintf(p, "pylon_requests_total{%*s} %uL\n",
                        sn->labels_len, sn->labels, sn->count);
    }

    NGX_PYLON_ROOM(200);
    p = ngx_sprintf(p, "# HELP pylon_request_duration_seconds Request "
                       "duration, in seconds\n"
                       "# TYPE pylon_request_duration_seconds histogram\n");

    for (i = 0; i < n; i++) {
        sn = &snap[i];
        if (sn->count == 0) {
            continue;
        }

        NGX_PYLON_ROOM((sn->labels_len + 80) * (NGX_PYLON_HTTP_BUCKETS + 2));

        for (b = 0; b < NGX_PYLON_HTTP_BUCKETS; b++) {
            p = ngx_sprintf(p, "pylon_request_duration_seconds_bucket{%*s,"
                               "le=\"%s\"} %uL\n",
                            sn->labels_len, sn->labels, ngx_pylon_http_le[b],
                            sn->cumulative[b]);
        }

        p = ngx_sprintf(p, "pylon_request_duration_seconds_count{%*s} %uL\n"
                           "pylon_request_duration_seconds_sum{%*s} "
                           "%uL.%06uL\n",
                        sn->labels_len, sn->labels, sn->count,
                        sn->labels_len, sn->labels, sn->sum_us / 1000000,
                        sn->sum_us % 1000000);
    }

    NGX_PYLON_ROOM(200);
    p = ngx_sprintf(p, "# HELP pylon_requests_in_progress Total requests "
                       "currently in progress\n"
                       "# TYPE pylon_requests_in_progress gauge\n");

    for (i = 0; i < n; i++) {
        sn = &snap[i];
        if (sn->status != 200) {
            continue;
        }
        NGX_PYLON_ROOM(sn->labels_len + 64);
        p = ngx_sprintf(p, "pylon_requests_in_progress{%*s} %L.0\n",
                        sn->labels_len, sn->labels, sn->in_progress);
    }

    NGX_PYLON_ROOM(200);
    p = ngx_sprintf(p, "# HELP pylon_requests_error_total Total errors in "
                       "requests\n"
                       "# TYPE pylon_requests_error_total counter\n");

    for (i = 0; i < n; i++) {
        sn = &snap[i];
        if (sn->count == 0 || sn->status < 500) {
            continue;
        }
        NGX_PYLON_ROOM(sn->labels_len + 64);
        p = ngx_sprintf(p, "pylon_requests_error_total{%*s} %uL\n",
                        sn->labels_len, sn->labels, sn->count);
    }

    NGX_PYLON_ROOM(600);
    p = ngx_sprintf(p, "# HELP pylon_cache_hits_total Cached answers found "
                       "in the cache\n"
                       "# TYPE pylon_cache_hits_total counter\n"
                       "pylon_cache_hits_total %uA\n"
                       "# HELP pylon_cache_misses_total Cached answers not "
                       "in the cache yet (503)\n"
                       "# TYPE pylon_cache_misses_total counter\n"
                       "pylon_cache_misses_total %uA\n"
                       "# HELP pylon_metrics_dropped_total Requests not "
                       "counted because the metrics zone was full\n"
                       "# TYPE pylon_metrics_dropped_total counter\n"
                       "pylon_metrics_dropped_total %uA\n",
                    ngx_pylon_metrics_shm->cache_hits,
                    ngx_pylon_metrics_shm->cache_misses,
                    ngx_pylon_metrics_shm->dropped);

#undef NGX_PYLON_ROOM

    return p;
}

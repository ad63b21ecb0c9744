/*
 * ngx_pylon_router.c: the table of Pylon routes and the content handler.
 *
 * Matching follows Litestar's trie router (spec §1.3): the path is split on
 * "/" with empty segments dropped; at each depth a literal segment beats a
 * parameter and the router never backtracks; an integer parameter that
 * Python's int() would not accept is a routing miss (404).  A known path
 * with another method is 405 with an "allowed" header; OPTIONS is 204 with
 * "Allow".
 */

#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_metrics.h"


#define NGX_PYLON_MAX_SEGMENTS  16
#define NGX_PYLON_SEG_INT       "{int}"
#define NGX_PYLON_SEG_STR       "{str}"


typedef struct {
    ngx_uint_t           method;      /* NGX_HTTP_GET, ... */
    char                *pattern;     /* segments, "/"-separated */
    ngx_pylon_route_pt   handler;
} ngx_pylon_route_t;


typedef struct {
    ngx_str_t            seg[NGX_PYLON_MAX_SEGMENTS];
    ngx_uint_t           n;
} ngx_pylon_path_t;


static ngx_pylon_route_t  ngx_pylon_routes[] = {

    { NGX_HTTP_GET, "api/v1/block/latest", ngx_pylon_block_latest },

    /* metrics and the OpenAPI document (Litestar's /schema family) */
    { NGX_HTTP_GET, "metrics", ngx_pylon_metrics_handler },
    { NGX_HTTP_GET, "schema", ngx_pylon_openapi_page },
    { NGX_HTTP_GET, "schema/swagger", ngx_pylon_openapi_page },
    { NGX_HTTP_GET, "schema/redoc", ngx_pylon_openapi_page },
    { NGX_HTTP_GET, "schema/openapi.json", ngx_pylon_openapi_json },
    { NGX_HTTP_GET, "schema/openapi.yaml", ngx_pylon_openapi_yaml },
    { NGX_HTTP_GET, "schema/openapi.yml", ngx_pylon_openapi_yaml },

    { 0, NULL, NULL }
};


static ngx_pylon_path_t  ngx_pylon_patterns[sizeof(ngx_pylon_routes)
                                            / sizeof(ngx_pylon_route_t)];
static ngx_uint_t        ngx_pylon_patterns_ready;


static ngx_uint_t
ngx_pylon_split(u_char *p, u_char *last, ngx_pylon_path_t *path)
{
    u_char  *s;

    path->n = 0;

    while (p < last) {

        while (p < last && *p == '/') {
            p++;
        }

        if (p == last) {
            break;
        }

        s = p;

        while (p < last && *p != '/') {
            p++;
        }

        if (path->n == NGX_PYLON_MAX_SEGMENTS) {
            return 0;
        }

        path->seg[path->n].data = s;
        path->seg[path->n].len = p - s;
        path->n++;
    }

    return 1;
}


static void
ngx_pylon_prepare_patterns(void)
{
    ngx_uint_t          i;
    ngx_pylon_route_t  *rt;

    for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
        ngx_pylon_split((u_char *) rt->pattern,
                        (u_char *) rt->pattern + ngx_strlen(rt->pattern),
                        &ngx_pylon_patterns[i]);
    }

    ngx_pylon_patterns_ready = 1;
}


static ngx_uint_t
ngx_pylon_is_param(ngx_str_t *s)
{
    return s->len && s->data[0] == '{';
}


/*
 * Python int() on a path segment: optional sign, decimal digits with
 * single underscores between them.  Returns NGX_OK and the value, or
 * NGX_ERROR (also when it overflows 64 bits).
 */

static ngx_int_t
ngx_pylon_py_int(ngx_str_t *s, int64_t *value)
{
    u_char    *p, *last;
    uint64_t   v, cutoff;
    ngx_int_t  neg, digits;

    p = s->data;
    last = p + s->len;
    neg = 0;

    if (p < last && (*p == '+' || *p == '-')) {
        neg = (*p == '-');
        p++;
    }

    v = 0;
    digits = 0;
    cutoff = (uint64_t) INT64_MAX;

    for ( /* void */ ; p < last; p++) {

        if (*p == '_') {
            if (digits == 0 || p + 1 == last || p[1] == '_') {
                return NGX_ERROR;
            }
            continue;
        }

        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        if (v > (cutoff - (*p - '0')) / 10) {
            return NGX_ERROR;
        }

        v = v * 10 + (*p - '0');
        digits++;
    }

    if (digits == 0) {
        return NGX_ERROR;
    }

    *value = neg ? -(int64_t) v : (int64_t) v;

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_method_not_allowed(ngx_http_request_t *r, ngx_uint_t methods)
{
    u_char           *p;
    ngx_uint_t        options;
    ngx_table_elt_t  *h;

    options = (r->method == NGX_HTTP_OPTIONS);

    p = ngx_pnalloc(r->pool, sizeof("GET, PUT, POST, OPTIONS") - 1);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) (options ? "Allow" : "allowed");
    h->key.len = options ? 5 : 7;
    h->value.data = p;

    if (methods & NGX_HTTP_GET) {
        p = ngx_cpymem(p, "GET, ", 5);
    }

    if (methods & NGX_HTTP_PUT) {
        p = ngx_cpymem(p, "PUT, ", 5);
    }

    if (methods & NGX_HTTP_POST) {
        p = ngx_cpymem(p, "POST, ", 6);
    }

    p = ngx_cpymem(p, "OPTIONS", 7);
    h->value.len = p - h->value.data;

    if (options) {
        (void) ngx_http_discard_request_body(r);
        r->headers_out.status = NGX_HTTP_NO_CONTENT;
        r->headers_out.content_length_n = 0;
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    return ngx_pylon_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                "Method Not Allowed");
}


ngx_int_t
ngx_pylon_http_handler(ngx_http_request_t *r)
{
    ngx_str_t           *seg, *pat;
    ngx_uint_t           i, d, alive, literal, methods, known;
    ngx_pylon_path_t     path;
    ngx_pylon_route_t   *rt;
    ngx_pylon_params_t   params;
    u_char               keep[sizeof(ngx_pylon_routes)
                              / sizeof(ngx_pylon_route_t)];

    if (!ngx_pylon_patterns_ready) {
        ngx_pylon_prepare_patterns();
    }

    if (!ngx_pylon_split(r->uri.data, r->uri.data + r->uri.len, &path)) {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "Not Found");
    }

    ngx_memzero(&params, sizeof(ngx_pylon_params_t));

    for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
        keep[i] = (ngx_pylon_patterns[i].n >= path.n);
    }

    /* walk the segments like a trie: literal first, never backtrack */

    for (d = 0; d < path.n; d++) {
        seg = &path.seg[d];
        literal = 0;

        for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
            pat = &ngx_pylon_patterns[i].seg[d];

            if (keep[i] && !ngx_pylon_is_param(pat)
                && pat->len == seg->len
                && ngx_strncmp(pat->data, seg->data, seg->len) == 0)
            {
                literal = 1;
                break;
            }
        }

        alive = 0;

        for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
            if (!keep[i]) {
                continue;
            }

            pat = &ngx_pylon_patterns[i].seg[d];

            if (literal) {
                keep[i] = !ngx_pylon_is_param(pat) && pat->len == seg->len
                          && ngx_strncmp(pat->data, seg->data, seg->len) == 0;

            } else {
                keep[i] = ngx_pylon_is_param(pat);
            }

            alive += keep[i];
        }

        if (alive == 0) {
            return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "Not Found");
        }

        if (literal) {
            continue;
        }

        /* a parameter segment: every surviving route agrees on its type */

        for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
            if (keep[i]) {
                break;
            }
        }

        pat = &ngx_pylon_patterns[i].seg[d];

        if (pat->len == sizeof(NGX_PYLON_SEG_INT) - 1
            && ngx_strncmp(pat->data, NGX_PYLON_SEG_INT, pat->len) == 0)
        {
            if (params.nints == NGX_PYLON_MAX_PARAMS
                || ngx_pylon_py_int(seg, &params.ints[params.nints])
                   != NGX_OK)
            {
                return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "Not Found");
            }

            params.nints++;

        } else if (params.nstrs < NGX_PYLON_MAX_PARAMS) {
            params.strs[params.nstrs++] = *seg;
        }
    }

    methods = 0;
    known = 0;

    for (i = 0, rt = ngx_pylon_routes; rt->pattern; i++, rt++) {
        if (!keep[i] || ngx_pylon_patterns[i].n != path.n) {
            continue;
        }

        if (rt->method == r->method) {
            ngx_pylon_metrics_start(r, i);
            return rt->handler(r, &params);
        }

        methods |= rt->method;
        known = i;
    }

    if (methods == 0) {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "Not Found");
    }

    if (r->method == NGX_HTTP_OPTIONS) {
        /* Litestar routes OPTIONS to a handler: it is counted */
        ngx_pylon_metrics_start(r, known);
    }

    return ngx_pylon_method_not_allowed(r, methods);
}


const char *
ngx_pylon_route_pattern(ngx_uint_t i)
{
    if (i >= sizeof(ngx_pylon_routes) / sizeof(ngx_pylon_route_t) - 1) {
        return NULL;
    }

    return ngx_pylon_routes[i].pattern;
}

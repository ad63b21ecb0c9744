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
#include "http/ngx_pylon_cachecheck.h"
#include "http/ngx_pylon_metrics.h"
#include "store/keys_v2.h"


#define NGX_PYLON_MAX_SEGMENTS  16
#define NGX_PYLON_SEG_INT       "{int}"
#define NGX_PYLON_SEG_STR       "{str}"


typedef struct {
    ngx_str_t            seg[NGX_PYLON_MAX_SEGMENTS];
    ngx_uint_t           n;
} ngx_pylon_path_t;


#define OA   "/subnet/{int}"
#define ID   "/identity/{str}/subnet/{int}"
#define R_OA (NGX_PYLON_R_OPEN|NGX_PYLON_R_TIMEOUT)
#define R_ID (NGX_PYLON_R_IDENTITY|NGX_PYLON_R_TIMEOUT)

/* Pylon v2's _unstable layout (spec/pylon-v2.md §3): chain-wide reads under
 * UG, subnet reads under UOA, both behind the open-access guard */
#define UG   "/openaccess"
#define UOA  "/openaccess/subnet/{int}"
#define R_UG (NGX_PYLON_R_GUARD|NGX_PYLON_R_TIMEOUT)

/* the subnet reads exist under open access and under every identity */
#define NGX_PYLON_SUBNET_ROUTES(api, P, F, U)                                \
    { NGX_HTTP_GET, api P "/block/{int}/neurons", ngx_pylon_subnet_data,    \
      F|U|NGX_PYLON_R_BLOCK, PYLON_ROUTE_NEURONS },                         \
    { NGX_HTTP_GET, api P "/block/latest/neurons", ngx_pylon_subnet_data,   \
      F|U, PYLON_ROUTE_NEURONS },                                           \
    { NGX_HTTP_GET, api P "/block/recent/neurons", ngx_pylon_recent_neurons,\
      F|U, PYLON_ROUTE_NEURONS },                                           \
    { NGX_HTTP_GET, api P "/block/{int}/validators", ngx_pylon_subnet_data, \
      F|U|NGX_PYLON_R_BLOCK, PYLON_ROUTE_VALIDATORS },                      \
    { NGX_HTTP_GET, api P "/block/latest/validators", ngx_pylon_subnet_data,\
      F|U, PYLON_ROUTE_VALIDATORS },                                        \
    { NGX_HTTP_GET, api P "/block/latest/certificates",                     \
      ngx_pylon_subnet_data, F|U, PYLON_ROUTE_CERTIFICATES },               \
    { NGX_HTTP_GET, api P "/block/latest/certificates/{str}",               \
      ngx_pylon_subnet_item, F|U|NGX_PYLON_R_ITEM, PYLON_ROUTE_CERTIFICATE },\
    { NGX_HTTP_GET, api P "/block/latest/commitments",                      \
      ngx_pylon_subnet_data, F|U,                                           \
      (U) ? PYLON_ROUTE_COMMITS_FULL : PYLON_ROUTE_COMMITMENTS },           \
    { NGX_HTTP_GET, api P "/block/latest/commitments/{str}",                \
      ngx_pylon_subnet_item, F|U|NGX_PYLON_R_ITEM,                          \
      (U) ? PYLON_ROUTE_COMMIT_FULL : PYLON_ROUTE_COMMITMENT }

#define NGX_PYLON_IDENTITY_ROUTES(api, U)                                    \
    { NGX_HTTP_GET, api ID "/block/latest/certificates/self",               \
      ngx_pylon_subnet_item, R_ID|U|NGX_PYLON_R_ITEM|NGX_PYLON_R_SELF,      \
      PYLON_ROUTE_CERTIFICATE },                                            \
    { NGX_HTTP_GET, api ID "/block/latest/commitments/self",                \
      ngx_pylon_subnet_item, R_ID|U|NGX_PYLON_R_ITEM|NGX_PYLON_R_SELF,      \
      (U) ? PYLON_ROUTE_COMMIT_FULL : PYLON_ROUTE_COMMITMENT },             \
    { NGX_HTTP_POST, api "/login/identity/{str}", ngx_pylon_login,          \
      NGX_PYLON_R_BODY|NGX_PYLON_R_TIMEOUT|U, NULL },                       \
    { NGX_HTTP_PUT, api ID "/weights", ngx_pylon_put_weights,               \
      R_ID|NGX_PYLON_R_BODY|U, NULL },                                      \
    { NGX_HTTP_POST, api ID "/commitments", ngx_pylon_post_commitment,      \
      R_ID|NGX_PYLON_R_BODY|U, NULL },                                      \
    { NGX_HTTP_POST, api ID "/certificates/self", ngx_pylon_post_certificate,\
      R_ID|NGX_PYLON_R_BODY|U, NULL },                                      \
    { NGX_HTTP_GET, api "/block/{int}/extrinsic/{int}", ngx_pylon_extrinsic,\
      NGX_PYLON_R_BLOCK|NGX_PYLON_R_TIMEOUT|U, PYLON_ROUTE_EXTRINSIC }


/* chain-wide reads behind the open-access guard (v2's UG prefix) */
#define NGX_PYLON_GENERAL_ROUTES(api, G, F, U)                               \
    { NGX_HTTP_GET, api G "/block/latest", ngx_pylon_block_latest,          \
      F|U, PYLON_ROUTE_BLOCK },                                             \
    { NGX_HTTP_GET, api G "/block/{int}/extrinsic/{int}",                   \
      ngx_pylon_extrinsic, F|U|NGX_PYLON_R_BLOCK, PYLON_ROUTE_EXTRINSIC }


/*
 * Pylon v2 (spec/pylon-v2.md §3.2): prices, revealed commitments and,
 * under identities, mechanism weights and their status.  Chain-wide
 * v2 reads follow as single lines (the drand round is public, §12.2).
 */
#define NGX_PYLON_V2_ROUTES(api, P, F, U)                                    \
    { NGX_HTTP_GET, api P "/block/latest/price", ngx_pylon_subnet_data,    \
      F|U, PYLON_ROUTE_PRICE },                                             \
    { NGX_HTTP_GET, api P "/block/{int}/price", ngx_pylon_subnet_data,     \
      F|U|NGX_PYLON_R_BLOCK, PYLON_ROUTE_PRICE },                           \
    { NGX_HTTP_GET, api P "/block/latest/commitments/revealed",             \
      ngx_pylon_v2_revealed, F|U, PYLON_ROUTE_REVEALED },                   \
    { NGX_HTTP_GET, api P "/block/latest/commitments/revealed/{str}",       \
      ngx_pylon_v2_revealed_one, F|U|NGX_PYLON_R_ITEM,                      \
      PYLON_ROUTE_REVEALED_ONE }

#define NGX_PYLON_V2_IDENTITY_ROUTES(api, U)                                 \
    { NGX_HTTP_GET, api ID "/block/latest/commitments/revealed/self",       \
      ngx_pylon_v2_revealed_one,                                            \
      R_ID|U|NGX_PYLON_R_ITEM|NGX_PYLON_R_SELF, PYLON_ROUTE_REVEALED_ONE }, \
    { NGX_HTTP_POST, api ID "/commitments/revealed",                        \
      ngx_pylon_v2_post_revealed, R_ID|NGX_PYLON_R_BODY|U, NULL },          \
    { NGX_HTTP_PUT, api ID "/mechanism/{int}/weights",                      \
      ngx_pylon_v2_put_weights, R_ID|NGX_PYLON_R_BODY|U, NULL },            \
    { NGX_HTTP_GET, api ID "/mechanism/{int}/block/{int}/weights/status",   \
      ngx_pylon_v2_weights_status, R_ID|U, NULL }



static ngx_pylon_route_t  ngx_pylon_routes[] = {

    /* v2: the identities and their netuids, public */
    { NGX_HTTP_GET, "api/v1/identities", ngx_pylon_identities,
      NGX_PYLON_R_PUBLIC|NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "api/_unstable/identities", ngx_pylon_identities,
      NGX_PYLON_R_PUBLIC|NGX_PYLON_R_TIMEOUT|NGX_PYLON_R_UNSTABLE, NULL },

    /* Pylon v2 */
    { NGX_HTTP_GET, "api/_unstable" UG "/block/latest/drand/last_stored_round",
      ngx_pylon_v2_drand,
      NGX_PYLON_R_PUBLIC|NGX_PYLON_R_TIMEOUT|NGX_PYLON_R_UNSTABLE,
      PYLON_ROUTE_DRAND },
    { NGX_HTTP_GET, "api/_unstable" UG "/block/latest/prices",
      ngx_pylon_subnet_data, R_UG|NGX_PYLON_R_UNSTABLE,
      PYLON_ROUTE_PRICES },
    { NGX_HTTP_GET, "api/_unstable" UG "/block/{int}/prices",
      ngx_pylon_subnet_data, R_UG|NGX_PYLON_R_BLOCK|NGX_PYLON_R_UNSTABLE,
      PYLON_ROUTE_PRICES },
    NGX_PYLON_V2_ROUTES("api/_unstable", UOA, R_OA, NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_V2_ROUTES("api/_unstable", OA, R_OA, NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_V2_ROUTES("api/_unstable", ID, R_ID, NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_V2_IDENTITY_ROUTES("api/_unstable", NGX_PYLON_R_UNSTABLE),

    { NGX_HTTP_GET, "api/v1/block/latest", ngx_pylon_block_latest,
      NGX_PYLON_R_TIMEOUT, PYLON_ROUTE_BLOCK },

    NGX_PYLON_IDENTITY_ROUTES("api/v1", 0),
    NGX_PYLON_SUBNET_ROUTES("api/v1", OA, R_OA, 0),
    NGX_PYLON_SUBNET_ROUTES("api/v1", ID, R_ID, 0),

    NGX_PYLON_IDENTITY_ROUTES("api/_unstable", NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_SUBNET_ROUTES("api/_unstable", OA, R_OA, NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_SUBNET_ROUTES("api/_unstable", ID, R_ID, NGX_PYLON_R_UNSTABLE),

    /* v2's layout; the one above (/api/_unstable/subnet/...) stays for
     * older 2.x clients (spec/pylon-v2.md §12.6) */
    NGX_PYLON_GENERAL_ROUTES("api/_unstable", UG, R_UG, NGX_PYLON_R_UNSTABLE),
    NGX_PYLON_SUBNET_ROUTES("api/_unstable", UOA, R_OA, NGX_PYLON_R_UNSTABLE),

    /* EVM (spec/pylon-v2.md §7): behind the open-access guard */
    { NGX_HTTP_POST, "api/_unstable/openaccess/evm/contracts/{str}/logs",
      ngx_pylon_evm_logs, R_UG|NGX_PYLON_R_BODY|NGX_PYLON_R_UNSTABLE, NULL },
    { NGX_HTTP_GET,
      "api/_unstable/openaccess/subnet/{int}/block/latest/evm_associations",
      ngx_pylon_evm_associations, R_OA|NGX_PYLON_R_UNSTABLE, NULL },
    { NGX_HTTP_GET,
      "api/_unstable/identity/{str}/subnet/{int}/block/latest/evm_associations",
      ngx_pylon_evm_associations, R_ID|NGX_PYLON_R_UNSTABLE, NULL },

    /* metrics and the OpenAPI document (Litestar's /schema family) */
    { NGX_HTTP_GET, "metrics", ngx_pylon_metrics_handler,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema", ngx_pylon_openapi_page,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/swagger", ngx_pylon_openapi_page,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/redoc", ngx_pylon_openapi_page,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/elements", ngx_pylon_openapi_page,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/rapidoc", ngx_pylon_openapi_page,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/openapi.json", ngx_pylon_openapi_json,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/openapi.yaml", ngx_pylon_openapi_yaml,
      NGX_PYLON_R_TIMEOUT, NULL },
    { NGX_HTTP_GET, "schema/openapi.yml", ngx_pylon_openapi_yaml,
      NGX_PYLON_R_TIMEOUT, NULL },

    { 0, NULL, NULL, 0, NULL }
};


static ngx_int_t ngx_pylon_dispatch(ngx_http_request_t *r,
    ngx_pylon_route_t *rt, ngx_pylon_params_t *params);
static void ngx_pylon_body_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_pylon_utf8_valid(u_char *p, size_t len);
static ngx_int_t ngx_pylon_body_collect(ngx_http_request_t *r,
    ngx_pylon_ctx_t *ctx);


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

    if (r->err_status && r->internal) {
        /* an error nginx answered, redirected here by our error_page */
        return ngx_pylon_send_status(r, r->err_status);
    }

    if (ngx_pylon_worker_store() == NULL) {
        /* the worker could not open pylon_cache: logged at its start */
        return ngx_pylon_send_cache_unavailable(r);
    }

    if (!ngx_pylon_utf8_valid(r->uri.data, r->uri.len)) {
        /* names and hotkeys are text: never hand such bytes to JSON */
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST,
                                    "Invalid UTF-8 in the request path");
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
            return ngx_pylon_dispatch(r, rt, &params);
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


/* 1 when the (decoded) path is valid UTF-8 */

static ngx_uint_t
ngx_pylon_utf8_valid(u_char *p, size_t len)
{
    u_char  *last;

    last = p + len;

    while (p < last) {
        if (*p < 0x80) {
            p++;
            continue;
        }

        if (ngx_utf8_decode(&p, last - p) > 0x10ffff) {
            return 0;
        }
    }

    return 1;
}


ngx_pylon_ctx_t *
ngx_pylon_ctx(ngx_http_request_t *r)
{
    return ngx_http_get_module_ctx(r, ngx_pylon_module);
}


/*
 * A route matched: note what it names, then authorise (or, for routes
 * with a body, read it first: the handler authorises after parsing, in
 * Pylon's order of checks).
 */

static ngx_int_t
ngx_pylon_dispatch(ngx_http_request_t *r, ngx_pylon_route_t *rt,
    ngx_pylon_params_t *params)
{
    ngx_int_t               rc;
    ngx_uint_t              ni, ns;
    ngx_pylon_ctx_t        *ctx;
    ngx_pylon_main_conf_t  *pmcf;
    ngx_http_core_loc_conf_t  *clcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_pylon_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_pylon_module);

    ctx->route = rt;
    ctx->params = *params;
    ctx->netuid = -1;
    ctx->block = -1;
    ctx->timeout = pmcf->timeout;

    ni = 0;
    ns = 0;

    if (rt->flags & NGX_PYLON_R_IDENTITY) {
        ns++;                                  /* the identity's name */
    }

    if (rt->flags & (NGX_PYLON_R_OPEN|NGX_PYLON_R_IDENTITY)) {
        /*
         * a NetUid is a u16: never cast 2^32 + 1 to subnet 1; an identity
         * route serves its own netuid only (any other is the guard's 308)
         */
        if ((rt->flags & NGX_PYLON_R_OPEN)
            && (params->ints[ni] < 0 || params->ints[ni] > 65535))
        {
            return ngx_pylon_send_invalid(r,
                       "netuid must be between 0 and 65535", "netuid");
        }

        ctx->netuid = (ngx_int_t) params->ints[ni++];
    }

    if (rt->flags & NGX_PYLON_R_BLOCK) {
        ctx->block = params->ints[ni++];
    }

    if ((rt->flags & NGX_PYLON_R_ITEM) && !(rt->flags & NGX_PYLON_R_SELF)) {
        ctx->hotkey = params->strs[ns];
    }

    /* an error envelope already sent also returns NGX_OK: stop there */

    if (rt->flags & NGX_PYLON_R_TIMEOUT) {
        rc = ngx_pylon_timeout(r, ctx);
        if (!NGX_PYLON_PASSED(rc, r)) {
            return rc;
        }
    }

    if (!(rt->flags & NGX_PYLON_R_BODY)) {

        rc = ngx_pylon_authorise(r, ctx);
        if (!NGX_PYLON_PASSED(rc, r)) {
            return rc;
        }

        return rt->handler(r, ctx);
    }

    /* a body route: cap what we accept in Pylon's envelope */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->headers_in.content_length_n > 0
        && clcf->client_max_body_size
        && r->headers_in.content_length_n > clcf->client_max_body_size)
    {
        return ngx_pylon_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                    "Request Entity Too Large");
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r, ngx_pylon_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_pylon_body_handler(ngx_http_request_t *r)
{
    ngx_int_t         rc;
    ngx_pylon_ctx_t  *ctx;

    ctx = ngx_pylon_ctx(r);

    if (ngx_pylon_body_collect(r, ctx) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ctx->route->handler(r, ctx);

    ngx_http_finalize_request(r, rc);
}


/* the body as one contiguous buffer in the request pool */

static ngx_int_t
ngx_pylon_body_collect(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char       *p;
    size_t        len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_null(&ctx->body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        len += b->in_file ? (size_t) (b->file_last - b->file_pos)
                          : (size_t) (b->last - b->pos);
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->body.data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_ERROR;
            }
            p += n;

        } else if (b->last > b->pos) {
            /* an empty buffer may have no memory at all (pos NULL) */
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    *p = '\0';
    ctx->body.len = len;

    return NGX_OK;
}


const char *
ngx_pylon_route_pattern(ngx_uint_t i)
{
    if (i >= sizeof(ngx_pylon_routes) / sizeof(ngx_pylon_route_t) - 1) {
        return NULL;
    }

    return ngx_pylon_routes[i].pattern;
}

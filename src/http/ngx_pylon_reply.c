/*
 * ngx_pylon_reply.c: how responses leave.  JSON bodies carry exactly
 * "Content-Type: application/json" (no charset), as Pylon sends them;
 * errors use Litestar's envelope; cached records go out with their ETag.
 *
 * Who owns a body (the rule of every helper here):
 *   ngx_pylon_send_json(), ngx_pylon_send_typed() point the output buffer
 *   at the body: it must live until the request ends (r->pool or static
 *   memory); nothing is copied, nothing is freed.
 *   ngx_pylon_send_json_copy() copies a borrowed body (a string inside a
 *   job's JSON, a cache record) into r->pool first: the caller may release
 *   the job right after and still frees what it owns.
 *   ngx_pylon_send_json_free() takes a malloc()ed body (an envelope from
 *   src/bittensor), copies it into r->pool and frees it on every path.
 *   The other helpers build their bodies in r->pool.
 */

#include <sodium.h>

#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_cachecheck.h"
#include "crypto/seal.h"
#include "http/ngx_pylon_metrics.h"


static ngx_str_t  ngx_pylon_json_type = ngx_string("application/json");


/*
 * Sends status with body as "application/json", in place: body lives in
 * r->pool or in static memory (not copied, not freed).  Discards an unread
 * request body first; len 0 sends the header only.
 */

ngx_int_t
ngx_pylon_send_json(ngx_http_request_t *r, ngx_uint_t status, u_char *body,
    size_t len)
{
    return ngx_pylon_send_typed(r, status, &ngx_pylon_json_type, body, len);
}


/* a borrowed body: copied into r->pool, the caller keeps (and frees) it */

ngx_int_t
ngx_pylon_send_json_copy(ngx_http_request_t *r, ngx_uint_t status,
    const u_char *body, size_t len)
{
    u_char  *copy;

    copy = ngx_pnalloc(r->pool, len ? len : 1);
    if (copy == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(copy, body, len);

    return ngx_pylon_send_json(r, status, copy, len);
}


ngx_int_t
ngx_pylon_send_typed(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *body, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    /* a body we did not read must not be taken for the next request */
    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    r->headers_out.status = status;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = len;

    if (len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_pylon_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail)
{
    u_char  *body, *p;
    size_t   len, n;

    n = ngx_strlen(detail);

    /* ngx_escape_json(NULL, ...) counts the bytes that escaping adds */
    len = sizeof("{\"status_code\":000,\"detail\":\"\"}") - 1 + n
          + ngx_escape_json(NULL, (u_char *) detail, n);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(body, "{\"status_code\":%03ui,\"detail\":\"", status);
    p = (u_char *) ngx_escape_json(p, (u_char *) detail, n);
    *p++ = '"';
    *p++ = '}';

    return ngx_pylon_send_json(r, status, body, p - body);
}


ngx_int_t
ngx_pylon_send_retry(ngx_http_request_t *r, ngx_uint_t seconds,
    const char *detail)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    h = ngx_list_push(&r->headers_out.headers);
    if (p == NULL || h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "%ui", seconds) - p;

    return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE, detail);
}


/* the envelope of a bare status, with its reason phrase as detail */

ngx_int_t
ngx_pylon_send_status(ngx_http_request_t *r, ngx_uint_t status)
{
    const char  *detail;

    switch (status) {
    case NGX_HTTP_BAD_REQUEST: detail = "Bad Request"; break;
    case NGX_HTTP_UNAUTHORIZED: detail = "Unauthorized"; break;
    case NGX_HTTP_FORBIDDEN: detail = "Forbidden"; break;
    case NGX_HTTP_NOT_FOUND: detail = "Not Found"; break;
    case NGX_HTTP_REQUEST_TIME_OUT: detail = "Request Timeout"; break;
    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        detail = "Request Entity Too Large"; break;
    case NGX_HTTP_TOO_MANY_REQUESTS: detail = "Too Many Requests"; break;
    case NGX_HTTP_BAD_GATEWAY: detail = "Bad Gateway"; break;
    case NGX_HTTP_SERVICE_UNAVAILABLE: detail = "Service Unavailable"; break;
    case NGX_HTTP_GATEWAY_TIME_OUT: detail = "Gateway Timeout"; break;
    default: detail = "Internal Server Error"; break;
    }

    return ngx_pylon_send_error(r, status, detail);
}


static ngx_int_t
ngx_pylon_set_etag(ngx_http_request_t *r, uint64_t etag, ngx_uint_t gz)
{
    u_char           *p;
    size_t            n;
    ngx_table_elt_t  *h;

    p = ngx_pnalloc(r->pool, 24);
    if (p == NULL) {
        return NGX_ERROR;
    }

    n = gz ? pylon_store_etag_format_gz((char *) p, 24, etag)
           : pylon_store_etag_format((char *) p, 24, etag);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "ETag");
    h->value.data = p;
    h->value.len = n;

    r->headers_out.etag = h;

    return NGX_OK;
}


ngx_int_t
ngx_pylon_send_body(ngx_http_request_t *r, u_char *body, size_t len,
    uint64_t etag)
{
    if (ngx_pylon_set_etag(r, etag, 0) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_json(r, NGX_HTTP_OK, body, len);
}


ngx_int_t
ngx_pylon_send_cached_at(ngx_http_request_t *r, const char *key,
    uint64_t block, ngx_uint_t *found, uint64_t *served)
{
    int                     rc;
    size_t                  len;
    u_char                 *body;
    ngx_uint_t              gz, vary;
    const u_char           *src;
    pylon_store_t          *st;
    pylon_record_t          rec;
    ngx_pylon_main_conf_t  *pmcf;

    *found = 1;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return ngx_pylon_send_cache_unavailable(r);
    }

    rc = pylon_store_read(st, key, &rec);

    if (rc == PYLON_STORE_NOTFOUND) {
        ngx_pylon_metrics_cache(0);
        *found = 0;
        return NGX_DECLINED;
    }

    if (rc != PYLON_STORE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pylon: cache read of \"%s\" failed: %s", key,
                      pylon_store_error(st));
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    if (block != NGX_PYLON_ANY_BLOCK && rec.block != block) {
        pylon_store_read_end(st);
        ngx_pylon_metrics_cache(0);
        *found = 0;
        return NGX_DECLINED;
    }

    ngx_pylon_metrics_cache(1);

    /* the gzip copy to whom accepts it (pylon_gzip), else the body */

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    vary = pmcf->gzip && rec.gz != NULL;
    gz = vary && ngx_pylon_gzip_accepted(r);

    src = gz ? rec.gz : rec.body;
    len = gz ? rec.gzlen : rec.len;

    /* copy out: never hold a reader slot while the client downloads */

    body = ngx_pnalloc(r->pool, len ? len : 1);
    if (body == NULL) {
        pylon_store_read_end(st);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, src, len);
    pylon_store_read_end(st);

    if (rec.len == 0) {
        /* an item without a v1 shape (a timelocked commitment): Pylon
         * v2's CommitmentNotFoundError() has an empty detail */
        if (served) {
            *served = rec.block;
        }
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "");
    }

    if (served) {
        *served = rec.block;
    }

    if ((vary && ngx_pylon_gzip_vary(r) != NGX_OK)
        || (gz && ngx_pylon_gzip_encoding(r) != NGX_OK)
        || ngx_pylon_set_etag(r, rec.etag, gz) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_json(r, NGX_HTTP_OK, body, len);
}


ngx_int_t
ngx_pylon_send_cached_if(ngx_http_request_t *r, const char *key,
    ngx_uint_t *found, uint64_t *served)
{
    return ngx_pylon_send_cached_at(r, key, NGX_PYLON_ANY_BLOCK, found,
                                    served);
}


ngx_int_t
ngx_pylon_send_cached(ngx_http_request_t *r, const char *key)
{
    ngx_int_t         rc;
    ngx_uint_t        found;
    ngx_pylon_ctx_t  *ctx;

    ctx = ngx_pylon_ctx(r);

    rc = ngx_pylon_send_cached_if(r, key, &found,
                                  ctx ? &ctx->served_block : NULL);
    if (found) {
        if (ctx) {
            ctx->cache_status = NGX_PYLON_CACHE_HIT;
        }
        return rc;
    }

    if (ctx) {
        ctx->cache_status = NGX_PYLON_CACHE_EMPTY;
    }

    return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                "Chain data is not available yet.");
}


/*
 * Litestar's validation envelope with one entry:
 * {"status_code":400,"detail":"Validation failed for METHOD /path[?q]",
 *  "extra":[{"message":M,"key":K}]}
 */

ngx_int_t
ngx_pylon_send_invalid(ngx_http_request_t *r, const char *message,
    const char *key)
{
    char    *text;
    json_t  *env;
    u_char  *body, *p, detail[512];
    size_t   len;

    p = ngx_snprintf(detail, sizeof(detail) - 1,
                     "Validation failed for %V %V%s%V",
                     &r->method_name, &r->uri, r->args.len ? "?" : "",
                     &r->args);
    *p = '\0';

    env = json_pack("{s:i, s:s, s:[{s:s, s:s}]}", "status_code", 400,
                    "detail", (char *) detail, "extra", "message", message,
                    "key", key);
    if (env == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    text = json_dumps(env, JSON_COMPACT|JSON_PRESERVE_ORDER);
    json_decref(env);

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_strlen(text);
    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        free(text);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, text, len);
    free(text);

    return ngx_pylon_send_json(r, NGX_HTTP_BAD_REQUEST, body, len);
}


/*
 * A malloc()ed JSON body (an envelope from src/bittensor): ownership
 * passes in, it is copied into r->pool and freed on every path.  NULL
 * (the envelope could not be built) answers 500.
 */

ngx_int_t
ngx_pylon_send_json_free(ngx_http_request_t *r, ngx_uint_t status, char *buf,
    size_t len)
{
    ngx_int_t  rc;

    if (buf == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    rc = ngx_pylon_send_json_copy(r, status, (u_char *) buf, len);
    free(buf);

    return rc;
}


typedef struct {
    u_char  *data;
    size_t   len;
} ngx_pylon_secret_t;


static void
ngx_pylon_secret_wipe(void *data)
{
    ngx_pylon_secret_t  *s = data;

    sodium_memzero(s->data, s->len);
}


/*
 * A secret the helper sealed for the worker (crypto/seal.h), opened into
 * r->pool; a pool cleanup wipes it when the request ends (after the body
 * was sent), so the plain key does not linger in freed pool memory.
 */

u_char *
ngx_pylon_unseal(ngx_http_request_t *r, const char *sealed, size_t *len)
{
    u_char                 *m;
    size_t                  cap;
    ngx_pool_cleanup_t     *cln;
    ngx_pylon_secret_t     *s;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    cap = ngx_strlen(sealed) / 2 + 1;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_pylon_secret_t));
    if (cln == NULL) {
        return NULL;
    }

    m = ngx_pnalloc(r->pool, cap);
    if (m == NULL) {
        return NULL;
    }

    s = cln->data;
    s->data = m;
    s->len = cap;
    cln->handler = ngx_pylon_secret_wipe;

    if (pylon_unseal(m, cap, len, pmcf->session_key, sealed) != 0) {
        return NULL;
    }

    return m;
}

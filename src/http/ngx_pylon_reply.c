/*
 * ngx_pylon_reply.c: how responses leave.  JSON bodies carry exactly
 * "Content-Type: application/json" (no charset), as Pylon sends them;
 * errors use Litestar's envelope; cached records go out with their ETag.
 */

#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_cachecheck.h"
#include "crypto/seal.h"
#include "http/ngx_pylon_metrics.h"


static ngx_str_t  ngx_pylon_json_type = ngx_string("application/json");


ngx_int_t
ngx_pylon_send_json(ngx_http_request_t *r, ngx_uint_t status, u_char *body,
    size_t len)
{
    return ngx_pylon_send_typed(r, status, &ngx_pylon_json_type, body, len);
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
ngx_pylon_set_etag(ngx_http_request_t *r, uint64_t etag)
{
    u_char           *p;
    size_t            n;
    ngx_table_elt_t  *h;

    p = ngx_pnalloc(r->pool, 24);
    if (p == NULL) {
        return NGX_ERROR;
    }

    n = pylon_store_etag_format((char *) p, 24, etag);

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
    if (ngx_pylon_set_etag(r, etag) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_json(r, NGX_HTTP_OK, body, len);
}


ngx_int_t
ngx_pylon_send_cached_at(ngx_http_request_t *r, const char *key,
    uint64_t block, ngx_uint_t *found, uint64_t *served)
{
    int              rc;
    u_char          *body;
    pylon_store_t   *st;
    pylon_record_t   rec;

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

    /* copy out: never hold a reader slot while the client downloads */

    body = ngx_pnalloc(r->pool, rec.len ? rec.len : 1);
    if (body == NULL) {
        pylon_store_read_end(st);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, rec.body, rec.len);
    pylon_store_read_end(st);

    if (served) {
        *served = rec.block;
    }

    return ngx_pylon_send_body(r, body, rec.len, rec.etag);
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


/* sends a malloc()ed JSON body (an envelope from src/bittensor), frees it */

ngx_int_t
ngx_pylon_send_copy(ngx_http_request_t *r, ngx_uint_t status, char *buf,
    size_t len)
{
    u_char  *body;

    if (buf == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    body = ngx_pnalloc(r->pool, len ? len : 1);
    if (body == NULL) {
        free(buf);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, buf, len);
    free(buf);

    return ngx_pylon_send_json(r, status, body, len);
}


/* a secret the helper sealed for the worker (crypto/seal.h) */

u_char *
ngx_pylon_unseal(ngx_http_request_t *r, const char *sealed, size_t *len)
{
    u_char                 *m;
    size_t                  cap;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    cap = ngx_strlen(sealed) / 2 + 1;

    m = ngx_pnalloc(r->pool, cap);
    if (m == NULL) {
        return NULL;
    }

    if (pylon_unseal(m, cap, len, pmcf->session_key, sealed) != 0) {
        return NULL;
    }

    return m;
}

/*
 * ngx_pylon_reply.c: how responses leave.  JSON bodies carry exactly
 * "Content-Type: application/json" (no charset), as Pylon sends them;
 * errors use Litestar's envelope; cached records go out with their ETag.
 */

#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_metrics.h"


static ngx_str_t  ngx_pylon_json_type = ngx_string("application/json");


ngx_int_t
ngx_pylon_send_json(ngx_http_request_t *r, ngx_uint_t status, u_char *body,
    size_t len)
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
    r->headers_out.content_type = ngx_pylon_json_type;
    r->headers_out.content_type_len = ngx_pylon_json_type.len;
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
ngx_pylon_send_cached(ngx_http_request_t *r, const char *key)
{
    int              rc;
    u_char          *body;
    pylon_store_t   *st;
    pylon_record_t   rec;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    rc = pylon_store_read(st, key, &rec);

    if (rc != PYLON_STORE_ERROR) {
        ngx_pylon_metrics_cache(rc == PYLON_STORE_OK);
    }

    if (rc == PYLON_STORE_NOTFOUND) {
        return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "Chain data is not available yet.");
    }

    if (rc != PYLON_STORE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pylon: cache read of \"%s\" failed: %s", key,
                      pylon_store_error(st));
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    /* copy out: never hold a reader slot while the client downloads */

    body = ngx_pnalloc(r->pool, rec.len ? rec.len : 1);
    if (body == NULL) {
        pylon_store_read_end(st);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(body, rec.body, rec.len);
    pylon_store_read_end(st);

    if (ngx_pylon_set_etag(r, rec.etag) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_json(r, NGX_HTTP_OK, body, rec.len);
}

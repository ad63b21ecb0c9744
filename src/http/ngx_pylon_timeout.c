/*
 * ngx_pylon_timeout.c: X-Pylon-Timeout (pylon-api.md §5.1), the first
 * occurrence, read as Python's float() reads it (src/bittensor/request.h):
 * not a number or NaN is 400, zero or less is 400, more than the
 * pylon_request_timeout maximum is capped; absent, the default applies.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/request.h"


static ngx_str_t  ngx_pylon_timeout_header = ngx_string("X-Pylon-Timeout");


static ngx_table_elt_t *
ngx_pylon_find_header(ngx_http_request_t *r, ngx_str_t *name)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == name->len
            && ngx_strncasecmp(h[i].key.data, name->data, name->len) == 0)
        {
            return &h[i];
        }
    }
}


ngx_int_t
ngx_pylon_timeout(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    int                     rc, capped;
    char                   *env;
    size_t                  envlen;
    uint64_t                ms;
    ngx_table_elt_t        *h;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    h = ngx_pylon_find_header(r, &ngx_pylon_timeout_header);

    rc = pylon_timeout_parse(&ms, &capped, &env, &envlen,
                             h ? h->value.data : NULL, h ? h->value.len : 0,
                             pmcf->timeout / 1000.0,
                             pmcf->timeout_max / 1000.0);

    if (rc == PYLON_TIMEOUT_EINVALID) {
        return ngx_pylon_send_json_free(r, NGX_HTTP_BAD_REQUEST, env,
                                        envlen);
    }

    if (rc != PYLON_TIMEOUT_OK) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (capped) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pylon: X-Pylon-Timeout capped at %M ms",
                      pmcf->timeout_max);
    }

    ctx->timeout = (ngx_msec_t) ngx_max(ms, 1);

    return NGX_OK;
}

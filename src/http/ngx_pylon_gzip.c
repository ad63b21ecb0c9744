/*
 * ngx_pylon_gzip.c: sending the helper's gzip copy of a cached body.
 *
 * A record may carry a gzip copy (store/gzip.h).  A client whose
 * Accept-Encoding allows gzip gets the copy with "Content-Encoding: gzip"
 * and its own strong ETag (the body's with "-gz"), so If-None-Match and
 * 304 work for either representation; nginx's gzip filter leaves a
 * response that already has a Content-Encoding alone.  Both answers say
 * "Vary: Accept-Encoding".  `pylon_gzip off` sends the plain body only.
 */

#include "http/ngx_pylon_http.h"
#include "store/gzip.h"


static ngx_str_t  ngx_pylon_accept_encoding = ngx_string("Accept-Encoding");


ngx_uint_t
ngx_pylon_gzip_accepted(ngx_http_request_t *r)
{
    int               gzip_q, star_q, q;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    gzip_q = -1;
    star_q = -1;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != ngx_pylon_accept_encoding.len
            || ngx_strncasecmp(h[i].key.data, ngx_pylon_accept_encoding.data,
                               h[i].key.len) != 0)
        {
            continue;
        }

        q = pylon_gzip_accept_q(h[i].value.data, h[i].value.len, &star_q);
        if (q > gzip_q) {
            gzip_q = q;
        }
    }

    return pylon_gzip_acceptable(gzip_q, star_q) ? 1 : 0;
}


ngx_int_t
ngx_pylon_gzip_vary(ngx_http_request_t *r)
{
    ngx_table_elt_t           *h;
#if (NGX_HTTP_GZIP)
    ngx_http_core_loc_conf_t  *clcf;

    /* with gzip_vary on, nginx's header filter writes the one Vary */
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->gzip_vary) {
        r->gzip_vary = 1;
        return NGX_OK;
    }
#endif

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(h, sizeof(ngx_table_elt_t));
    h->hash = 1;
    ngx_str_set(&h->key, "Vary");
    ngx_str_set(&h->value, "Accept-Encoding");

    return NGX_OK;
}


ngx_int_t
ngx_pylon_gzip_encoding(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(h, sizeof(ngx_table_elt_t));
    h->hash = 1;
    ngx_str_set(&h->key, "Content-Encoding");
    ngx_str_set(&h->value, "gzip");

    /* set: ngx_http_gzip_filter passes the response through untouched */
    r->headers_out.content_encoding = h;

    return NGX_OK;
}

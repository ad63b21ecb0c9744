/*
 * ngx_pylon_timeout.c: X-Pylon-Timeout (pylon-api.md §5.1).
 *
 * The first occurrence is read as Python's float() reads it: surrounding
 * whitespace, a sign, underscores between digits, exponents, "inf".  Not
 * a number (NaN included) is 400 "Invalid X-Pylon-Timeout header value:
 * <raw>"; zero or less is 400 "... must be positive, got <repr>"; more
 * than the pylon_request_timeout maximum is capped.  Absent: the default.
 */

#include <math.h>
#include <stdlib.h>

#include "http/ngx_pylon_http.h"


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


/* Python float() syntax to a C double; NGX_ERROR when it is not one */

static ngx_int_t
ngx_pylon_py_float(ngx_str_t *raw, double *v)
{
    char    buf[128], *end;
    u_char  *p, *last, *q;

    p = raw->data;
    last = p + raw->len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t')) {
        last--;
    }

    if (p == last || last - p >= (ssize_t) sizeof(buf)) {
        return NGX_ERROR;
    }

    /* underscores only between digits, then dropped */

    q = (u_char *) buf;

    for ( /* void */ ; p < last; p++) {

        if (*p == '_') {
            if (q == (u_char *) buf || q[-1] < '0' || q[-1] > '9'
                || p + 1 == last || p[1] < '0' || p[1] > '9')
            {
                return NGX_ERROR;
            }
            continue;
        }

        if (*p == 'x' || *p == 'X' || *p == 'p' || *p == 'P') {
            return NGX_ERROR;                  /* no hex floats */
        }

        *q++ = *p;
    }

    *q = '\0';

    *v = strtod(buf, &end);

    if (end == buf || *end != '\0') {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* Python's repr() of a float, closely enough for an error message */

static u_char *
ngx_pylon_float_repr(u_char *buf, size_t size, double v)
{
    int    prec;
    char   tmp[64];

    if (isinf(v)) {
        return ngx_snprintf(buf, size, v < 0 ? "-inf" : "inf");
    }

    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) {
            break;
        }
    }

    if (strchr(tmp, '.') == NULL && strchr(tmp, 'e') == NULL) {
        return ngx_snprintf(buf, size, "%s.0", tmp);
    }

    return ngx_snprintf(buf, size, "%s", tmp);
}


ngx_int_t
ngx_pylon_timeout(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                 *p, detail[256];
    double                  v;
    ngx_table_elt_t        *h;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    ctx->timeout = pmcf->timeout;

    h = ngx_pylon_find_header(r, &ngx_pylon_timeout_header);
    if (h == NULL) {
        return NGX_OK;
    }

    if (ngx_pylon_py_float(&h->value, &v) != NGX_OK || isnan(v)) {
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Invalid X-Pylon-Timeout header value: %*s",
                         ngx_min(h->value.len, 128), h->value.data);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST, (char *) detail);
    }

    if (v <= 0) {
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "X-Pylon-Timeout header value must be positive, "
                         "got ");
        p = ngx_pylon_float_repr(p, detail + sizeof(detail) - 1 - p, v);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST, (char *) detail);
    }

    if (v * 1000 >= (double) pmcf->timeout_max) {
        if (v * 1000 > (double) pmcf->timeout_max) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pylon: X-Pylon-Timeout capped at %M ms",
                          pmcf->timeout_max);
        }
        ctx->timeout = pmcf->timeout_max;

    } else {
        ctx->timeout = (ngx_msec_t) (v * 1000);
        if (ctx->timeout == 0) {
            ctx->timeout = 1;
        }
    }

    return NGX_OK;
}

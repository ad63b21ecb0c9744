/*
 * ngx_pylon_variables.c: what a request did, for log_format and friends.
 *
 *   $pylon_identity      the identity the request used (or logged in as)
 *   $pylon_block         the block of the body served
 *   $pylon_cache_status  HIT, MISS (fetched by the helper) or EMPTY
 */

#include "http/ngx_pylon_http.h"


static ngx_int_t ngx_pylon_var_identity(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_pylon_var_block(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_pylon_var_cache_status(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_pylon_vars[] = {

    { ngx_string("pylon_identity"), NULL, ngx_pylon_var_identity, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("pylon_block"), NULL, ngx_pylon_var_block, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("pylon_cache_status"), NULL, ngx_pylon_var_cache_status, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_pylon_cache_statuses[] = {
    ngx_null_string,
    ngx_string("HIT"),
    ngx_string("MISS"),
    ngx_string("EMPTY")
};


ngx_int_t
ngx_pylon_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_pylon_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void
ngx_pylon_var_set(ngx_http_variable_value_t *v, u_char *data, size_t len)
{
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = data;
}


static ngx_int_t
ngx_pylon_var_identity(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_pylon_ctx_t  *ctx;

    ctx = ngx_pylon_ctx(r);

    if (ctx == NULL || ctx->identity == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_pylon_var_set(v, ctx->identity->name.data, ctx->identity->name.len);

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_var_block(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    u_char           *p;
    ngx_pylon_ctx_t  *ctx;

    ctx = ngx_pylon_ctx(r);

    if (ctx == NULL || (ctx->cache_status != NGX_PYLON_CACHE_HIT
                        && ctx->cache_status != NGX_PYLON_CACHE_MISS))
    {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_pylon_var_set(v, p, ngx_sprintf(p, "%uL", ctx->served_block) - p);

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_var_cache_status(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_pylon_ctx_t  *ctx;

    ctx = ngx_pylon_ctx(r);

    if (ctx == NULL || ctx->cache_status == NGX_PYLON_CACHE_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_pylon_var_set(v, ngx_pylon_cache_statuses[ctx->cache_status].data,
                      ngx_pylon_cache_statuses[ctx->cache_status].len);

    return NGX_OK;
}

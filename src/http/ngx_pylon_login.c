/*
 * ngx_pylon_login.c: how a client learns its identity's netuid.
 *
 * v2: GET /api/{v1,_unstable}/identities, public, answers
 * {"identities": {"<name>": <netuid>, ...}} in configured order; the
 * client asks it first and again after a 308 (spec/pylon-v2.md §2.6).
 *
 * v1: POST /api/v1/login/identity/{identity_name}
 *
 * Body {"token": "<identity token>"} (other keys, like the client's
 * "identity_name", are ignored).  In Pylon's order: malformed JSON (400),
 * unknown identity (404), body validation (400), then, where Pylon checks
 * nothing, the token in constant time (401).  200 answers
 * {"netuid", "identity_name"}, which the official client builds every
 * identity URL from, with the session cookie.
 */

#include "http/ngx_pylon_http.h"


ngx_int_t
ngx_pylon_login(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                *p, *out;
    size_t                 len;
    ngx_int_t              rc;
    ngx_str_t              token;
    ngx_uint_t             match;
    pylon_body_t           body;
    ngx_pylon_identity_t  *id;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_LOGIN, &body,
                              NGX_PYLON_LOOKUP);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    id = ctx->identity;

    token.data = (u_char *) body.token;
    token.len = body.token_len;

    match = (id->token.len == 0 || ngx_pylon_token_equal(&token, &id->token));

    pylon_body_free(&body);

    if (!match) {
        return ngx_pylon_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                    "Invalid identity token");
    }

    if (ngx_pylon_session_issue(r, id) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = sizeof("{\"netuid\":,\"identity_name\":\"\"}") - 1 + NGX_INT_T_LEN
          + id->name.len;

    out = ngx_pnalloc(r->pool, len);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(out, "{\"netuid\":%i,\"identity_name\":\"%V\"}",
                    id->netuid, &id->name);

    return ngx_pylon_send_json(r, NGX_HTTP_OK, out, p - out);
}


ngx_int_t
ngx_pylon_identities(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                 *p, *out;
    size_t                  len;
    ngx_uint_t              i;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    len = sizeof("{\"identities\":{}}") - 1;
    id = NULL;

    if (pmcf->identities) {
        id = pmcf->identities->elts;

        for (i = 0; i < pmcf->identities->nelts; i++) {
            len += sizeof("\"\":,") - 1 + id[i].name.len + NGX_INT_T_LEN;
        }
    }

    out = ngx_pnalloc(r->pool, len);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* names are [A-Za-z0-9._-] (ngx_pylon_identity.c): no escaping */

    p = ngx_cpymem(out, "{\"identities\":{", sizeof("{\"identities\":{") - 1);

    for (i = 0; pmcf->identities && i < pmcf->identities->nelts; i++) {
        p = ngx_sprintf(p, "%s\"%V\":%i", i ? "," : "", &id[i].name,
                        id[i].netuid);
    }

    p = ngx_cpymem(p, "}}", 2);

    return ngx_pylon_send_json(r, NGX_HTTP_OK, out, p - out);
}

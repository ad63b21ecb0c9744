/*
 * ngx_pylon_login.c: POST /api/v1/login/identity/{identity_name}
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
    u_char                 *p, *out, detail[128];
    size_t                  len;
    json_t                 *body, *tok;
    ngx_int_t               rc;
    ngx_str_t               token, *name;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    rc = ngx_pylon_body_json(r, ctx, &body);
    if (rc != NGX_OK) {
        return rc;
    }

    name = &ctx->params.strs[0];
    id = ngx_pylon_identity_find(pmcf, name);

    if (id == NULL) {
        json_decref(body);
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Identity '%V' not found", name);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, (char *) detail);
    }

    tok = json_object_get(body, "token");

    if (!json_is_string(tok)) {
        json_decref(body);
        return ngx_pylon_send_invalid(r, tok == NULL ? "Field required"
                                      : "Input should be a valid string",
                                      "token");
    }

    token.data = (u_char *) json_string_value(tok);
    token.len = json_string_length(tok);

    if (id->token.len && !ngx_pylon_token_equal(&token, &id->token)) {
        json_decref(body);
        return ngx_pylon_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                    "Invalid identity token");
    }

    json_decref(body);

    if (ngx_pylon_session_issue(r, id) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->identity = id;

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

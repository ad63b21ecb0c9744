/*
 * ngx_pylon_auth.c: who may call what (design.md, "Deliberate
 * differences").
 *
 * Both client generations at once.  v2 clients send "Authorization:
 * Bearer <token>" and get Pylon v2's guards (spec/pylon-v2.md §2): 401
 * for a missing or malformed header, 404 for an unknown identity, 403
 * for another token, 308 to the identity's own subnet.  v1 clients log
 * in: login compares the identity's token in constant time and answers
 * with a session cookie (HttpOnly, SameSite=Strict, valid for a day,
 * signed with a key drawn at config time, so a reload rotates it;
 * Secure when the login came over TLS), which
 * opens that identity's routes and nothing else.  Without
 * pylon_open_access_token the open-access routes stay open; with it they
 * take that Bearer token only.
 *
 *   cookie value: <expiry, 16 hex><HMAC-SHA256, 64 hex><identity name>
 */

#include <sodium.h>

#include "http/ngx_pylon_http.h"


#define NGX_PYLON_SESSION_TTL   86400
#define NGX_PYLON_MAC_HEX       (crypto_auth_hmacsha256_BYTES * 2)


static ngx_str_t  ngx_pylon_cookie_name = ngx_string("pylon_session");


static ngx_int_t
ngx_pylon_hex_decode(u_char *dst, u_char *src, size_t len)
{
    ngx_int_t  b;

    for ( /* void */ ; len >= 2; len -= 2, src += 2) {
        b = ngx_hextoi(src, 2);
        if (b == NGX_ERROR) {
            return NGX_ERROR;
        }
        *dst++ = (u_char) b;
    }

    return len ? NGX_ERROR : NGX_OK;
}


/* equal tokens, in time independent of where they differ */

ngx_uint_t
ngx_pylon_token_equal(ngx_str_t *a, ngx_str_t *b)
{
    u_char  ha[32], hb[32];

    crypto_generichash(ha, sizeof(ha), a->data, a->len, NULL, 0);
    crypto_generichash(hb, sizeof(hb), b->data, b->len, NULL, 0);

    return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}


static void
ngx_pylon_session_mac(u_char *mac, ngx_pylon_main_conf_t *pmcf,
    u_char *expiry, ngx_str_t *name)
{
    crypto_auth_hmacsha256_state  st;

    crypto_auth_hmacsha256_init(&st, pmcf->session_key,
                                sizeof(pmcf->session_key));
    crypto_auth_hmacsha256_update(&st, expiry, 16);
    crypto_auth_hmacsha256_update(&st, name->data, name->len);
    crypto_auth_hmacsha256_final(&st, mac);
}


ngx_int_t
ngx_pylon_session_issue(ngx_http_request_t *r, ngx_pylon_identity_t *id)
{
    u_char                 *p, expiry[17], mac[crypto_auth_hmacsha256_BYTES];
    size_t                  len;
    ngx_table_elt_t        *h;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    ngx_sprintf(expiry, "%016xL%Z",
                (uint64_t) (ngx_time() + NGX_PYLON_SESSION_TTL));
    ngx_pylon_session_mac(mac, pmcf, expiry, &id->name);

    len = ngx_pylon_cookie_name.len + 1 + 16 + NGX_PYLON_MAC_HEX
          + id->name.len
          + sizeof("; Path=/; Max-Age=86400; HttpOnly; SameSite=Strict") - 1
          + sizeof("; Secure") - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Set-Cookie");
    h->value.data = p;

    p = ngx_cpymem(p, ngx_pylon_cookie_name.data, ngx_pylon_cookie_name.len);
    *p++ = '=';
    p = ngx_cpymem(p, expiry, 16);
    p = ngx_hex_dump(p, mac, sizeof(mac));
    p = ngx_cpymem(p, id->name.data, id->name.len);
    p = ngx_sprintf(p, "; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict",
                    NGX_PYLON_SESSION_TTL);

#if (NGX_HTTP_SSL)
    /* over TLS the cookie never travels back in the clear */
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }
#endif

    h->value.len = p - h->value.data;

    return NGX_OK;
}


/* the identity of a valid, unexpired session cookie, or NULL */

ngx_pylon_identity_t *
ngx_pylon_session_identity(ngx_http_request_t *r)
{
    u_char                  mac[crypto_auth_hmacsha256_BYTES];
    u_char                  given[crypto_auth_hmacsha256_BYTES];
    ngx_int_t               expiry;
    ngx_str_t               value, name;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies,
                                          &ngx_pylon_cookie_name, &value)
        == NGX_DECLINED)
    {
        return NULL;
    }

    if (value.len <= 16 + NGX_PYLON_MAC_HEX) {
        return NULL;
    }

    expiry = ngx_hextoi(value.data, 16);
    if (expiry == NGX_ERROR || expiry < ngx_time()) {
        return NULL;
    }

    if (ngx_pylon_hex_decode(given, value.data + 16, NGX_PYLON_MAC_HEX)
        != NGX_OK)
    {
        return NULL;
    }

    name.data = value.data + 16 + NGX_PYLON_MAC_HEX;
    name.len = value.len - 16 - NGX_PYLON_MAC_HEX;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    id = ngx_pylon_identity_find(pmcf, &name);
    if (id == NULL) {
        return NULL;
    }

    ngx_pylon_session_mac(mac, pmcf, value.data, &name);

    if (sodium_memcmp(mac, given, sizeof(mac)) != 0) {
        return NULL;
    }

    return id;
}


/*
 * Python's str.split() whitespace (the ASCII and Latin-1 ones a header
 * can carry): what Pylon splits the Authorization header on.
 */

static ngx_uint_t
ngx_pylon_py_space(u_char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
           || c == 0x85 || c == 0xa0;
}


/*
 * "Authorization: Bearer <token>" as Pylon's extract_bearer_token reads
 * it (spec/pylon-v2.md §2.2): the value splits on whitespace into exactly
 * "bearer" (any case) and the token.  NGX_OK with the token (pointing
 * into the header), or NGX_DECLINED with the 401 detail.
 */

ngx_int_t
ngx_pylon_bearer_parse(ngx_http_request_t *r, ngx_str_t *token,
    const char **detail)
{
    u_char           *p, *last;
    ngx_str_t         part[2];
    ngx_uint_t        n;
    ngx_table_elt_t  *h;

    ngx_str_null(token);

    h = r->headers_in.authorization;

    if (h == NULL || h->value.len == 0) {
        *detail = "Authorization header is required";
        return NGX_DECLINED;
    }

    p = h->value.data;
    last = p + h->value.len;
    n = 0;

    for ( ;; ) {
        while (p < last && ngx_pylon_py_space(*p)) {
            p++;
        }

        if (p == last) {
            break;
        }

        if (n == 2) {
            n++;
            break;
        }

        part[n].data = p;

        while (p < last && !ngx_pylon_py_space(*p)) {
            p++;
        }

        part[n].len = p - part[n].data;
        n++;
    }

    if (n != 2 || part[0].len != 6
        || ngx_strncasecmp(part[0].data, (u_char *) "bearer", 6) != 0)
    {
        *detail = "Invalid Authorization header format. Expected: "
                  "Bearer <token>";
        return NGX_DECLINED;
    }

    *token = part[1];

    return NGX_OK;
}


/*
 * The open-access guard (§2.3).  Without pylon_open_access_token the
 * routes stay open (v1 clients never send a token); with it, v2's rules
 * exactly: 401 for a missing or malformed header, 403 for another token.
 * An identity's session or token never opens them.
 */

static ngx_int_t
ngx_pylon_guard_open(ngx_http_request_t *r)
{
    ngx_str_t               token;
    const char             *detail;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    if (pmcf->open_token.len == 0) {
        return NGX_OK;
    }

    if (ngx_pylon_bearer_parse(r, &token, &detail) != NGX_OK) {
        return ngx_pylon_send_error(r, NGX_HTTP_UNAUTHORIZED, detail);
    }

    if (!ngx_pylon_token_equal(&token, &pmcf->open_token)) {
        return ngx_pylon_send_error(r, NGX_HTTP_FORBIDDEN,
                                    "Invalid authorization token");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_identity_not_found(ngx_http_request_t *r, ngx_str_t *name)
{
    u_char  *p, detail[160];

    p = ngx_snprintf(detail, sizeof(detail) - 1, "Identity '%V' not found",
                     name);
    *p = '\0';

    return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, (char *) detail);
}


/*
 * The identity guard (§2.4) with the v1 session: an identity without a
 * token is open (warned at config time), a valid session cookie of this
 * very identity passes (v1 clients); otherwise the header (401), the
 * identity (404), its token (403), in that order.  Sets ctx->identity.
 */

static ngx_int_t
ngx_pylon_guard_identity(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    ngx_str_t              *name, token;
    const char             *detail;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    name = &ctx->params.strs[0];
    id = ngx_pylon_identity_find(pmcf, name);

    if (id != NULL
        && (id->token.len == 0 || ngx_pylon_session_identity(r) == id))
    {
        ctx->identity = id;
        return NGX_OK;
    }

    if (ngx_pylon_bearer_parse(r, &token, &detail) != NGX_OK) {
        return ngx_pylon_send_error(r, NGX_HTTP_UNAUTHORIZED, detail);
    }

    if (id == NULL) {
        return ngx_pylon_identity_not_found(r, name);
    }

    if (!ngx_pylon_token_equal(&token, &id->token)) {
        return ngx_pylon_send_error(r, NGX_HTTP_FORBIDDEN,
                                    "Invalid authorization token");
    }

    ctx->identity = id;

    return NGX_OK;
}


/*
 * An identity asked for another subnet (§2.5): 308 with Location = the
 * request's path (no query) whose first "/subnet/<digits>" names the
 * identity's netuid; no body.  The header goes into the list as is, so
 * nginx does not make it absolute.
 */

static ngx_int_t
ngx_pylon_netuid_redirect(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char           *p, *last, *s, *d, *out;
    ngx_table_elt_t  *h;

    p = r->uri.data;
    last = p + r->uri.len;
    s = NULL;
    d = NULL;

    for ( /* void */ ; p + 8 < last; p++) {
        if (ngx_strncmp(p, "/subnet/", 8) != 0) {
            continue;
        }

        for (d = p + 8; d < last && *d >= '0' && *d <= '9'; d++) {
            /* void */
        }

        if (d > p + 8) {
            s = p + 8;
            break;
        }
    }

    out = ngx_pnalloc(r->pool, r->uri.len + NGX_INT_T_LEN);
    h = ngx_list_push(&r->headers_out.headers);
    if (out == NULL || h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (s == NULL) {
        p = ngx_cpymem(out, r->uri.data, r->uri.len);

    } else {
        p = ngx_cpymem(out, r->uri.data, s - r->uri.data);
        p = ngx_sprintf(p, "%i", ctx->identity->netuid);
        p = ngx_cpymem(p, d, last - d);
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.data = out;
    h->value.len = p - out;

    r->headers_out.status = NGX_HTTP_PERMANENT_REDIRECT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    (void) ngx_http_discard_request_body(r);

    return ngx_http_send_header(r);
}


/*
 * Route guards (spec/pylon-v2.md §2, with the compatibility policy of
 * README "Where we differ"): public routes pass; open-access routes, the
 * subnet ones and the chain-wide ones under /openaccess, take the
 * open-access guard; identity routes the identity guard, then 308 when
 * the path names another subnet.  Returns NGX_OK or the rc of the answer
 * already sent (see NGX_PYLON_PASSED).
 */

ngx_int_t
ngx_pylon_authorise(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    ngx_int_t   rc;
    ngx_uint_t  flags;

    flags = ctx->route->flags;

    if (flags & NGX_PYLON_R_PUBLIC) {
        return NGX_OK;
    }

    if (flags & (NGX_PYLON_R_OPEN|NGX_PYLON_R_GUARD)) {
        return ngx_pylon_guard_open(r);
    }

    if (!(flags & NGX_PYLON_R_IDENTITY)) {
        return NGX_OK;
    }

    rc = ngx_pylon_guard_identity(r, ctx);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    if (ctx->netuid != ctx->identity->netuid) {
        return ngx_pylon_netuid_redirect(r, ctx);
    }

    if (flags & NGX_PYLON_R_SELF) {
        ctx->hotkey.data = ctx->identity->ss58;
        ctx->hotkey.len = ngx_strlen(ctx->identity->ss58);
    }

    return NGX_OK;
}


/* the identity named by the path's first string: 404 when unknown */

ngx_int_t
ngx_pylon_lookup_identity(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    ctx->identity = ngx_pylon_identity_find(pmcf, &ctx->params.strs[0]);

    if (ctx->identity == NULL) {
        return ngx_pylon_identity_not_found(r, &ctx->params.strs[0]);
    }

    return NGX_OK;
}

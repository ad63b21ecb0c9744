/*
 * ngx_pylon_auth.c: who may call what (design.md, "Deliberate
 * differences").
 *
 * Pylon checks nothing; we check what the official client already sends.
 * Login compares the identity's token in constant time and answers with a
 * session cookie: HttpOnly, SameSite=Strict (and Secure when the login
 * came over TLS), valid for a day, signed with
 * a key drawn at config time, so a reload rotates it (the client logs in
 * again on 401).  Identity routes take that cookie or "Authorization:
 * Bearer <identity token>"; an identity only serves its own netuid.  With
 * pylon_open_access_token set, open routes take that Bearer token only: an
 * identity's session opens that identity's routes, never the open ones.
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


/* "Authorization: Bearer <token>": the token, or an empty string */

static void
ngx_pylon_bearer(ngx_http_request_t *r, ngx_str_t *token)
{
    u_char  *p, *last;

    ngx_str_null(token);

    if (r->headers_in.authorization == NULL) {
        return;
    }

    p = r->headers_in.authorization->value.data;
    last = p + r->headers_in.authorization->value.len;

    if (last - p < 7 || ngx_strncasecmp(p, (u_char *) "bearer ", 7) != 0) {
        return;
    }

    p += 7;

    while (p < last && *p == ' ') {
        p++;
    }

    token->data = p;
    token->len = last - p;
}


/*
 * May this request use identity id?  NGX_OK, or NGX_DECLINED (401).
 */

ngx_int_t
ngx_pylon_auth_identity(ngx_http_request_t *r, ngx_pylon_identity_t *id)
{
    ngx_str_t  token;

    if (id->token.len == 0) {
        return NGX_OK;
    }

    if (ngx_pylon_session_identity(r) == id) {
        return NGX_OK;
    }

    ngx_pylon_bearer(r, &token);

    if (token.len && ngx_pylon_token_equal(&token, &id->token)) {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/* May this request use the open-access routes?  NGX_OK or NGX_DECLINED. */

ngx_int_t
ngx_pylon_auth_open(ngx_http_request_t *r)
{
    ngx_str_t               token;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    if (pmcf->open_token.len == 0) {
        return NGX_OK;
    }

    ngx_pylon_bearer(r, &token);

    if (token.len && ngx_pylon_token_equal(&token, &pmcf->open_token)) {
        return NGX_OK;
    }

    /*
     * an identity's session opens that identity's routes only: a session
     * of an identity without a token (login needs nothing then) would
     * otherwise open every subnet to anyone
     */

    return NGX_DECLINED;
}

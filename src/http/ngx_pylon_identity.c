/*
 * ngx_pylon_identity.c: identities and tokens, from configuration to the
 * request.
 *
 *   pylon_wallet_path DIR
 *   pylon_identity NAME wallet=W hotkey=H netuid=N [token=T|token_file=F]
 *   pylon_open_access_token T|file=F
 *
 * The master loads each identity's hotkey file at config time (it may be
 * readable by root only) into sodium_malloc'd memory, freed with the
 * configuration's pool; workers wipe it at start and only the helper
 * keeps it.  Token files are read at config time too, trimmed.
 */

#include "http/ngx_pylon_http.h"
#include "crypto/address.h"
#include "crypto/wallet.h"


#define NGX_PYLON_TOKEN_MAX   4096


static void ngx_pylon_identity_cleanup(void *data);
static u_char *ngx_pylon_strdup0(ngx_pool_t *pool, ngx_str_t *s);


/* T or file=F (or token_file=F): the secret itself, never logged */

char *
ngx_pylon_conf_token(ngx_conf_t *cf, ngx_str_t *value, ngx_str_t *token,
    const char *directive)
{
    u_char     *p, *last;
    ssize_t     n;
    ngx_fd_t    fd;
    ngx_str_t   name;
    ngx_uint_t  skip;

    skip = 0;

    if (ngx_strncmp(value->data, "file=", 5) == 0) {
        skip = 5;

    } else if (ngx_strncmp(value->data, "token_file=", 11) == 0) {
        skip = 11;
    }

    if (skip == 0) {
        if (value->len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "empty token in \"%s\" directive", directive);
            return NGX_CONF_ERROR;
        }

        *token = *value;
        return NGX_CONF_OK;
    }

    name.data = value->data + skip;
    name.len = value->len - skip;

    if (name.len == 0 || ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid token file in \"%s\" directive",
                           directive);
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open token file \"%V\" in \"%s\" "
                           "directive", &name, directive);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, NGX_PYLON_TOKEN_MAX);
    if (p == NULL) {
        ngx_close_file(fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_fd(fd, p, NGX_PYLON_TOKEN_MAX);
    ngx_close_file(fd);

    if (n < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot read token file \"%V\" in \"%s\" "
                           "directive", &name, directive);
        return NGX_CONF_ERROR;
    }

    /* trim surrounding whitespace and the final newline */

    last = p + n;

    while (p < last && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t'
                        || last[-1] == '\r' || last[-1] == '\n'))
    {
        last--;
    }

    if (last == p || n == NGX_PYLON_TOKEN_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "token file \"%V\" in \"%s\" directive is %s",
                           &name, directive, last == p ? "empty" : "too long");
        return NGX_CONF_ERROR;
    }

    token->data = p;
    token->len = last - p;

    return NGX_CONF_OK;
}


char *
ngx_pylon_open_access_token(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    if (pmcf->open_token.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_pylon_conf_token(cf, &value[1], &pmcf->open_token,
                                (char *) cmd->name.data);
}


/* names travel in URLs and session cookies: [A-Za-z0-9._-]{1,64} */

static ngx_int_t
ngx_pylon_is_name(ngx_str_t *s)
{
    size_t  i;
    u_char  c;

    if (s->len == 0 || s->len > 64) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
        {
            return 0;
        }
    }

    return 1;
}


char *
ngx_pylon_identity(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    char                  *rv;
    ngx_str_t             *value, v;
    ngx_uint_t             i;
    ngx_pylon_identity_t  *id;

    value = cf->args->elts;

    if (!ngx_pylon_is_name(&value[1])) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid identity name \"%V\" in \"%V\" "
                           "directive", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_pylon_identity_find(pmcf, &value[1]) != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate identity \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    id = ngx_pylon_identity_add(cf, pmcf);
    if (id == NULL) {
        return NGX_CONF_ERROR;
    }

    id->name = value[1];
    id->netuid = NGX_ERROR;
    id->conf_file = cf->conf_file->file.name.data;
    id->line = cf->conf_file->line;

    for (i = 2; i < cf->args->nelts; i++) {

        v = value[i];

        if (ngx_strncmp(v.data, "wallet=", 7) == 0) {
            id->wallet.data = v.data + 7;
            id->wallet.len = v.len - 7;
            continue;
        }

        if (ngx_strncmp(v.data, "hotkey=", 7) == 0) {
            id->hotkey.data = v.data + 7;
            id->hotkey.len = v.len - 7;
            continue;
        }

        if (ngx_strncmp(v.data, "netuid=", 7) == 0) {
            id->netuid = ngx_atoi(v.data + 7, v.len - 7);
            if (id->netuid == NGX_ERROR || id->netuid > 65535) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid netuid \"%V\" in \"%V\" "
                                   "directive", &v, &cmd->name);
                return NGX_CONF_ERROR;
            }
            continue;
        }

        if (ngx_strncmp(v.data, "token=", 6) == 0
            || ngx_strncmp(v.data, "token_file=", 11) == 0)
        {
            if (id->token.data) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "duplicate token in \"%V\" directive",
                                   &cmd->name);
                return NGX_CONF_ERROR;
            }

            if (v.data[5] == '=') {
                v.data += 6;
                v.len -= 6;
            }

            rv = ngx_pylon_conf_token(cf, &v, &id->token,
                                      (char *) cmd->name.data);
            if (rv != NGX_CONF_OK) {
                return rv;
            }
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\" in \"%V\" directive",
                           &v, &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_pylon_identity_check(cf, id) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_pylon_identity_t *
ngx_pylon_identity_add(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    ngx_pylon_identity_t  *id;

    if (pmcf->identities == NULL) {
        pmcf->identities = ngx_array_create(cf->pool, 4,
                                            sizeof(ngx_pylon_identity_t));
        if (pmcf->identities == NULL) {
            return NULL;
        }
    }

    id = ngx_array_push(pmcf->identities);
    if (id == NULL) {
        return NULL;
    }

    ngx_memzero(id, sizeof(ngx_pylon_identity_t));
    id->netuid = NGX_ERROR;

    return id;
}


/* an identity, from a directive or a .env, is complete and well named */

ngx_int_t
ngx_pylon_identity_check(ngx_conf_t *cf, ngx_pylon_identity_t *id)
{
    if (!ngx_pylon_is_name(&id->name) || !ngx_pylon_is_name(&id->wallet)
        || !ngx_pylon_is_name(&id->hotkey) || id->netuid == NGX_ERROR)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "pylon identity \"%V\" in %s:%ui needs a name, "
                      "wallet=, hotkey= and netuid= (names: letters, "
                      "digits, \".\", \"_\" and \"-\")", &id->name,
                      id->conf_file, id->line);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * After the whole configuration: load every identity's hotkey from the
 * wallet path (as the master, at config time, also for nginx -t).
 */

ngx_int_t
ngx_pylon_identities_load(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    char                     err[PYLON_WALLET_ERR_MAX];
    u_char                  *wallet_path, *wallet, *hotkey;
    ngx_uint_t               i;
    ngx_pool_cleanup_t      *cln;
    ngx_pylon_identity_t    *id;
    pylon_sr25519_keypair_t *kp;

    if (pmcf->identities == NULL) {
        return NGX_OK;
    }

    wallet_path = ngx_pylon_strdup0(cf->pool, &pmcf->wallet_path);
    if (wallet_path == NULL) {
        return NGX_ERROR;
    }

    id = pmcf->identities->elts;

    for (i = 0; i < pmcf->identities->nelts; i++) {

        wallet = ngx_pylon_strdup0(cf->pool, &id[i].wallet);
        hotkey = ngx_pylon_strdup0(cf->pool, &id[i].hotkey);
        if (wallet == NULL || hotkey == NULL) {
            return NGX_ERROR;
        }

        kp = pylon_wallet_load_hotkey((char *) wallet_path, (char *) wallet,
                                      (char *) hotkey, NULL, err,
                                      sizeof(err));
        if (kp == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "pylon identity \"%V\" in %s:%ui: %s",
                          &id[i].name, id[i].conf_file, id[i].line, err);
            return NGX_ERROR;
        }

        cln = ngx_pool_cleanup_add(cf->pool, 0);
        if (cln == NULL) {
            pylon_sr25519_keypair_free(kp);
            return NGX_ERROR;
        }

        cln->handler = ngx_pylon_identity_cleanup;
        cln->data = &id[i];

        id[i].keypair = kp;
        ngx_memcpy(id[i].pub, kp->pub, 32);

        if (pylon_address_ss58_encode((char *) id[i].ss58, sizeof(id[i].ss58),
                                      kp->pub, 42) != 0)
        {
            return NGX_ERROR;
        }

        if (id[i].token.len == 0) {
            ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                          "pylon identity \"%V\" in %s:%ui has no token: "
                          "anyone who can reach this server can write "
                          "with it", &id[i].name, id[i].conf_file,
                          id[i].line);
        }
    }

    return NGX_OK;
}


static void
ngx_pylon_identity_cleanup(void *data)
{
    ngx_pylon_identity_t  *id = data;

    pylon_sr25519_keypair_free(id->keypair);
    id->keypair = NULL;
}


/* workers never hold secrets: wipe the copies inherited from the master */

void
ngx_pylon_identities_wipe(ngx_pylon_main_conf_t *pmcf)
{
    ngx_uint_t             i;
    ngx_pylon_identity_t  *id;

    if (pmcf->identities == NULL) {
        return;
    }

    id = pmcf->identities->elts;

    for (i = 0; i < pmcf->identities->nelts; i++) {
        pylon_sr25519_keypair_free(id[i].keypair);
        id[i].keypair = NULL;
    }
}


static u_char *
ngx_pylon_strdup0(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';

    return p;
}

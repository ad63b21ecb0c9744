/*
 * ngx_pylon_envfile.c: pylon_env_file PATH, for moving from Pylon.
 *
 * The master reads Pylon's .env (python-dotenv syntax, PYLON_* names as
 * pydantic-settings reads them; src/bittensor/envfile.h) at config time.
 * Whatever the file sets fills in what no directive set: directives win,
 * so a migration can start from the file and override settings one by
 * one.  Identities come in as if declared with pylon_identity.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/envfile.h"


static void ngx_pylon_env_cleanup(void *data);
static ngx_int_t ngx_pylon_env_str(ngx_conf_t *cf, ngx_str_t *dst,
    const char *src);
static ngx_int_t ngx_pylon_check_pairs(ngx_conf_t *cf,
    ngx_pylon_main_conf_t *pmcf);


char *
ngx_pylon_env_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    char                 err[PYLON_ENV_ERR_BYTES];
    ngx_str_t           *value, path;
    pylon_env_t         *env;
    ngx_pool_cleanup_t  *cln;

    if (pmcf->env) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    env = ngx_pcalloc(cf->pool, sizeof(pylon_env_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (env == NULL || cln == NULL) {
        return NGX_CONF_ERROR;
    }

    if (pylon_env_load(env, err, (char *) path.data, NULL) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid .env file in \"%V\" directive: %s",
                           &cmd->name, err);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_pylon_env_cleanup;
    cln->data = env;

    pmcf->env = env;
    pmcf->env_file = cf->conf_file->file.name.data;
    pmcf->env_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static void
ngx_pylon_env_cleanup(void *data)
{
    pylon_env_free(data);
}


/*
 * From init_main_conf, before the defaults: settings the file has and no
 * directive set.
 */

ngx_int_t
ngx_pylon_env_apply(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    size_t                 i;
    ngx_int_t             *n;
    ngx_str_t              s;
    pylon_env_t           *env;
    ngx_pylon_identity_t  *id;
    pylon_env_identity_t  *eid;

    if (ngx_pylon_check_pairs(cf, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    env = pmcf->env;

    if (env == NULL) {
        return NGX_OK;
    }

    if (env->tempo_line) {
        ngx_log_error(NGX_LOG_NOTICE, cf->log, 0,
                      "pylon: PYLON_TEMPO of \"pylon_env_file\" in %s:%ui "
                      "is ignored: Pylon v2 reads the tempo from the chain",
                      pmcf->env_file, pmcf->env_line);
    }

    if (pmcf->block_duration == NGX_CONF_UNSET_MSEC) {
        pmcf->block_duration = (ngx_msec_t) (env->block_duration * 1000);

        if (pmcf->block_duration == 0) {
            pmcf->block_duration = 1;
        }
    }

    if (pmcf->weights_window == NGX_CONF_UNSET && env->window_set) {
        pmcf->weights_window = 1;
        pmcf->window_offset = env->window_offset;
        pmcf->window_buffer = env->window_buffer;
        pmcf->window_cycle = env->window_cycle;
    }

    if (pmcf->network.url.len == 0 && env->network) {
        s.data = (u_char *) env->network;
        s.len = ngx_strlen(env->network);

        if (ngx_pylon_parse_node(cf, &s, &pmcf->network) != NGX_OK) {
            goto invalid_network;
        }
    }

    if (pmcf->archive.url.len == 0 && env->archive_network) {
        s.data = (u_char *) env->archive_network;
        s.len = ngx_strlen(env->archive_network);

        if (ngx_pylon_parse_node(cf, &s, &pmcf->archive) != NGX_OK) {
            goto invalid_network;
        }
    }

    if (pmcf->archive_cutoff == NGX_CONF_UNSET_UINT) {
        pmcf->archive_cutoff = env->archive_cutoff;
    }

    /* EVM nodes (PYLON_EVM_*): only when the .env names them */
    if (pmcf->evm_network.url.len == 0 && env->evm_rpc_url
        && env->evm_rpc_url[0])
    {
        s.data = (u_char *) env->evm_rpc_url;
        s.len = ngx_strlen(env->evm_rpc_url);

        if (ngx_pylon_parse_node(cf, &s, &pmcf->evm_network) != NGX_OK) {
            goto invalid_network;
        }
    }

    if (pmcf->evm_archive.url.len == 0 && env->evm_archive_rpc_url
        && env->evm_archive_rpc_url[0])
    {
        s.data = (u_char *) env->evm_archive_rpc_url;
        s.len = ngx_strlen(env->evm_archive_rpc_url);

        if (ngx_pylon_parse_node(cf, &s, &pmcf->evm_archive) != NGX_OK) {
            goto invalid_network;
        }
    }

    if (pmcf->evm_archive_cutoff == NGX_CONF_UNSET_UINT) {
        pmcf->evm_archive_cutoff = env->evm_archive_cutoff;
    }

    if (pmcf->wallet_path.data == NULL && env->wallet_path
        && ngx_pylon_env_str(cf, &pmcf->wallet_path, env->wallet_path)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (pmcf->open_token.data == NULL && env->open_access_token
        && env->open_access_token[0]
        && ngx_pylon_env_str(cf, &pmcf->open_token, env->open_access_token)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!pmcf->metrics_token_set && env->metrics_token
        && env->metrics_token[0])
    {
        if (ngx_pylon_env_str(cf, &pmcf->metrics_token, env->metrics_token)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        pmcf->metrics_token_set = 1;
    }

    if (pmcf->weights_retry.attempts == NGX_CONF_UNSET_UINT) {
        pmcf->weights_retry.attempts = env->weights_retry_attempts;
        pmcf->weights_retry.delay = env->weights_retry_delay * 1000;
    }

    if (pmcf->commitment_retry.attempts == NGX_CONF_UNSET_UINT) {
        pmcf->commitment_retry.attempts = env->commitment_retry_attempts;
        pmcf->commitment_retry.delay = env->commitment_retry_delay * 1000;
    }

    if (pmcf->timeout == NGX_CONF_UNSET_MSEC) {
        pmcf->timeout = (ngx_msec_t) (env->default_timeout * 1000);
        pmcf->timeout_max = (ngx_msec_t) (env->max_timeout * 1000);
    }

    if (pmcf->recent_soft == NGX_CONF_UNSET_UINT
        && pmcf->recent_hard == NGX_CONF_UNSET_UINT
        && pmcf->recent_lead == NGX_CONF_UNSET_UINT)
    {
        pmcf->recent_soft = env->recent_soft;
        pmcf->recent_hard = env->recent_hard;
        pmcf->recent_lead = env->recent_lead;
    }

    if (pmcf->netuids == NULL && env->nnetuids) {
        pmcf->netuids = ngx_array_create(cf->pool, env->nnetuids,
                                         sizeof(ngx_int_t));
        if (pmcf->netuids == NULL) {
            return NGX_ERROR;
        }

        for (i = 0; i < env->nnetuids; i++) {
            n = ngx_array_push(pmcf->netuids);
            if (n == NULL) {
                return NGX_ERROR;
            }
            *n = env->netuids[i];
        }
    }

    for (i = 0; i < env->nidentities; i++) {
        eid = &env->identities[i];

        s.data = (u_char *) eid->name;
        s.len = ngx_strlen(eid->name);

        if (ngx_pylon_identity_find(pmcf, &s) != NULL) {
            continue;                          /* the directive wins */
        }

        id = ngx_pylon_identity_add(cf, pmcf);
        if (id == NULL) {
            return NGX_ERROR;
        }

        id->netuid = eid->netuid;
        id->conf_file = pmcf->env_file;
        id->line = pmcf->env_line;

        if (ngx_pylon_env_str(cf, &id->name, eid->name) != NGX_OK
            || ngx_pylon_env_str(cf, &id->wallet, eid->wallet_name) != NGX_OK
            || ngx_pylon_env_str(cf, &id->hotkey, eid->hotkey_name) != NGX_OK
            || (eid->token && eid->token[0]
                && ngx_pylon_env_str(cf, &id->token, eid->token) != NGX_OK))
        {
            return NGX_ERROR;
        }

        if (ngx_pylon_identity_check(cf, id) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;

invalid_network:

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "\"pylon_env_file\" in %s:%ui: invalid network \"%V\"",
                  pmcf->env_file, pmcf->env_line, &s);
    return NGX_ERROR;
}


static ngx_int_t
ngx_pylon_env_str(ngx_conf_t *cf, ngx_str_t *dst, const char *src)
{
    if (src == NULL) {
        return NGX_ERROR;
    }

    dst->len = ngx_strlen(src);
    dst->data = ngx_pnalloc(cf->pool, dst->len + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, dst->len + 1);

    return NGX_OK;
}


/*
 * Pylon 2.3.0's startup check (spec/pylon-v2.md §8.3), on the directives
 * and the .env together: the main node and the archive node are both
 * left at their defaults or both set explicitly (repeating a default
 * value counts as explicit).
 */

static ngx_int_t
ngx_pylon_check_pairs(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    ngx_uint_t    net, arc;
    const char   *provided, *missing;
    pylon_env_t  *env;

    env = pmcf->env;

    net = (pmcf->network.url.len != 0) || (env && env->network_set);
    arc = (pmcf->archive.url.len != 0) || (env && env->archive_network_set);

    if (net == arc) {
        return NGX_OK;
    }

    if (net) {
        provided = pmcf->network.url.len ? "\"pylon_network\""
                                         : "PYLON_BITTENSOR_NETWORK";
        missing = "\"pylon_archive_network\"";

    } else {
        provided = pmcf->archive.url.len ? "\"pylon_archive_network\""
                                         : "PYLON_BITTENSOR_ARCHIVE_NETWORK";
        missing = "\"pylon_network\"";
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "%s was overridden but %s was left at its default. "
                       "Set both explicitly (you may repeat the default "
                       "value, but it must be explicit).", provided,
                       missing);

    return NGX_ERROR;
}

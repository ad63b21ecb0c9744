/*
 * Copyright (C) ngx_pylon authors
 *
 * ngx_pylon: Bittensor Pylon's v1 API as an nginx module.  This file holds
 * the module definition, its directives and configuration, and the init
 * hooks; the work is done in src/ (http: workers answering requests from
 * the cache; helper: the process that follows the chain and fills it).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_pylon.h"
#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_metrics.h"
#include "helper/ngx_pylon_helper.h"
#include "http/ngx_pylon_cachecheck.h"

#include <sodium.h>


#define NGX_PYLON_DEFAULT_MAX_SIZE   (1024 * 1024 * 1024)
#define NGX_PYLON_MIN_MAX_SIZE       (1024 * 1024)


typedef struct {
    ngx_str_t    name;
    char        *url;
} ngx_pylon_alias_t;


static ngx_int_t ngx_pylon_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_pylon_postconfiguration(ngx_conf_t *cf);
static void *ngx_pylon_create_main_conf(ngx_conf_t *cf);
static char *ngx_pylon_weights_window(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_pylon_create_loc_conf(ngx_conf_t *cf);
static char *ngx_pylon_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_pylon_error_pages(ngx_conf_t *cf);
static char *ngx_pylon_subnet(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_network(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_netuids(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_retry(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_conf_recent(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_request_timeout(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_pylon_storage_every(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_pylon_init_process(ngx_cycle_t *cycle);
static void ngx_pylon_exit_process(ngx_cycle_t *cycle);


/*
 * What nginx itself may answer inside a pylon location.  Not 401 and 403:
 * access checks (deny, auth_request) run again on the redirect and would
 * refuse the error page too.
 */
static ngx_int_t  ngx_pylon_error_codes[] = {
    NGX_HTTP_BAD_REQUEST, NGX_HTTP_REQUEST_TIME_OUT,
    NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, NGX_HTTP_TOO_MANY_REQUESTS,
    NGX_HTTP_INTERNAL_SERVER_ERROR,
    NGX_HTTP_BAD_GATEWAY, NGX_HTTP_SERVICE_UNAVAILABLE,
    NGX_HTTP_GATEWAY_TIME_OUT, 0
};


static ngx_pylon_alias_t  ngx_pylon_aliases[] = {
    { ngx_string("finney"), "wss://entrypoint-finney.opentensor.ai:443" },
    { ngx_string("archive"), "wss://archive.chain.opentensor.ai:443" },
    { ngx_string("test"), "wss://test.finney.opentensor.ai:443" },
    { ngx_string("local"), "ws://127.0.0.1:9944" },
    { ngx_null_string, NULL }
};


static ngx_command_t  ngx_pylon_commands[] = {

    { ngx_string("pylon_subnet"),
      NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_pylon_subnet,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_pylon_loc_conf_t, subnet),
      NULL },

    { ngx_string("pylon_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_pylon_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_network"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pylon_network,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, network),
      NULL },

    { ngx_string("pylon_archive_network"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pylon_network,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, archive),
      NULL },

    { ngx_string("pylon_archive_cutoff"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, archive_cutoff),
      NULL },

    { ngx_string("pylon_wallet_path"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, wallet_path),
      NULL },

    { ngx_string("pylon_identity"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_pylon_identity,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_open_access_token"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pylon_open_access_token,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_netuids"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_pylon_netuids,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_weights_retry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_pylon_retry,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, weights_retry),
      NULL },

    { ngx_string("pylon_commitment_retry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_pylon_retry,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, commitment_retry),
      NULL },

    { ngx_string("pylon_recent_neurons"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_pylon_conf_recent,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_env_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pylon_env_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_request_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pylon_request_timeout,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_gzip"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, gzip),
      NULL },

    /* commitments and certificates of a head round: every N blocks */
    { ngx_string("pylon_storage_every"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pylon_storage_every,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_metrics_token"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pylon_metrics_token,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pylon_block_duration"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, block_duration),
      NULL },

    { ngx_string("pylon_weights_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_ANY,
      ngx_pylon_weights_window,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    /* EVM JSON-RPC nodes and limits (src/http/ngx_pylon_evm_conf.c) */
    { ngx_string("pylon_evm_network"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pylon_network,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, evm_network),
      NULL },

    { ngx_string("pylon_evm_archive_network"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pylon_network,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, evm_archive),
      NULL },

    { ngx_string("pylon_evm_archive_cutoff"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pylon_main_conf_t, evm_archive_cutoff),
      NULL },

    { ngx_string("pylon_evm_limits"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_pylon_evm_limits,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_pylon_module_ctx = {
    ngx_pylon_preconfiguration,            /* preconfiguration */
    ngx_pylon_postconfiguration,           /* postconfiguration */

    ngx_pylon_create_main_conf,            /* create main configuration */
    ngx_pylon_init_main_conf,              /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_pylon_create_loc_conf,             /* create location configuration */
    ngx_pylon_merge_loc_conf               /* merge location configuration */
};


ngx_module_t  ngx_pylon_module = {
    NGX_MODULE_V1,
    &ngx_pylon_module_ctx,                 /* module context */
    ngx_pylon_commands,                    /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_pylon_cachecheck_init_module,      /* init module */
    ngx_pylon_init_process,                /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_pylon_exit_process,                /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_pylon_create_main_conf(ngx_conf_t *cf)
{
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_pylon_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    pmcf->cache_max_size = NGX_CONF_UNSET_SIZE;
    pmcf->cache_jobs_size = NGX_CONF_UNSET_SIZE;
    pmcf->archive_cutoff = NGX_CONF_UNSET_UINT;
    pmcf->weights_retry.attempts = NGX_CONF_UNSET_UINT;
    pmcf->commitment_retry.attempts = NGX_CONF_UNSET_UINT;
    pmcf->recent_soft = NGX_CONF_UNSET_UINT;
    pmcf->recent_hard = NGX_CONF_UNSET_UINT;
    pmcf->recent_lead = NGX_CONF_UNSET_UINT;
    pmcf->timeout = NGX_CONF_UNSET_MSEC;
    pmcf->timeout_max = NGX_CONF_UNSET_MSEC;
    pmcf->block_duration = NGX_CONF_UNSET_MSEC;
    pmcf->weights_window = NGX_CONF_UNSET;
    pmcf->evm_archive_cutoff = NGX_CONF_UNSET_UINT;
    pmcf->evm_max_range = NGX_CONF_UNSET_UINT;
    pmcf->evm_max_abi = NGX_CONF_UNSET_SIZE;
    pmcf->evm_max_logs = NGX_CONF_UNSET_UINT;
    pmcf->gzip = NGX_CONF_UNSET;
    pmcf->storage_every = NGX_CONF_UNSET;

    return pmcf;
}


static char *
ngx_pylon_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_str_t  finney = ngx_string("finney");
    ngx_str_t  archive = ngx_string("archive");

    /* a Pylon .env fills in what no directive set; main and archive
     * nodes are both set or both left at their defaults (Pylon v2) */
    if (ngx_pylon_env_apply(cf, pmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (pmcf->network.url.len == 0
        && ngx_pylon_parse_node(cf, &finney, &pmcf->network) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (pmcf->archive.url.len == 0
        && ngx_pylon_parse_node(cf, &archive, &pmcf->archive) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_uint_value(pmcf->archive_cutoff, 300);

    if (ngx_pylon_evm_conf_init(cf, pmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_value(pmcf->gzip, 1);
    ngx_conf_init_value(pmcf->storage_every, 1);
    ngx_conf_init_size_value(pmcf->cache_max_size,
                             NGX_PYLON_DEFAULT_MAX_SIZE);
    ngx_conf_init_size_value(pmcf->cache_jobs_size,
                             ngx_max(pmcf->cache_max_size / 8,
                                     NGX_PYLON_MIN_MAX_SIZE));

    if (pmcf->wallet_path.data == NULL) {
        ngx_str_set(&pmcf->wallet_path, "/root/.bittensor/wallets");
    }

    if (pmcf->weights_retry.attempts == NGX_CONF_UNSET_UINT) {
        pmcf->weights_retry.attempts = 200;
        pmcf->weights_retry.delay = 1000;
    }

    if (pmcf->commitment_retry.attempts == NGX_CONF_UNSET_UINT) {
        pmcf->commitment_retry.attempts = 10;
        pmcf->commitment_retry.delay = 1000;
    }

    ngx_conf_init_uint_value(pmcf->recent_soft, 100);
    ngx_conf_init_uint_value(pmcf->recent_hard, 150);
    ngx_conf_init_uint_value(pmcf->recent_lead, 10);

    if (pmcf->recent_soft > pmcf->recent_hard) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pylon_recent_neurons\" soft=%ui is above "
                           "hard=%ui", pmcf->recent_soft, pmcf->recent_hard);
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_msec_value(pmcf->block_duration, 12000);
    ngx_conf_init_uint_value(pmcf->evm_archive_cutoff, 300);

    if (pmcf->block_duration == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pylon_block_duration\" must be above 0");
        return NGX_CONF_ERROR;
    }

    if (pmcf->weights_window == NGX_CONF_UNSET) {
        pmcf->weights_window = 0;
    }

    if (!pmcf->weights_window) {
        pmcf->window_cycle = 0;        /* the writer's "no window" */
    }

    ngx_conf_init_msec_value(pmcf->timeout, 60000);
    ngx_conf_init_msec_value(pmcf->timeout_max, 300000);

    /* sessions signed with a key of this configuration: reload rotates */
    randombytes_buf(pmcf->session_key, sizeof(pmcf->session_key));

    if (ngx_pylon_identities_load(cf, pmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_pylon_create_loc_conf(ngx_conf_t *cf)
{
    ngx_pylon_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_pylon_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    plcf->subnet = NGX_CONF_UNSET;

    return plcf;
}


static char *
ngx_pylon_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_pylon_loc_conf_t *prev = parent;
    ngx_pylon_loc_conf_t *conf = child;

    ngx_http_core_loc_conf_t  *clcf;

    ngx_conf_merge_value(conf->subnet, prev->subnet, 0);

    if (conf->subnet == 1 && ngx_pylon_error_pages(cf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (conf->subnet == 1) {
        /* a body we accept stays in memory: never a blocking file read */
        clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

        if (clcf->client_max_body_size > 0
            && (size_t) clcf->client_max_body_size
               > clcf->client_body_buffer_size)
        {
            clcf->client_body_buffer_size =
                (size_t) clcf->client_max_body_size;
        }
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_pylon_preconfiguration(ngx_conf_t *cf)
{
    if (sodium_init() < 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "pylon: libsodium failed to initialise");
        return NGX_ERROR;
    }

    return ngx_pylon_add_variables(cf);
}


/*
 * Errors nginx itself answers in a pylon location (413 from
 * client_max_body_size, 503 or 429 from limit_req, ...)
 * go out in Pylon's envelope too: unless the location has error_page of
 * its own, they are redirected to "<location>__pylon_error", which the
 * handler answers from r->err_status.  Prefix locations only.
 */

static ngx_int_t
ngx_pylon_error_pages(ngx_conf_t *cf)
{
    u_char                            *p;
    ngx_int_t                         *code;
    ngx_str_t                          uri;
    ngx_http_err_page_t               *err;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_compile_complex_value_t   ccv;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->error_pages || clcf->named || clcf->exact_match
        || clcf->noname || clcf->name.len == 0
#if (NGX_PCRE)
        || clcf->regex
#endif
        || clcf->name.data[0] != '/')
    {
        return NGX_OK;
    }

    uri.len = clcf->name.len + sizeof("__pylon_error") - 1
              + (clcf->name.data[clcf->name.len - 1] != '/');
    uri.data = ngx_pnalloc(cf->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(uri.data, clcf->name.data, clcf->name.len);
    if (p[-1] != '/') {
        *p++ = '/';
    }
    ngx_memcpy(p, "__pylon_error", sizeof("__pylon_error") - 1);

    clcf->error_pages = ngx_array_create(cf->pool, 10,
                                         sizeof(ngx_http_err_page_t));
    if (clcf->error_pages == NULL) {
        return NGX_ERROR;
    }

    for (code = ngx_pylon_error_codes; *code; code++) {
        err = ngx_array_push(clcf->error_pages);
        if (err == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(err, sizeof(ngx_http_err_page_t));
        err->status = *code;
        err->overwrite = -1;

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));
        ccv.cf = cf;
        ccv.value = &uri;
        ccv.complex_value = &err->value;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_postconfiguration(ngx_conf_t *cf)
{
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_pylon_module);

    if (pmcf->enabled && pmcf->cache_dir.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"pylon_subnet\" in %V:%ui requires \"pylon_cache\" "
                      "in the http block", &pmcf->conf_file,
                      pmcf->conf_line);
        return NGX_ERROR;
    }

    if (ngx_pylon_metrics_init_conf(cf, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* pylon_subnet on|off: serve the Pylon routes from this location */

static char *
ngx_pylon_subnet(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_loc_conf_t *plcf = conf;

    char                      *rv;
    ngx_pylon_main_conf_t     *pmcf;
    ngx_http_core_loc_conf_t  *clcf;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (!plcf->subnet) {
        return NGX_CONF_OK;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_pylon_http_handler;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_pylon_module);

    if (!pmcf->enabled) {
        pmcf->enabled = 1;
        pmcf->conf_file = cf->conf_file->file.name;
        pmcf->conf_line = cf->conf_file->line;
    }

    return NGX_CONF_OK;
}


/*
 * pylon_cache DIR [max_size=SIZE] [jobs_size=SIZE]: the LMDB cache and
 * the helper's home; the job queue has its own map of jobs_size (default
 * max_size/8, at least 1m) next to the chain data's
 */

static char *
ngx_pylon_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    off_t        size;
    size_t      *field;
    ngx_str_t   *value, s, name;
    ngx_uint_t   i;
    ngx_path_t  *path;

    if (pmcf->cache_dir.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "max_size=", 9) == 0) {
            ngx_str_set(&name, "max_size");
            field = &pmcf->cache_max_size;

        } else if (ngx_strncmp(value[i].data, "jobs_size=", 10) == 0) {
            ngx_str_set(&name, "jobs_size");
            field = &pmcf->cache_jobs_size;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive", &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        s.data = value[i].data + name.len + 1;
        s.len = value[i].len - name.len - 1;

        size = ngx_parse_offset(&s);

        if (size == NGX_ERROR || size < NGX_PYLON_MIN_MAX_SIZE) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid %V \"%V\" in \"%V\" "
                               "directive, at least 1m is needed",
                               &name, &s, &cmd->name);
            return NGX_CONF_ERROR;
        }

        *field = size;
    }

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty directory in \"%V\" directive",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    pmcf->cache_dir = value[1];

    if (ngx_conf_full_name(cf->cycle, &pmcf->cache_dir, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /*
     * The path's manager callback makes the master spawn, respawn and
     * replace our helper as its "cache manager" process; the path itself
     * is created 0700 and owned by the worker user.
     */

    path = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (path == NULL) {
        return NGX_CONF_ERROR;
    }

    path->name = pmcf->cache_dir;
    path->manager = ngx_pylon_helper_manager;
    path->data = pmcf;
    path->conf_file = cf->conf_file->file.name.data;
    path->line = cf->conf_file->line;

    if (ngx_add_path(cf, &path) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    pmcf->cache_path = path;

    return NGX_CONF_OK;
}


/* pylon_network / pylon_archive_network URL|ALIAS [ca=FILE] */

static char *
ngx_pylon_network(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t         *value, ca;
    ngx_pylon_node_t  *node;

    node = (ngx_pylon_node_t *) (p + cmd->offset);

    if (node->url.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_pylon_parse_node(cf, &value[1], node) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid node \"%V\" in \"%V\" directive: use "
                           "ws://HOST[:PORT][/PATH], wss://..., finney, "
                           "archive, test or local", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 3) {

        if (ngx_strncmp(value[2].data, "ca=", 3) != 0 || value[2].len == 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive", &value[2], &cmd->name);
            return NGX_CONF_ERROR;
        }

        ca.data = value[2].data + 3;
        ca.len = value[2].len - 3;

        if (ngx_conf_full_name(cf->cycle, &ca, 1) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        if (ngx_strncmp(node->url.data, "wss://", 6) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"ca=\" needs a wss:// node in \"%V\" "
                               "directive", &cmd->name);
            return NGX_CONF_ERROR;
        }

        node->ca = ca;
    }

    return NGX_CONF_OK;
}


/*
 * Resolves an alias or checks a ws(s):// URL (http(s):// is accepted and
 * turned into ws(s)://, as Pylon does).  The result is NUL-terminated.
 */

ngx_int_t
ngx_pylon_parse_node(ngx_conf_t *cf, ngx_str_t *value,
    ngx_pylon_node_t *node)
{
    u_char             *p, *host, *end, *last;
    size_t              skip;
    ngx_int_t           port;
    ngx_str_t           url;
    const char         *scheme;
    ngx_pylon_alias_t  *a;

    node->name = *value;

    for (a = ngx_pylon_aliases; a->url; a++) {
        if (value->len == a->name.len
            && ngx_strncmp(value->data, a->name.data, a->name.len) == 0)
        {
            node->url.data = (u_char *) a->url;
            node->url.len = ngx_strlen(a->url);
            return NGX_OK;
        }
    }

    p = value->data;
    last = p + value->len;

    if (value->len > 6 && ngx_strncasecmp(p, (u_char *) "wss://", 6) == 0) {
        scheme = "wss://"; skip = 6;

    } else if (value->len > 5
               && ngx_strncasecmp(p, (u_char *) "ws://", 5) == 0)
    {
        scheme = "ws://"; skip = 5;

    } else if (value->len > 8
               && ngx_strncasecmp(p, (u_char *) "https://", 8) == 0)
    {
        scheme = "wss://"; skip = 8;

    } else if (value->len > 7
               && ngx_strncasecmp(p, (u_char *) "http://", 7) == 0)
    {
        scheme = "ws://"; skip = 7;

    } else {
        return NGX_ERROR;
    }

    host = p + skip;

    for (end = host; end < last && *end != '/'; end++) {
        if (*end <= ' ' || *end == '@' || *end == '?' || *end == '#') {
            return NGX_ERROR;
        }
    }

    if (end == host) {
        return NGX_ERROR;
    }

    /* an optional port after the last ':' (not inside [IPv6]) */

    for (p = end - 1; p > host && *p != ':' && *p != ']'; p--) {
        /* void */
    }

    if (*p == ':') {
        port = ngx_atoi(p + 1, end - p - 1);
        if (port < 1 || port > 65535 || p == host) {
            return NGX_ERROR;
        }
    }

    for (p = end; p < last; p++) {
        if (*p <= ' ') {
            return NGX_ERROR;
        }
    }

    url.len = ngx_strlen(scheme) + (last - host);
    url.data = ngx_pnalloc(cf->pool, url.len + 1);
    if (url.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url.data, scheme, ngx_strlen(scheme));
    p = ngx_cpymem(p, host, last - host);
    *p = '\0';

    node->url = url;

    return NGX_OK;
}


/* pylon_netuids N...: subnets kept fresh every block */

static char *
ngx_pylon_netuids(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_int_t   *n;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (pmcf->netuids || pmcf->netuids_all) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* pylon_netuids all: every subnet on the chain (helper/subnets.c) */
    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "all") == 0) {
        pmcf->netuids_all = 1;
        return NGX_CONF_OK;
    }

    pmcf->netuids = ngx_array_create(cf->pool, cf->args->nelts,
                                     sizeof(ngx_int_t));
    if (pmcf->netuids == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        n = ngx_array_push(pmcf->netuids);
        if (n == NULL) {
            return NGX_CONF_ERROR;
        }

        *n = ngx_atoi(value[i].data, value[i].len);

        if (*n == NGX_ERROR || *n > 65535) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid netuid \"%V\" in \"%V\" directive",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* pylon_weights_retry / pylon_commitment_retry ATTEMPTS DELAY */

static char *
ngx_pylon_retry(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_int_t           n;
    ngx_msec_t          delay;
    ngx_str_t          *value;
    ngx_pylon_retry_t  *retry;

    retry = (ngx_pylon_retry_t *) (p + cmd->offset);

    if (retry->attempts != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid attempts \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    delay = ngx_parse_time(&value[2], 0);
    if (delay == (ngx_msec_t) NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid delay \"%V\" in \"%V\" directive",
                           &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    retry->attempts = n;
    retry->delay = delay;

    return NGX_CONF_OK;
}


/* pylon_recent_neurons soft=B hard=B lead=B */

static char *
ngx_pylon_conf_recent(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value, v;
    ngx_uint_t   i, *slot;

    if (pmcf->recent_soft != NGX_CONF_UNSET_UINT
        || pmcf->recent_hard != NGX_CONF_UNSET_UINT
        || pmcf->recent_lead != NGX_CONF_UNSET_UINT)
    {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "soft=", 5) == 0) {
            slot = &pmcf->recent_soft;

        } else if (ngx_strncmp(value[i].data, "hard=", 5) == 0) {
            slot = &pmcf->recent_hard;

        } else if (ngx_strncmp(value[i].data, "lead=", 5) == 0) {
            slot = &pmcf->recent_lead;

        } else {
            goto invalid;
        }

        v.data = value[i].data + 5;
        v.len = value[i].len - 5;

        n = ngx_atoi(v.data, v.len);
        if (n == NGX_ERROR || *slot != NGX_CONF_UNSET_UINT) {
            goto invalid;
        }

        *slot = n;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\" directive",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


/* pylon_request_timeout DEFAULT [MAX] */

static char *
ngx_pylon_request_timeout(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_str_t   *value;
    ngx_msec_t   t, max;

    if (pmcf->timeout != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    t = ngx_parse_time(&value[1], 0);
    max = 300000;

    if (cf->args->nelts == 3) {
        max = ngx_parse_time(&value[2], 0);
    }

    if (t == (ngx_msec_t) NGX_ERROR || max == (ngx_msec_t) NGX_ERROR
        || t == 0 || t > max)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid timeouts in \"%V\" directive: DEFAULT "
                           "and MAX are times, 0 < DEFAULT <= MAX",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    pmcf->timeout = t;
    pmcf->timeout_max = max;

    return NGX_CONF_OK;
}


/* pylon_storage_every N: blocks, 1 or more (1: every head) */

static char *
ngx_pylon_storage_every(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (pmcf->storage_every != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n == NGX_ERROR || n < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive: a "
                           "number of blocks, 1 or more", &value[1],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    pmcf->storage_every = n;

    return NGX_CONF_OK;
}


/*
 * pylon_weights_window [offset=B] [buffer=B] [cycle=N] | off: Pylon v0's
 * commit window (PYLON_COMMIT_WINDOW_START_OFFSET, _END_BUFFER,
 * PYLON_COMMIT_CYCLE_LENGTH): weights go out only inside [epoch start +
 * offset, epoch end - buffer] of every cycle-th epoch.  Off when absent;
 * a parameter left out takes Pylon's default (180, 10, 3).
 */

static char *
ngx_pylon_weights_window(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_uint_t   i, *slot;

    if (pmcf->weights_window != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        pmcf->weights_window = 0;
        return NGX_CONF_OK;
    }

    pmcf->weights_window = 1;
    pmcf->window_offset = 180;
    pmcf->window_buffer = 10;
    pmcf->window_cycle = 3;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "offset=", 7) == 0) {
            slot = &pmcf->window_offset;
            n = ngx_atoi(value[i].data + 7, value[i].len - 7);

        } else if (ngx_strncmp(value[i].data, "buffer=", 7) == 0) {
            slot = &pmcf->window_buffer;
            n = ngx_atoi(value[i].data + 7, value[i].len - 7);

        } else if (ngx_strncmp(value[i].data, "cycle=", 6) == 0) {
            slot = &pmcf->window_cycle;
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (n == 0) {
                n = NGX_ERROR;
            }

        } else {
            n = NGX_ERROR;
            slot = NULL;
        }

        if (n == NGX_ERROR || n > 1000000) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive: use offset=BLOCKS buffer=BLOCKS "
                               "cycle=EPOCHS (cycle above 0)",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        *slot = n;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_pylon_init_process(ngx_cycle_t *cycle)
{
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_pylon_module);

    if (pmcf == NULL || pmcf->cache_dir.len == 0) {
        return NGX_OK;
    }

    /*
     * init_process also runs in the cache manager and loader processes;
     * the helper starts from the path manager callback, never from here.
     */

    if (ngx_process == NGX_PROCESS_SINGLE) {
        ngx_pylon_helper_fork_single(cycle, pmcf);
    }

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    /* workers never hold wallet secrets */
    ngx_pylon_identities_wipe(pmcf);

    return ngx_pylon_http_init_worker(cycle, pmcf);
}


static void
ngx_pylon_exit_process(ngx_cycle_t *cycle)
{
    if (ngx_process == NGX_PROCESS_WORKER
        || ngx_process == NGX_PROCESS_SINGLE)
    {
        ngx_pylon_http_exit_worker(cycle);
    }
}


/* the identity of that name, for workers and the helper alike */

ngx_pylon_identity_t *
ngx_pylon_identity_find(ngx_pylon_main_conf_t *pmcf, ngx_str_t *name)
{
    ngx_uint_t             i;
    ngx_pylon_identity_t  *id;

    if (pmcf->identities == NULL) {
        return NULL;
    }

    id = pmcf->identities->elts;

    for (i = 0; i < pmcf->identities->nelts; i++) {
        if (id[i].name.len == name->len
            && ngx_strncmp(id[i].name.data, name->data, name->len) == 0)
        {
            return &id[i];
        }
    }

    return NULL;
}

/*
 * ngx_pylon_evm_conf.c: the EVM directives.
 *
 *   pylon_evm_network URL [ca=FILE]           main EVM JSON-RPC node
 *   pylon_evm_archive_network URL [ca=FILE]   archive EVM node
 *   pylon_evm_archive_cutoff N                blocks behind head (300)
 *   pylon_evm_limits [range=N] [abi=SIZE] [logs=N]
 *                                             caps of one logs request:
 *                                             block range (10000), request
 *                                             body (256k), logs (10000)
 *
 * URLs are http://, https://, ws:// or wss:// (http(s) is spoken as
 * WebSocket on the same host and port, as substrate/Frontier nodes serve
 * both; https/wss verify the certificate).  The two nodes form a pair
 * (Pylon 2.3.0, spec/pylon-v2.md §8.3): setting one without the other is
 * refused at `nginx -t`.  Neither set: the EVM route answers 503.
 */

#include "http/ngx_pylon_http.h"


#define NGX_PYLON_EVM_MAX_RANGE  10000
#define NGX_PYLON_EVM_MAX_ABI    (256 * 1024)
#define NGX_PYLON_EVM_MAX_LOGS   10000


char *
ngx_pylon_evm_limits(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    ssize_t     size;
    ngx_int_t   n;
    ngx_str_t  *value, v;
    ngx_uint_t  i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "range=", 6) == 0) {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);
            if (n <= 0) {
                goto invalid;
            }
            pmcf->evm_max_range = (ngx_uint_t) n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "logs=", 5) == 0) {
            n = ngx_atoi(value[i].data + 5, value[i].len - 5);
            if (n <= 0) {
                goto invalid;
            }
            pmcf->evm_max_logs = (ngx_uint_t) n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "abi=", 4) == 0) {
            v.data = value[i].data + 4;
            v.len = value[i].len - 4;
            size = ngx_parse_size(&v);
            if (size <= 0) {
                goto invalid;
            }
            pmcf->evm_max_abi = (size_t) size;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\" directive: use "
                       "range=N, abi=SIZE or logs=N", &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


ngx_int_t
ngx_pylon_evm_conf_init(ngx_conf_t *cf, ngx_pylon_main_conf_t *pmcf)
{
    ngx_uint_t  main, archive;

    main = pmcf->evm_network.url.len != 0;
    archive = pmcf->evm_archive.url.len != 0;

    if (main != archive) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" was set but \"%s\" was left at its "
                           "default. Set both explicitly (you may repeat the "
                           "same URL)",
                           main ? "pylon_evm_network"
                                : "pylon_evm_archive_network",
                           main ? "pylon_evm_archive_network"
                                : "pylon_evm_network");
        return NGX_ERROR;
    }

    ngx_conf_init_uint_value(pmcf->evm_archive_cutoff, 300);
    ngx_conf_init_uint_value(pmcf->evm_max_range, NGX_PYLON_EVM_MAX_RANGE);
    ngx_conf_init_size_value(pmcf->evm_max_abi, NGX_PYLON_EVM_MAX_ABI);
    ngx_conf_init_uint_value(pmcf->evm_max_logs, NGX_PYLON_EVM_MAX_LOGS);

    return NGX_OK;
}

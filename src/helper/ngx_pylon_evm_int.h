/*
 * ngx_pylon_evm_int.h: what ngx_pylon_evm.c and ngx_pylon_evm_stats.c
 * share inside the helper.
 */

#ifndef NGX_PYLON_EVM_INT_H
#define NGX_PYLON_EVM_INT_H

/* "wss://host:port" without path or query, NUL-terminated */
#define NGX_PYLON_EVM_URL_LABEL  160

#define NGX_PYLON_EVM_ROUTE_ARCHIVE  0
#define NGX_PYLON_EVM_ROUTE_MAIN     1
#define NGX_PYLON_EVM_ROUTE_SPLIT    2

/* operation and status must be string constants (compared by address) */
void ngx_pylon_evm_stats_operation(const char *operation, const char *status,
    const char *rpc_url, double seconds);
void ngx_pylon_evm_stats_routing(ngx_uint_t reason);

#endif /* NGX_PYLON_EVM_INT_H */

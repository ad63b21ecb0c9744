/*
 * ngx_pylon_evm.h: the helper's EVM JSON-RPC nodes and the "evm_logs" job
 * (POST .../evm/contracts/{address}/logs, spec/pylon-v2.md §7).
 *
 * Two sessions (pylon_evm_network, pylon_evm_archive_network) speak
 * JSON-RPC over WebSocket through ngx_pylon_session (http(s):// URLs are
 * reached as ws(s):// on the same host and port).  A job asks the main
 * node for eth_blockNumber, then eth_getLogs on the archive node for
 * blocks up to head - pylon_evm_archive_cutoff and on the main node for
 * the rest (both at once when the range straddles the cutoff), decodes
 * every log against the job's ABI events and ends the job with the 200
 * body, or 502 with the node's error.  Node URLs appear in logs and the
 * rpc_url label as scheme://host:port only (a path may hold an API key).
 */

#ifndef NGX_PYLON_EVM_H
#define NGX_PYLON_EVM_H

#include "helper/ngx_pylon_helper.h"


/* registers the job kind and creates the sessions (none when the EVM
 * nodes are not configured).  NGX_OK or NGX_ERROR. */
ngx_int_t ngx_pylon_evm_init(ngx_pylon_helper_t *h);

/* the "evm_assoc" job (ngx_pylon_evm_assoc.c) and the subnets kept fresh
 * (ngx_pylon_evm_assoc_fresh.c), set up by the above */
ngx_int_t ngx_pylon_evm_assoc_init(ngx_pylon_helper_t *h);

/* per head and per tick: reads the kept subnets once per new head
 * (ngx_pylon_evm_assoc_fresh.c) */
void ngx_pylon_evm_assoc_poll(ngx_pylon_helper_t *h);

/* connect, housekeeping (1 s), stop and free, as the chain session */
void ngx_pylon_evm_connect(void);
void ngx_pylon_evm_tick(void);
void ngx_pylon_evm_shutdown(void);
void ngx_pylon_evm_free(void);

/*
 * pylon_evm_operation_duration_seconds and pylon_evm_archive_routing_total
 * in Prometheus text into p (at most size bytes); returns the length, 0
 * when it does not fit.  Called by ngx_pylon_stats_render().
 */
size_t ngx_pylon_evm_stats_render(u_char *p, size_t size);

#endif /* NGX_PYLON_EVM_H */

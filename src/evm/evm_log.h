/*
 * evm_log.h: one log object of an eth_getLogs answer → one Pylon EvmLog
 * (§7.3 step 6):
 *
 *   {"event":"Transfer","args":{...},"address":"0x<EIP-55>",
 *    "block_number":150,"transaction_hash":"0x…","transaction_index":0,
 *    "log_index":0}
 *
 * Logs without topics, whose topic0 matches no (non-anonymous) event of
 * the ABI, or that do not decode against the matching event are skipped,
 * as Pylon skips them.
 */

#ifndef PYLON_EVM_LOG_H
#define PYLON_EVM_LOG_H

#include <stddef.h>

#include <jansson.h>

#include "chain/scale.h"
#include "evm/abi_event.h"

#define PYLON_EVM_LOG_ADDED     1
#define PYLON_EVM_LOG_SKIPPED   0
#define PYLON_EVM_LOG_NOMEM    -1


/*
 * Append the EvmLog JSON of log (a JSON-RPC log object) decoded against
 * the n events to out.  Returns PYLON_EVM_LOG_ADDED, _SKIPPED (out left
 * as it was) or _NOMEM.
 */
int pylon_evm_log_render(pylon_buf_t *out, const pylon_abi_event_t *events,
    size_t n, const json_t *log);

/*
 * Append the EvmLogs of every element of logs (a JSON array), comma
 * separated, without brackets; *count receives how many were added.
 * *need_comma says whether out already holds an item of the list.
 * Returns 0 or -1 (out of memory).
 */
int pylon_evm_logs_render(pylon_buf_t *out, const pylon_abi_event_t *events,
    size_t n, const json_t *logs, int *need_comma, size_t *count);

/* parse a JSON-RPC quantity ("0x1a") into *v; 0 or -1 */
int pylon_evm_quantity(const json_t *q, uint64_t *v);

#endif /* PYLON_EVM_LOG_H */

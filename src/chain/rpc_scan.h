/*
 * rpc_scan.h: the shape of nearly every large JSON-RPC reply, found
 * without a JSON tree.
 *
 * A state_call or storage read answers {"jsonrpc":"2.0","id":N,
 * "result":"0x..."} with hundreds of kilobytes of hex.  Scanning that text
 * in place (members in any order, whitespace allowed) finds the id and
 * the hex span; anything else (an error, a notification, escapes, another
 * member, a non-hex result) is left to the full parser.  Pure C.
 */

#ifndef PYLON_CHAIN_RPC_SCAN_H
#define PYLON_CHAIN_RPC_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* replies shorter than this are not worth a second look: parse them */
#define PYLON_RPC_SCAN_MIN  4096


/*
 * Recognises a response whose members are "jsonrpc" (a plain string), "id"
 * (a non-negative integer) and "result" (a string of hex digits with an
 * optional 0x).  Returns 0 with *id and *hex / *hexlen pointing into buf
 * (no copy, the quotes excluded), or -1: not that shape.
 */
int pylon_rpc_scan_hex_result(const char *buf, size_t len, uint64_t *id,
    const char **hex, size_t *hexlen);

#endif /* PYLON_CHAIN_RPC_SCAN_H */

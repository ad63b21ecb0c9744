/*
 * header.h: a block's hash from its header, without asking the node.
 *
 * A Substrate block hash is BLAKE2b-256 of the SCALE-encoded header:
 *
 *   parentHash [u8; 32] ++ Compact<number> ++ stateRoot [u8; 32]
 *   ++ extrinsicsRoot [u8; 32] ++ Vec<DigestItem>
 *
 * where each digest log of the JSON header ("0x…") is already one SCALE
 * DigestItem, so the Vec is the compact count followed by the logs'
 * bytes.  The header is the JSON object chain_getHeader and
 * chain_subscribeNewHeads give.  Nothing is allocated that outlives a
 * call.
 */

#ifndef PYLON_CHAIN_HEADER_H
#define PYLON_CHAIN_HEADER_H

#include <jansson.h>

#include "chain/scale.h"


/*
 * Append the SCALE encoding of the JSON header to out.  Returns 0, or -1
 * when a field is missing or not well-formed hex of the right length
 * (out is then restored to its previous length).
 */
int pylon_header_encode(pylon_buf_t *out, const json_t *header);

/*
 * The header's block hash as "0x" + 64 lowercase hex digits and a NUL
 * into out (67 bytes).  Returns 0, or -1 as pylon_header_encode.
 */
int pylon_header_hash(char out[67], const json_t *header);

#endif /* PYLON_CHAIN_HEADER_H */

/*
 * xdecode.h: decoding extrinsics found in blocks (chain_getBlock).
 *
 * An extrinsic is Compact<u32> length ++ version byte ++ [signed part]
 * ++ call.  Version 4 signed (0x84: address, signature, the signed
 * extensions' explicit data) and unsigned (0x04), and version 5 bare
 * (0x05) and general (0x45: extension version byte + extensions) are
 * understood; the types come from the metadata of the block's runtime.
 * The result has the shape Pylon serves for
 * GET /block/{n}/extrinsic/{i} (pylon-api.md §4.10) without the two
 * position fields, which the caller adds:
 *
 *   {"extrinsic_hash": "0x…", "extrinsic_length": 100,
 *    "address": "5F…" | null,
 *    "call": {"call_index": "0x0702", "call_function": "set_weights",
 *             "call_module": "SubtensorModule",
 *             "call_args": [{"name": "netuid", "type": "NetUid",
 *                            "value": 1}, …],
 *             "call_hash": "0x…"}}
 *
 * extrinsic_hash is blake2b-256 of the whole encoding (length prefix
 * included), as nodes report transaction hashes; extrinsic_length is the
 * length prefix (bytes after it); call_hash is blake2b-256 of the call.
 * "type" is the metadata's type name with the "T::" / "<T as …>::"
 * qualifiers removed (Vec<u8> is "Bytes", as py-scale-codec names it).
 */

#ifndef PYLON_CHAIN_XDECODE_H
#define PYLON_CHAIN_XDECODE_H

#include <jansson.h>

#include "chain/metadata.h"


/*
 * Decode one whole extrinsic (len bytes, length prefix included).
 * Returns a new JSON reference or NULL with a reason.
 */
json_t *pylon_extrinsic_decode(const pylon_meta_t *m, const uint8_t *xt,
    size_t len, char *err, size_t errlen);

/*
 * A call alone (pallet index ++ call index ++ args) as the "call" object
 * above.  Returns a new reference or NULL with a reason.
 */
json_t *pylon_call_decode(const pylon_meta_t *m, const uint8_t *call,
    size_t len, char *err, size_t errlen);

#endif /* PYLON_CHAIN_XDECODE_H */

/*
 * abi_codec.h: the Solidity contract ABI encoding (head/tail layout) of
 * values described by pylon_abi_type_t trees.
 *
 * Decoding writes JSON text (Pylon's §7 rendering: integers as exact JSON
 * integers, addresses EIP-55, bytes and bytesN as "0x" hex, tuples as
 * arrays or, with PYLON_ABI_TUPLE_OBJECTS, objects by component name).
 * It never reads outside the input: every offset and length is checked
 * against the bytes present, and a work budget proportional to the input
 * stops encodings whose offsets point many heads at the same tail.
 * Padding is checked strictly (as eth-abi does): dirty high bits of an
 * integer or address, a bool other than 0/1, non-zero bytes after bytesN
 * or after bytes/string contents make the input invalid.
 *
 * Encoding reads jansson values: integers as JSON integers or decimal /
 * "0x" hex strings, addresses and bytes as hex strings, bool as JSON
 * true/false, strings as JSON strings, arrays as arrays, tuples as arrays
 * or objects keyed by component name.
 */

#ifndef PYLON_EVM_ABI_CODEC_H
#define PYLON_EVM_ABI_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/scale.h"
#include "evm/abi_type.h"

/* tuples whose components all have names render as JSON objects */
#define PYLON_ABI_TUPLE_OBJECTS  0x01
/* the outermost tuple renders as an object even with unnamed members */
#define PYLON_ABI_TOP_OBJECT     0x02


/*
 * Decode the whole of data[0..len) as the encoding of t (a top-level
 * tuple of arguments is decoded in place, as calldata and log data are
 * laid out) and append its JSON text to out.  Bytes after the encoding
 * are ignored, as Solidity's decoder ignores them.  Returns 0, or -1
 * with a reason in err (out may hold a partial value: the caller
 * truncates it).
 */
int pylon_abi_decode_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const uint8_t *data, size_t len, unsigned flags, char *err,
    size_t errlen);

/*
 * Decode one 32-byte word (an indexed event topic) as the static value
 * type t and append its JSON text.  Returns 0 or -1 (bad padding, or t
 * not a single-word type).
 */
int pylon_abi_decode_word_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const uint8_t word[32]);

/*
 * Append the encoding of value v as type t to out (a top-level tuple
 * encoded in place).  Returns 0, or -1 with a reason in err.
 */
int pylon_abi_encode_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const json_t *v, char *err, size_t errlen);

#endif /* PYLON_EVM_ABI_CODEC_H */

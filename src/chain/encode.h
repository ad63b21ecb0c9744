/*
 * encode.h: registry-driven JSON → SCALE encoding, the inverse of
 * decode.h.
 *
 * pylon_encode() accepts exactly the JSON shapes the decoder produces, so
 * encode(decode(bytes)) == bytes for canonical input, and callers can
 * build runtime-API inputs, storage key parts and call arguments from
 * JSON by type:
 *   integers      JSON integer or decimal string ("18446744073709551615")
 *   AccountId32   SS58 string (checksum verified, any prefix) or "0x" + 64
 *                 hex digits
 *   Vec<u8>, [u8; N]   "0x…" hex (N must match)
 *   composites    object with every named field, the bare value for one
 *                 unnamed field, an array for several, null for none
 *   enums         "Name" for a variant without data, {"Name": value}
 *   Option<T>     null or the value of T
 *   str, bool, char    string, true/false, one-character string
 * Bit sequences are not supported (the decoder's hex loses the bit count).
 */

#ifndef PYLON_CHAIN_ENCODE_H
#define PYLON_CHAIN_ENCODE_H

#include <jansson.h>

#include "chain/metadata.h"
#include "chain/scale.h"


/*
 * Append the SCALE encoding of v as the given type to out.  Returns 0, or
 * -1 with a reason naming the offending place (out is then restored to
 * its previous length).
 */
int pylon_encode(pylon_buf_t *out, const pylon_meta_t *m, uint32_t type,
    const json_t *v, char *err, size_t errlen);

/*
 * Encode the arguments of a runtime API method (an array with one JSON
 * value per input, in order) as state_call params.  Returns 0 or -1.
 */
int pylon_encode_api_args(pylon_buf_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const json_t *args, char *err,
    size_t errlen);

#endif /* PYLON_CHAIN_ENCODE_H */

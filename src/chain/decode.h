/*
 * decode.h: registry-driven SCALE → JSON (jansson) decoding.
 *
 * Any type id of a pylon_meta_t becomes a json_t:
 *   composite, all fields named    → object in field order
 *   composite, one unnamed field   → that field's value (newtypes)
 *   composite, several unnamed     → array;  no fields → null
 *   variant                        → "Name" when it has no fields, else
 *                                    {"Name": value} (one unnamed field),
 *                                    {"Name": [..]} or {"Name": {..}}
 *   Option<T>                      → null or the value of T
 *   sequence / array / tuple       → array (Vec<u8>, [u8; N] → "0x…")
 *   AccountId32                    → SS58 string (the registry's prefix)
 *   bool, str, char                → true/false, string (invalid UTF-8
 *                                    strings become "0x…" hex)
 *   integers, compact              → JSON integer when the value fits a
 *                                    signed 64-bit integer, otherwise a
 *                                    decimal string ("340282366920…")
 *   bit sequence                   → "0x…" of its storage words
 *
 * Malformed or truncated input, unknown variant indexes and nesting deeper
 * than PYLON_DECODE_MAX_DEPTH give NULL and a reason; nothing is read
 * outside the cursor's range.  A sequence may not claim more elements
 * than bytes remain (so Vec<()> longer than its remaining input is
 * refused), which bounds the work any input can cause.
 */

#ifndef PYLON_CHAIN_DECODE_H
#define PYLON_CHAIN_DECODE_H

#include <jansson.h>

#include "chain/json_text.h"
#include "chain/metadata.h"
#include "chain/scale.h"


#define PYLON_DECODE_MAX_DEPTH  200


/*
 * Decode one value of the given type at the cursor, advancing it.
 * Returns a new reference the caller json_decref()s, or NULL (err gets a
 * reason when not NULL; the cursor position is then unspecified).
 */
json_t *pylon_decode(const pylon_meta_t *m, uint32_t type,
    pylon_scale_cur_t *c, char *err, size_t errlen);

/*
 * Decode exactly len bytes as one value: trailing bytes are an error.
 * Returns a new reference or NULL as above.
 */
json_t *pylon_decode_all(const pylon_meta_t *m, uint32_t type,
    const uint8_t *buf, size_t len, char *err, size_t errlen);

/*
 * The fast path: append the compact JSON text of one value at the cursor
 * to out (byte for byte what json_dumps(pylon_decode(...), JSON_COMPACT)
 * gives, without building a tree).  On error out is restored to its
 * previous length.  Returns 0 or -1 with a reason in err.
 */
int pylon_decode_text(pylon_buf_t *out, const pylon_meta_t *m, uint32_t type,
    pylon_scale_cur_t *c, char *err, size_t errlen);

/* the same for exactly len bytes (trailing bytes are an error) */
int pylon_decode_all_text(pylon_buf_t *out, const pylon_meta_t *m,
    uint32_t type, const uint8_t *buf, size_t len, char *err, size_t errlen);

/*
 * Move the cursor over one value without building JSON (to find where a
 * value ends, e.g. inside a storage key).  Returns 0 or -1.
 */
int pylon_decode_skip(const pylon_meta_t *m, uint32_t type,
    pylon_scale_cur_t *c);

/*
 * Write the unsigned little-endian integer of n bytes (n <= 32) as decimal
 * into out (at least 80 bytes), NUL-terminated.  Returns the length.
 */
size_t pylon_decimal_from_le(char *out, const uint8_t *le, size_t n);

#endif /* PYLON_CHAIN_DECODE_H */

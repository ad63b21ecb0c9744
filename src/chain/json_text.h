/*
 * json_text.h: writing JSON text straight into a pylon_buf_t.
 *
 * The decoder's fast path renders without building a jansson tree; these
 * helpers produce exactly what json_dumps(..., JSON_COMPACT) would: the
 * same escapes (\" \\ \b \f \n \r \t, other controls as \u00XX, UTF-8
 * passed through) and the same integer format.
 */

#ifndef PYLON_CHAIN_JSON_TEXT_H
#define PYLON_CHAIN_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "chain/scale.h"


/* append n bytes of valid UTF-8 as a quoted, escaped JSON string */
int pylon_json_put_string(pylon_buf_t *b, const void *p, size_t n);

/* append a signed 64-bit integer in decimal */
int pylon_json_put_int(pylon_buf_t *b, int64_t v);

/*
 * Write u in decimal at d (room for 20 bytes) and return the number of
 * bytes written.
 */
size_t pylon_json_u64(uint8_t *d, uint64_t u);

/* 1 if the n bytes at p are valid UTF-8 (no overlongs, no surrogates) */
int pylon_utf8_valid(const uint8_t *p, size_t n);

#endif /* PYLON_CHAIN_JSON_TEXT_H */

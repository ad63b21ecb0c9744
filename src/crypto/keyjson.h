/*
 * keyjson.h: a reader for flat JSON objects whose values are strings (or
 * null), the shape of bittensor key files.  It decodes in place, so the
 * secrets never leave the caller's (sodium_malloc()'d) buffer, unlike a
 * general JSON library that copies strings into its own heap.
 */

#ifndef PYLON_CRYPTO_KEYJSON_H
#define PYLON_CRYPTO_KEYJSON_H

#include <stddef.h>


typedef struct {
    const char  *name;      /* member name to capture (set by the caller) */
    const char  *value;     /* NUL-terminated value inside buf, or NULL */
    size_t       len;       /* its length */
} pylon_keyjson_field_t;


/*
 * Parse buf[0..len) (buf must have one spare byte, buf[len], which is
 * overwritten) as one JSON object.  For each member whose name is in
 * fields[0..n), set value/len (null leaves value NULL).  Other members
 * are skipped if their value is a string, number, true/false or null.
 * Duplicate captured names, nested objects/arrays, escapes above U+007F
 * in captured values and any syntax error give -1 with a reason (byte
 * offset, never content) in err.
 */
int pylon_keyjson_parse(pylon_keyjson_field_t *fields, size_t n, char *buf,
    size_t len, char *err, size_t errlen);

#endif /* PYLON_CRYPTO_KEYJSON_H */

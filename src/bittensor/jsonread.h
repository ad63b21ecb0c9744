/*
 * jsonread.h: a JSON reader that fails exactly where and how msgspec's
 * untyped decoder (Litestar's request.json()) fails, with the same text.
 *
 * Pylon answers a malformed body with 400 and msgspec's message as the
 * detail, e.g. "JSON is malformed: invalid character (byte 0)" or "Input
 * data was truncated".  This reader walks the whole document with
 * msgspec's grammar and error positions (msgspec/_core.c, json_decode*),
 * and keeps a shallow tree: the members of objects (and, when asked, the
 * elements of arrays) down to `keep` levels (root = level 0); other
 * containers keep only their type and size, so a body's memory stays a
 * small multiple of the members a caller looks at.  Object keys are
 * decoded strings; a repeated key keeps its first position and its last
 * value, as a Python dict does.
 *
 * Where Python would fail with something other than a DecodeError (an
 * invalid UTF-8 string, nesting deep enough for RecursionError: both 500
 * in Pylon) the reader reports a 400 in msgspec's style instead:
 * "JSON is malformed: invalid utf-8 (byte N)" and "JSON is malformed:
 * nesting too deep (byte N)".
 */

#ifndef PYLON_JSONREAD_H
#define PYLON_JSONREAD_H

#include <stddef.h>

#define PYLON_JSON_MAX_DEPTH   1000

/*
 * Members one object may have: more than any subnet has neurons (weights
 * are the largest legitimate map), far fewer than 1 MB of short keys.  A
 * body past it is malformed at once ("too many object members"), before
 * the rest is read, kept or hashed: the cost of a hostile body is bounded
 * whatever its keys are.
 */
#define PYLON_JSON_MAX_MEMBERS 8192
#define PYLON_JSON_ERR_BYTES   160

#define PYLON_JSON_KEEP_ARRAYS 0x100 /* or'ed into keep: arrays too */

#define PYLON_JSON_EMALFORMED  1     /* err holds msgspec's message */
#define PYLON_JSON_ENOMEM      (-1)

typedef enum {
    PYLON_JSON_NULL = 0,
    PYLON_JSON_FALSE,
    PYLON_JSON_TRUE,
    PYLON_JSON_INT,          /* a number without '.' or exponent */
    PYLON_JSON_FLOAT,
    PYLON_JSON_STRING,
    PYLON_JSON_ARRAY,
    PYLON_JSON_OBJECT
} pylon_json_type_t;

typedef struct pylon_json_s  pylon_json_t;

struct pylon_json_s {
    pylon_json_type_t   type;
    /* STRING: decoded bytes (NUL-terminated, may hold NULs); INT/FLOAT:
     * the lexeme; NULL for a value below the kept levels */
    const char         *str;
    size_t              len;
    /* INT/FLOAT as the nearest double (an INT too large is +-inf) */
    double              num;
    /* ARRAY/OBJECT: element or member count (distinct when kept) */
    size_t              n;
    /* ARRAY elements / OBJECT members when kept, in order */
    pylon_json_t       *child;
    pylon_json_t       *next;
    const char         *key;     /* member name, decoded, NUL-terminated */
    size_t              keylen;
};

typedef struct pylon_json_doc_s  pylon_json_doc_t;

/*
 * Read one JSON document from in[0..len).  keep: object levels whose
 * members are kept (2 keeps the root's members and their members), or'ed
 * with PYLON_JSON_KEEP_ARRAYS to keep array elements at those levels.
 * Returns 0 with *doc (free with pylon_json_free) and *root set,
 * PYLON_JSON_EMALFORMED with err (PYLON_JSON_ERR_BYTES) holding the
 * msgspec message, or PYLON_JSON_ENOMEM.  Empty input is "Input data
 * was truncated" (Litestar never decodes an empty body: see request.h).
 */
/*
 * Draws the process's key for hashing member names (SipHash), at most
 * once; pylon_json_read() calls it, a process may call it at start.
 */
void pylon_json_seed(void);

int pylon_json_read(pylon_json_doc_t **doc, pylon_json_t **root,
    char err[PYLON_JSON_ERR_BYTES], const unsigned char *in, size_t len,
    unsigned keep);

/* the member named key (len bytes) of an object, or NULL */
pylon_json_t *pylon_json_get(const pylon_json_t *obj, const char *key,
    size_t len);

/* release everything pylon_json_read() returned; NULL is fine */
void pylon_json_free(pylon_json_doc_t *doc);

/*
 * Check UTF-8 as Python's strict decoder does (no overlongs, no
 * surrogates, nothing above U+10FFFF).  Returns the length of the valid
 * prefix: len when all of it is valid.
 */
size_t pylon_utf8_valid_prefix(const unsigned char *s, size_t len);

#endif /* PYLON_JSONREAD_H */

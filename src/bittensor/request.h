/*
 * request.h: Pylon's request semantics in pure C - request bodies,
 * the X-Pylon-Timeout header and Litestar's error envelope.
 *
 * A body is read the way Litestar 2.19 + pydantic 2 read it (see
 * ../shared/spec/pylon-api.md sections 1.2, 1.3, 3.1 and 5.1):
 *
 *   1. empty body            -> 400 validation error: Litestar's
 *                               [{"message":"'data'","key":"data",
 *                               "source":"body"}] (the KeyError text its
 *                               signature model stringifies; read from
 *                               Litestar's source, not run)
 *   2. msgspec JSON decoding -> 400 {"status_code":400,"detail":"<msgspec
 *                               message>"} (PYLON_BODY_EJSON)
 *   3. pydantic validation   -> 400 {"status_code":400,"detail":
 *                               "Validation failed for <METHOD> <path>[?q]",
 *                               "extra":[{"message","key"[,"source"]}]}
 *                               (PYLON_BODY_EINVALID); an error on the
 *                               model itself (body not an object) has no
 *                               key; "source":"query" is added when the
 *                               key is also a query parameter name
 *
 * Pylon answers an unknown identity (404) between steps 2 and 3, so the
 * caller gets the two kinds apart: send EJSON at once, EINVALID only after
 * the identity lookup.  Envelopes are compact JSON in Litestar's key
 * order, escaped as msgspec escapes (\" \\ \b \f \n \r \t, \u00XX for
 * other control bytes, UTF-8 passed through; invalid UTF-8 in the path or
 * query becomes U+FFFD as Python's errors="replace").
 *
 * Deliberate differences from Pylon (design.md): a weight that is
 * negative, NaN or infinite is rejected (pydantic's own messages "Input
 * should be greater than or equal to 0" / "Input should be a finite
 * number", key weights.<hotkey>); a commitment over 128 bytes is rejected
 * ("Data should have at most 128 bytes": the chain's RawN holds at most
 * 128, Pylon would fail later with 502/504); JSON that would make Python
 * fail with a 500 (invalid UTF-8 in a string, nesting deeper than
 * PYLON_JSON_MAX_DEPTH) is a 400 EJSON ("JSON is malformed: invalid utf-8
 * (byte N)", "JSON is malformed: nesting too deep (byte N)").
 *
 * All returned memory is malloc()ed; envelopes are freed with free(),
 * parsed bodies with pylon_body_free().
 */

#ifndef PYLON_REQUEST_H
#define PYLON_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_BODY_OK          0
#define PYLON_BODY_ENOMEM      (-1)   /* answer 500 */
#define PYLON_BODY_EJSON       1      /* malformed JSON: send at once */
#define PYLON_BODY_EINVALID    2      /* validation: after identity 404 */

/* the chain's Raw0..Raw128 commitment variants */
#define PYLON_COMMITMENT_MAX_BYTES  128

#define PYLON_TIMEOUT_OK       0
#define PYLON_TIMEOUT_ENOMEM   (-1)
#define PYLON_TIMEOUT_EINVALID 1      /* 400 envelope produced */

typedef enum {
    PYLON_BODY_LOGIN,          /* POST /api/v1/login/identity/{name} */
    PYLON_BODY_WEIGHTS,        /* PUT  ID/weights */
    PYLON_BODY_COMMITMENT,     /* POST ID/commitments */
    PYLON_BODY_CERTIFICATE,    /* POST ID/certificates/self */
    PYLON_BODY_REVEALED        /* POST UID/commitments/revealed (v2) */
} pylon_body_kind_t;

/* the request line parts the validation detail is built from */
typedef struct {
    const char  *method;       /* "PUT", NUL-terminated */
    const char  *path;         /* percent-decoded path as uvicorn gives
                                  it (nginx's r->uri is close: it also
                                  merges slashes); a leading "//" is
                                  rendered "////" as Python 3.13's
                                  urlunsplit() does */
    size_t       path_len;
    const char  *query;        /* raw query without '?', or NULL */
    size_t       query_len;
} pylon_request_line_t;

typedef struct {
    char    *hotkey;           /* decoded UTF-8, NUL-terminated */
    size_t   hotkey_len;       /* bytes (a hotkey may hold "\u0000") */
    double   weight;           /* finite, >= 0 */
} pylon_weight_t;

typedef struct {
    pylon_body_kind_t   kind;

    /* LOGIN: the token (zeroed by pylon_body_free) */
    char               *token;
    size_t              token_len;

    /* WEIGHTS: distinct hotkeys in first-seen order, last value wins
     * (Python dict); nweights is Pylon's "count" */
    pylon_weight_t     *weights;
    size_t              nweights;

    /* COMMITMENT: 1..PYLON_COMMITMENT_MAX_BYTES raw bytes */
    unsigned char      *commitment;
    size_t              commitment_len;

    /* CERTIFICATE: always 1 (EdDSA/Ed25519) once accepted */
    int                 algorithm;

    /* REVEALED: the text (UTF-8, NUL-terminated; in commitment above)
     * and blocks_until_reveal (no range check, as Pylon) */
    int64_t             blocks_until_reveal;

    void               *mem;     /* internal */
} pylon_body_t;


/*
 * Parse and validate a request body of the given kind.  On PYLON_BODY_OK
 * *out is filled (release with pylon_body_free) and *env is NULL; on
 * PYLON_BODY_EJSON / PYLON_BODY_EINVALID *env (free()) holds the 400
 * envelope of *envlen bytes; PYLON_BODY_ENOMEM leaves both empty.
 */
int pylon_body_parse(pylon_body_t *out, char **env, size_t *envlen,
    pylon_body_kind_t kind, const unsigned char *body, size_t len,
    const pylon_request_line_t *line);

/* release a parsed body (the token is wiped first); safe twice */
void pylon_body_free(pylon_body_t *b);

/*
 * Litestar's plain envelope {"status_code":N,"detail":"..."}; an empty
 * detail becomes the reason phrase ("Bad Gateway").  Returns a malloc()ed
 * NUL-terminated string (*len bytes), or NULL when out of memory.
 */
char *pylon_envelope(size_t *len, int status, const char *detail,
    size_t detail_len);

/* the HTTP reason phrase Litestar uses for status (or "Unknown") */
const char *pylon_http_reason(int status);

/*
 * X-Pylon-Timeout (spec 5.1).  value/len: the first header's raw bytes,
 * value NULL when the header is absent (then default_s applies).  Parsed
 * as Python float(); a parse failure or NaN gives 400 "Invalid
 * X-Pylon-Timeout header value: <raw>", a value <= 0 gives 400
 * "X-Pylon-Timeout header value must be positive, got <repr>", a value
 * above max_s is capped (*capped = 1; Pylon logs a warning).  *ms is the
 * timeout rounded up to whole milliseconds.  Returns PYLON_TIMEOUT_OK,
 * PYLON_TIMEOUT_EINVALID with *env (free()) or PYLON_TIMEOUT_ENOMEM.
 */
int pylon_timeout_parse(uint64_t *ms, int *capped, char **env,
    size_t *envlen, const unsigned char *value, size_t len,
    double default_s, double max_s);

/*
 * Python's repr() of a float ("5.0", "-1e-05", "1.5e+16", "inf", "nan")
 * into buf (at least 32 bytes).  Returns the length.
 */
size_t pylon_float_repr(char *buf, double v);

/*
 * Python float() of a string, as X-Pylon-Timeout is parsed: surrounding
 * whitespace, sign, digits with single underscores between digits,
 * optional fraction and exponent, inf/infinity/nan in any case.  ASCII
 * digits only.  Returns 0 with *v, or -1.
 */
int pylon_py_float(double *v, const char *s, size_t len);

#endif /* PYLON_REQUEST_H */

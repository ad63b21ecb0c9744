/*
 * request_int.h: internals shared by request.c, envelope.c, timeout.c,
 * pynum.c and envfile.c - a growable output buffer, the envelope writer
 * and pydantic's number parsing.  Not a public interface.
 */

#ifndef PYLON_REQUEST_INT_H
#define PYLON_REQUEST_INT_H

#include <stddef.h>

typedef struct {
    char    *buf;        /* NUL-terminated, malloc()ed */
    size_t   len, cap;
    int      failed;     /* an allocation failed; further puts are no-ops */
} pylon_sbuf_t;

int pylon_sbuf_put(pylon_sbuf_t *b, const void *s, size_t n);
int pylon_sbuf_str(pylon_sbuf_t *b, const char *s);

/* s as the inside of a JSON string, escaped as msgspec escapes */
int pylon_sbuf_json(pylon_sbuf_t *b, const void *s, size_t n);

/* {"status_code":N,"detail":"..." without the closing brace */
int pylon_sbuf_envelope_head(pylon_sbuf_t *b, int status,
    const char *detail, size_t n);

/*
 * pydantic's lax float / int from a string (pynum.c).  0 with *v, or -1
 * when pydantic would say "unable to parse string as a number/integer"
 * (an int outside long long is refused too).
 */
int pylon_pydantic_float(double *v, const char *s, size_t len);
int pylon_pydantic_int(long long *v, const char *s, size_t len);

#endif /* PYLON_REQUEST_INT_H */

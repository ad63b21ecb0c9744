/*
 * gzip.c: gzip copies of cached bodies (libdeflate) and Accept-Encoding
 * negotiation (see gzip.h).
 *
 * libdeflate compresses a whole buffer in one call, which is exactly what
 * a cached body is; a compressor holds its tables, so the helper keeps one
 * for its life.  The same input and level always give the same bytes, so
 * the gzip copy's ETag can be derived from the body's.
 */

#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "store/gzip.h"


struct pylon_gzip_s {
    struct libdeflate_compressor  *c;
};


pylon_gzip_t *
pylon_gzip_create(int level)
{
    pylon_gzip_t  *gz;

    gz = calloc(1, sizeof(pylon_gzip_t));
    if (gz == NULL) {
        return NULL;
    }

    gz->c = libdeflate_alloc_compressor(level);
    if (gz->c == NULL) {
        free(gz);
        return NULL;
    }

    return gz;
}


void
pylon_gzip_destroy(pylon_gzip_t *gz)
{
    if (gz == NULL) {
        return;
    }

    libdeflate_free_compressor(gz->c);
    free(gz);
}


u_char *
pylon_gzip_compress(pylon_gzip_t *gz, const void *in, size_t len,
    size_t *outlen)
{
    size_t   bound, n;
    u_char  *out;

    if (gz == NULL || len < PYLON_GZIP_MIN_LEN) {
        return NULL;
    }

    bound = libdeflate_gzip_compress_bound(gz->c, len);

    out = malloc(bound);
    if (out == NULL) {
        return NULL;
    }

    /* worth it only when smaller: give it len - 1 bytes at most */
    n = libdeflate_gzip_compress(gz->c, in, len, out,
                                 bound < len - 1 ? bound : len - 1);
    if (n == 0) {
        free(out);
        return NULL;
    }

    *outlen = n;

    return out;
}


static int
pylon_gzip_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}


static int
pylon_gzip_is_ws(int c)
{
    return c == ' ' || c == '\t';
}


/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); -1 bad */

static int
pylon_gzip_qvalue(const u_char *p, const u_char *end)
{
    int  q, digits, scale;

    if (p == end || (*p != '0' && *p != '1')) {
        return -1;
    }

    q = (*p++ - '0') * 1000;

    if (p == end) {
        return q;
    }

    if (*p++ != '.') {
        return -1;
    }

    scale = 100;

    for (digits = 0; p < end; digits++, p++) {
        if (digits == 3 || *p < '0' || *p > '9') {
            return -1;
        }
        q += (*p - '0') * scale;
        scale /= 10;
    }

    return q > 1000 ? -1 : q;
}


/* the q of one element "coding *( OWS ; OWS param )"; 1000 by default */

static int
pylon_gzip_element_q(const u_char *p, const u_char *end)
{
    int            q;
    const u_char  *param, *pend;

    q = 1000;

    while (p < end) {
        if (*p != ';') {
            p++;
            continue;
        }

        p++;
        while (p < end && pylon_gzip_is_ws(*p)) {
            p++;
        }

        param = p;
        while (p < end && *p != ';') {
            p++;
        }

        pend = p;
        while (pend > param && pylon_gzip_is_ws(pend[-1])) {
            pend--;
        }

        if (pend - param >= 2 && pylon_gzip_lower(param[0]) == 'q'
            && param[1] == '=')
        {
            q = pylon_gzip_qvalue(param + 2, pend);
            if (q < 0) {
                return 0;           /* malformed: not acceptable */
            }
        }
    }

    return q;
}


static int
pylon_gzip_token_is(const u_char *t, size_t n, const char *name)
{
    size_t  i;

    if (n != strlen(name)) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (pylon_gzip_lower(t[i]) != name[i]) {
            return 0;
        }
    }

    return 1;
}


int
pylon_gzip_accept_q(const u_char *s, size_t n, int *star)
{
    int            gzip_q, q;
    size_t         tlen;
    const u_char  *p, *end, *elt, *eend, *t;

    gzip_q = -1;
    p = s;
    end = s + n;

    while (p < end) {

        elt = p;
        while (p < end && *p != ',') {
            p++;
        }
        eend = p;

        if (p < end) {
            p++;                    /* the comma */
        }

        while (elt < eend && pylon_gzip_is_ws(*elt)) {
            elt++;
        }

        t = elt;
        while (elt < eend && *elt != ';' && !pylon_gzip_is_ws(*elt)) {
            elt++;
        }
        tlen = elt - t;

        if (tlen == 0) {
            continue;               /* empty list element */
        }

        q = pylon_gzip_element_q(elt, eend);

        if (pylon_gzip_token_is(t, tlen, "gzip")
            || pylon_gzip_token_is(t, tlen, "x-gzip"))
        {
            /* listed twice: the higher weight wins */
            if (q > gzip_q) {
                gzip_q = q;
            }

        } else if (tlen == 1 && *t == '*') {
            if (q > *star) {
                *star = q;
            }
        }
    }

    return gzip_q;
}


int
pylon_gzip_acceptable(int gzip_q, int star_q)
{
    if (gzip_q >= 0) {
        return gzip_q > 0;
    }

    return star_q > 0;
}
